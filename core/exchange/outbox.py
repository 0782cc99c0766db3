"""Delivery bookkeeping of outbound records, as the notification outbox does it (notifications/delivery.py): a
worker claims a batch of due rows with one conditional UPDATE that stamps them with its own lease; only rows
carrying that lease are its to send, and every outcome is written back fenced on the lease, so a worker that lost
its lease (it stalled past ``LEASE_SECONDS``) cannot overwrite a newer attempt.

Outcomes per record: accepted or reported as a duplicate by the counterpart → 已确认 (its receipt kept); queued there
→ 已发送 until its acknowledgement is read (:func:`acknowledge`, idempotent: a second acknowledgement of the same
version changes nothing); refused for its content → 失败 with the counterpart's reason; anything else (network,
HTTP 5xx, no answer for it) → 重试中 with back-off ``base × 2^(attempt-1)``, capped at 30 min, jittered, until
``exchange_max_attempts`` and then 失败. No HTTP here: channels/exchange sends between claim and outcome.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.sql import ColumnElement

from core.clock import now
from core.db import session_scope
from core.exchange.enums import SENDABLE, Direction, Status
from core.exchange.keys import wire_key
from core.exchange.models import ExchangeCounterpartState, ExchangeRecord
from core.settings import get_settings

LEASE_SECONDS = 120
BACKOFF_CAP_SECONDS = 30 * 60


@dataclass(frozen=True)
class Claimed:
    """A record this worker holds the lease on, with what it needs to send it."""

    id: int
    kind: str
    local_id: str
    key: str
    version: int
    day: str
    payload: dict[str, Any]
    attempts: int
    lease: str

    @property
    def wire_key(self) -> str:
        """The key the counterpart deduplicates on."""
        return wire_key(self.key, self.version)


def _due(moment: datetime) -> ColumnElement[bool]:
    return and_(
        ExchangeRecord.direction == Direction.OUT,
        ExchangeRecord.status.in_([s.value for s in SENDABLE]),
        or_(ExchangeRecord.next_attempt_at.is_(None), ExchangeRecord.next_attempt_at <= moment),
        or_(ExchangeRecord.locked_until.is_(None), ExchangeRecord.locked_until <= moment),
    )


def is_paused(counterpart: str) -> bool:
    """True while an administrator has paused the counterpart."""
    with session_scope() as db:
        state = db.get(ExchangeCounterpartState, counterpart)
        return bool(state and state.paused)


def claim_batch(counterpart: str, limit: int, *, kind: str | None = None) -> list[Claimed]:
    """Takes up to ``limit`` due records of one counterpart (of one kind: one request carries one kind)."""
    moment = now()
    lease = secrets.token_hex(16)
    with session_scope() as db:
        state = db.get(ExchangeCounterpartState, counterpart)
        if state is not None and state.paused:
            return []
        query = select(ExchangeRecord.id, ExchangeRecord.kind).where(
            ExchangeRecord.counterpart == counterpart, _due(moment)
        )
        if kind is None:
            first = db.execute(query.order_by(ExchangeRecord.id).limit(1)).first()
            if first is None:
                return []
            kind = first.kind
        ids = list(
            db.scalars(
                select(ExchangeRecord.id)
                .where(ExchangeRecord.counterpart == counterpart, ExchangeRecord.kind == kind, _due(moment))
                .order_by(ExchangeRecord.id)
                .limit(limit)
            )
        )
        if not ids:
            return []
        db.execute(
            update(ExchangeRecord)
            .where(ExchangeRecord.id.in_(ids), _due(moment))
            .values(
                lease=lease,
                locked_until=moment + timedelta(seconds=LEASE_SECONDS),
                attempts=ExchangeRecord.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        rows = db.execute(
            select(
                ExchangeRecord.id,
                ExchangeRecord.kind,
                ExchangeRecord.local_id,
                ExchangeRecord.idempotency_key,
                ExchangeRecord.version,
                ExchangeRecord.business_day,
                ExchangeRecord.payload,
                ExchangeRecord.attempts,
            )
            .where(ExchangeRecord.lease == lease)
            .order_by(ExchangeRecord.id)
        ).all()
    return [
        Claimed(
            r.id,
            r.kind,
            r.local_id,
            r.idempotency_key,
            r.version,
            r.business_day.isoformat(),
            dict(r.payload),
            r.attempts,
            lease,
        )
        for r in rows
    ]


def _finish(claimed: Claimed, **values: Any) -> bool:
    with session_scope() as db:
        done = db.execute(
            update(ExchangeRecord)
            .where(ExchangeRecord.id == claimed.id, ExchangeRecord.lease == claimed.lease)
            .values(locked_until=None, lease="", **values)
            .execution_options(synchronize_session=False)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def backoff(attempts: int) -> float:
    """Seconds to wait after the given number of failed attempts: doubling, capped, with jitter."""
    base = get_settings().exchange_retry_base_seconds
    ceiling = min(BACKOFF_CAP_SECONDS, base * 2 ** max(0, attempts - 1))
    return float(ceiling * random.uniform(0.5, 1.0))


def confirmed(claimed: Claimed, receipt: str) -> bool:
    """The counterpart took the record (or already had this version): 已确认."""
    moment = now()
    return _finish(
        claimed,
        status=Status.CONFIRMED,
        receipt=receipt[:128],
        sent_at=moment,
        confirmed_at=moment,
        last_error="",
        next_attempt_at=None,
    )


def sent(claimed: Claimed, receipt: str) -> bool:
    """The counterpart queued the record; its acknowledgement comes later: 已发送."""
    return _finish(
        claimed, status=Status.SENT, receipt=receipt[:128], sent_at=now(), last_error="", next_attempt_at=None
    )


def failed(claimed: Claimed, reason: str) -> bool:
    """Refused for good (its content): 失败, with the reason for an administrator."""
    return _finish(claimed, status=Status.FAILED, last_error=reason[:500], next_attempt_at=None)


def retry(claimed: Claimed, reason: str) -> float | None:
    """Not delivered this time: 重试中 after a back-off, or 失败 after the last attempt. Returns the wait, if any."""
    limit = get_settings().exchange_max_attempts
    if claimed.attempts >= limit:
        failed(claimed, f"已尝试 {claimed.attempts} 次仍未送达：{reason}")
        return None
    wait = backoff(claimed.attempts)
    at = now() + timedelta(seconds=max(1, round(wait)))
    _finish(claimed, status=Status.RETRYING, last_error=reason[:500], next_attempt_at=at)
    return wait


def acknowledge(counterpart: str, key: str, receipt: str) -> bool:
    """An acknowledgement read from the counterpart (``key`` is the wire key, record key + version): the record of that
    version goes from 已发送 to 已确认. A second acknowledgement, or one of an older version, changes nothing."""
    record_key, _, version = key.rpartition(".")
    if not record_key or not version.isdigit():
        return False
    moment = now()
    with session_scope() as db:
        done = db.execute(
            update(ExchangeRecord)
            .where(
                ExchangeRecord.counterpart == counterpart,
                ExchangeRecord.idempotency_key == record_key,
                ExchangeRecord.version == int(version),
                ExchangeRecord.status == Status.SENT,
            )
            .values(status=Status.CONFIRMED, confirmed_at=moment, receipt=receipt[:128])
            .execution_options(synchronize_session=False)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def due_counterparts() -> list[str]:
    """Counterparts with records due now (the sweeper's list)."""
    with session_scope() as db:
        return list(db.scalars(select(ExchangeRecord.counterpart).where(_due(now())).distinct()))
