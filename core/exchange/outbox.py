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
from typing import Any, cast

from sqlalchemy import Boolean, Table, and_, bindparam, case, func, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.clock import now
from core.db import session_scope
from core.exchange.enums import SENDABLE, Direction, Status
from core.exchange.keys import wire_key
from core.exchange.models import ExchangeCounterpartState, ExchangeRecord
from core.retry import in_transaction
from core.settings import get_settings

RECORDS = cast(Table, ExchangeRecord.__table__)
"""The table itself: outcomes are written with one executemany UPDATE keyed by id and lease."""
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

    def work(db: Session) -> list[Row[Any]]:
        state = db.get(ExchangeCounterpartState, counterpart)
        if state is not None and state.paused:
            return []
        query = select(ExchangeRecord.id, ExchangeRecord.kind).where(
            ExchangeRecord.counterpart == counterpart, _due(moment)
        )
        wanted = kind
        if wanted is None:
            first = db.execute(query.order_by(ExchangeRecord.id).limit(1)).first()
            if first is None:
                return []
            wanted = first.kind
        ids = list(
            db.scalars(
                select(ExchangeRecord.id)
                .where(ExchangeRecord.counterpart == counterpart, ExchangeRecord.kind == wanted, _due(moment))
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
        return list(
            db.execute(
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
                .where(ExchangeRecord.id.in_(ids), ExchangeRecord.lease == lease)
                .order_by(ExchangeRecord.id)
            ).all()
        )

    rows = in_transaction(work)
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


def backoff(attempts: int) -> float:
    """Seconds to wait after the given number of failed attempts: doubling, capped, with jitter."""
    base = get_settings().exchange_retry_base_seconds
    ceiling = min(BACKOFF_CAP_SECONDS, base * 2 ** max(0, attempts - 1))
    return float(ceiling * random.uniform(0.5, 1.0))


CONFIRMED, SENT, REFUSED, RETRY = "confirmed", "sent", "refused", "retry"


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed record: ``confirmed`` / ``sent`` (with the receipt in ``text``), ``refused`` /
    ``retry`` (with the reason)."""

    claimed: Claimed
    result: str
    text: str = ""


def _values(outcome: Outcome, moment: datetime, limit: int) -> dict[str, Any]:
    text = outcome.text
    if outcome.result == CONFIRMED:
        return {
            "status": Status.CONFIRMED,
            "receipt": text[:128],
            "sent_at": moment,
            "confirmed_at": moment,
            "last_error": "",
            "next_attempt_at": None,
        }
    if outcome.result == SENT:
        return {
            "status": Status.SENT,
            "receipt": text[:128],
            "sent_at": moment,
            "confirmed_at": None,
            "last_error": "",
            "next_attempt_at": None,
        }
    attempts = outcome.claimed.attempts
    if outcome.result == RETRY and attempts >= limit:
        text = f"已尝试 {attempts} 次仍未送达：{text}"
    elif outcome.result == RETRY:
        at = moment + timedelta(seconds=max(1, round(backoff(attempts))))
        return {
            "status": Status.RETRYING,
            "receipt": "",
            "sent_at": None,
            "confirmed_at": None,
            "last_error": text[:500],
            "next_attempt_at": at,
        }
    return {
        "status": Status.FAILED,
        "receipt": "",
        "sent_at": None,
        "confirmed_at": None,
        "last_error": text[:500],
        "next_attempt_at": None,
    }


def settle(outcomes: list[Outcome]) -> int:
    """Writes a batch's outcomes in one transaction, each fenced on its lease; returns how many were written (a
    record whose lease was lost meanwhile is left to its new holder)."""
    if not outcomes:
        return 0
    moment, limit = now(), get_settings().exchange_max_attempts
    params = []
    for outcome in outcomes:
        values = _values(outcome, moment, limit)
        params.append(
            {
                "b_id": outcome.claimed.id,
                "b_lease": outcome.claimed.lease,
                "b_upgradable": values["status"] in (Status.SENT, Status.RETRYING),
                **{f"b_{k}": v for k, v in values.items()},
            }
        )
    # An acknowledgement read while the record was in flight (see acknowledge) is kept, and a 已发送 or 重试中
    # outcome then becomes 已确认. All of it in this one statement per row, found by primary key: a second UPDATE
    # selecting by status scanned the status index and locked other senders' rows (deadlocks on MariaDB).
    column = RECORDS.c

    def given(name: str) -> Any:
        return bindparam(f"b_{name}", type_=column[name].type)

    acknowledged = and_(column.confirmed_at.is_not(None), bindparam("b_upgradable", type_=Boolean()))
    statement = (
        update(RECORDS)
        .where(column.id == bindparam("b_id"), column.lease == bindparam("b_lease"))
        .values(
            locked_until=None,
            lease="",
            receipt=given("receipt"),
            sent_at=given("sent_at"),
            status=case((acknowledged, Status.CONFIRMED.value), else_=given("status")),
            last_error=case((acknowledged, ""), else_=given("last_error")),
            next_attempt_at=case((acknowledged, None), else_=given("next_attempt_at")),
            confirmed_at=func.coalesce(column.confirmed_at, given("confirmed_at")),
        )
    )

    def work(db: Session) -> int:
        done = db.connection().execute(statement, params)
        return int(done.rowcount)

    return in_transaction(work)  # the whole of it again after a deadlock with another sender (core/retry.py)


def acknowledge(counterpart: str, key: str, receipt: str) -> bool:
    """An acknowledgement read from the counterpart (``key`` is the wire key, record key + version) confirms that
    version: 已发送 becomes 已确认. One that arrives while the record is still in flight (its answer not yet written,
    or lost on the way) is kept as the confirmation time and applied when the outcome is written (:func:`settle`).
    A second acknowledgement, or one of an older version, changes nothing."""
    record_key, _, version = key.rpartition(".")
    if not record_key or not version.isdigit():
        return False
    moment = now()

    def work(db: Session) -> bool:
        done = db.execute(
            update(ExchangeRecord)
            .where(
                ExchangeRecord.counterpart == counterpart,
                ExchangeRecord.idempotency_key == record_key,
                ExchangeRecord.version == int(version),
                ExchangeRecord.direction == Direction.OUT,
                ExchangeRecord.confirmed_at.is_(None),
            )
            .values(
                status=case(
                    (ExchangeRecord.status == Status.SENT, Status.CONFIRMED.value), else_=ExchangeRecord.status
                ),
                confirmed_at=moment,
                receipt=receipt[:128],
            )
            .execution_options(synchronize_session=False)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    return in_transaction(work)


def due_counterparts() -> list[str]:
    """Counterparts with records due now (the sweeper's list)."""
    with session_scope() as db:
        return list(db.scalars(select(ExchangeRecord.counterpart).where(_due(now())).distinct()))
