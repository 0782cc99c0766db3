"""Sending one outbox row: claim it, respect WeCom's per-member limit, send it, record what happened.

**Claiming.** A row is taken with one conditional UPDATE — from ``created`` (when its ``next_attempt_at``
has come) or from ``sending`` whose lease (``locked_until``) has run out — to ``sending`` with a new lease
and one more attempt. Only the worker whose UPDATE changed the row sends it, so two workers (or a task
queued twice by the sweeper) never send one row together. Every later write is fenced on the attempt number
it claimed, so a worker that lost its lease cannot overwrite a newer attempt's outcome.

**Queuing.** A ``created`` row whose task is on its way (queued after commit, or with a countdown for its
retry) carries ``locked_until`` = when that task is overdue; the sweeper leaves it alone until then, and
queues it again after (the task was lost with a killed worker, or Redis was down at commit).

**Crashes.** A worker that dies after claiming leaves the row ``sending``; when the lease runs out the sweeper
queues it again. If it died after WeCom took the message but before the row was marked, the message goes
out again — byte for byte the same body, since it was rendered once into ``payload`` — and WeCom's duplicate
check (``enable_duplicate_check``, 4 hours, providers/wecom.py) drops the repeat and answers with the first
msgid. The lease (60 s) and the back-off (at most 30 min per wait) keep every resend well inside those 4 hours,
so each notification reaches a WeCom member exactly once. (WeChat template messages have no such check: for
them the window between send and mark remains, see providers/wechat_template.py.)

**Outcomes.** Delivered: msgid and time. Retryable (network, HTTP 5xx, -1, 45009, a token still refused
after a fresh one): back-off ``base × 2^(attempt-1)``, capped at 30 min, with jitter (half to full), until
``notification_max_attempts``; then failed. Permanent (unknown member, unsubscribed, bad template): failed
at once with the reason in Chinese. Beyond the member's limit: back to ``created`` for when a slot frees up,
not counted as an attempt, never dropped.

The delivery bookkeeping writes with plain UPDATE statements: the row itself is the record of each attempt
(status, attempts, last error, msgid, times); an admin's retry goes through the session and is audited.
"""

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.clock import now
from core.db import session_scope
from core.settings import get_settings
from notifications import ratelimit
from notifications.models import Channel, Notification, Status
from notifications.providers import inbox, wechat_template, wecom
from notifications.providers.errors import DeliveryError, Permanent, Retryable

log = logging.getLogger("tongban.notifications")

LEASE_SECONDS = 60
"""The default of ``notification_lease_seconds``: how long a claim holds before another worker may take it."""
BACKOFF_CAP_SECONDS = 30 * 60
QUEUE_GRACE_SECONDS = 30
"""How long a queued task may take to start before the sweeper queues its row again."""
SWEEP_BATCH = 2000

SENDERS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    Channel.WECOM: wecom.send,
    Channel.WECHAT: wechat_template.send,
    Channel.INBOX: inbox.send,
}


@dataclass(frozen=True)
class Claimed:
    """A row this worker holds the lease on, with what it needs to send it."""

    id: int
    channel: str
    address: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: ``delivered``, ``retry``, ``deferred``, ``failed`` or ``skipped``;
    ``retry_in`` says when to try again (seconds)."""

    status: str
    retry_in: float | None = None


def _claimable(moment: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            Notification.status == Status.CREATED,
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= moment),
        ),
        and_(Notification.status == Status.SENDING, Notification.locked_until <= moment),
    )


def claim(notification_id: int) -> Claimed | None:
    """Takes the row for sending if it is due and nobody holds it; ``None`` otherwise."""
    moment = now()
    with session_scope() as db:
        taken = db.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.channel != Channel.INBOX, _claimable(moment))
            .values(
                status=Status.SENDING,
                attempts=Notification.attempts + 1,
                locked_until=moment + timedelta(seconds=get_settings().notification_lease_seconds),
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = db.execute(
            select(Notification.channel, Notification.address, Notification.payload, Notification.attempts).where(
                Notification.id == notification_id
            )
        ).one()
    return Claimed(notification_id, row.channel, row.address, dict(row.payload), row.attempts)


def _finish(db: Session, claimed: Claimed, **values: Any) -> bool:
    done = db.execute(
        update(Notification)
        .where(
            Notification.id == claimed.id,
            Notification.status == Status.SENDING,
            Notification.attempts == claimed.attempts,
        )
        .values(locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def backoff(attempts: int) -> float:
    """Seconds to wait after the given number of failed attempts: doubling, capped, with jitter."""
    base = get_settings().notification_retry_base_seconds
    ceiling = min(BACKOFF_CAP_SECONDS, base * 2 ** max(0, attempts - 1))
    return float(ceiling * random.uniform(0.5, 1.0))


def _later(seconds: float) -> datetime:
    return now() + timedelta(seconds=max(1, round(seconds)))


def queued_until(at: datetime) -> datetime | None:
    """For a row whose task is queued to start at ``at``: when the sweeper may take over. ``None`` in embedded
    mode, where nothing is queued for later and the sweeper itself sends rows when they are due."""
    return at + timedelta(seconds=QUEUE_GRACE_SECONDS) if get_settings().redis_url else None


def _failed(claimed: Claimed, reason: str) -> Outcome:
    with session_scope() as db:
        _finish(db, claimed, status=Status.FAILED, last_error=reason[:500], next_attempt_at=None)
    log.warning("通知 %s 发送失败：%s", claimed.id, reason)
    return Outcome("failed")


def _retry(claimed: Claimed, reason: str) -> Outcome:
    limit = get_settings().notification_max_attempts
    if claimed.attempts >= limit:
        return _failed(claimed, f"已尝试 {claimed.attempts} 次仍未送达：{reason}")
    wait = backoff(claimed.attempts)
    at = _later(wait)
    with session_scope() as db:
        _finish(db, claimed, status=Status.CREATED, last_error=reason[:500], next_attempt_at=at)
        _queued(db, claimed, at)
    return Outcome("retry", wait)


def _defer(claimed: Claimed, wait: float) -> Outcome:
    """Over the member's limit: queued for when a slot frees up, the attempt given back."""
    at = _later(wait)
    with session_scope() as db:
        _finish(db, claimed, status=Status.CREATED, attempts=claimed.attempts - 1, next_attempt_at=at)
        _queued(db, claimed, at)
    return Outcome("deferred", wait)


def _queued(db: Session, claimed: Claimed, at: datetime) -> None:
    """Notes that a task is queued (with a countdown) for the row put back to ``created``."""
    until = queued_until(at)
    if until is not None:
        db.execute(
            update(Notification)
            .where(Notification.id == claimed.id, Notification.status == Status.CREATED)
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )


def _delivered(claimed: Claimed, msgid: str) -> Outcome:
    with session_scope() as db:
        db.execute(
            update(Notification)
            .where(Notification.id == claimed.id, Notification.status != Status.DELIVERED)
            .values(
                status=Status.DELIVERED,
                provider_msg_id=msgid[:128],
                delivered_at=now(),
                locked_until=None,
                next_attempt_at=None,
                last_error="",
            )
            .execution_options(synchronize_session=False)
        )
    return Outcome("delivered")


def deliver(notification_id: int) -> Outcome:
    """Sends one outbox row if it is due and free, and records the outcome."""
    claimed = claim(notification_id)
    if claimed is None:
        return Outcome("skipped")
    settings = get_settings()
    if claimed.attempts > settings.notification_max_attempts:
        return _failed(claimed, f"发送过程多次中断（共 {claimed.attempts - 1} 次），已停止重试")
    if claimed.channel == Channel.WECOM:
        wait = ratelimit.acquire(f"wecom:{claimed.address}", settings.wecom_member_rate_per_minute)
        if wait > 0:
            return _defer(claimed, wait)
    try:
        msgid = SENDERS[claimed.channel](claimed.address, claimed.payload)
    except Permanent as exc:
        return _failed(claimed, exc.message)
    except Retryable as exc:
        return _retry(claimed, exc.message)
    except DeliveryError as exc:
        return _retry(claimed, exc.message)
    except Exception as exc:  # a bug or an unexpected answer: keep the row, try again later
        log.exception("通知 %s 发送时出错", notification_id)
        return _retry(claimed, f"发送时出现意外错误（{type(exc).__name__}），稍后重试")
    return _delivered(claimed, msgid)


def due(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Rows to (re)queue — due retries and new rows whose queued task is overdue or lost, and rows whose
    sender's lease ran out — each marked as queued again for a grace period."""
    moment = now()
    with session_scope() as db:
        waiting = and_(
            Notification.status == Status.CREATED,
            Notification.next_attempt_at <= moment,
            or_(Notification.locked_until.is_(None), Notification.locked_until <= moment),
        )
        abandoned = and_(Notification.status == Status.SENDING, Notification.locked_until <= moment)
        query = (
            select(Notification.id)
            .where(or_(waiting, abandoned), Notification.channel != Channel.INBOX)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        ids = list(db.scalars(query))
        until = queued_until(moment)
        if ids and until is not None:
            # found by primary key only, the status checked per row: a status condition in the WHERE lets MariaDB
            # scan the status index and lock rows that senders are claiming (the exchange outbox deadlocked so)
            still_new = sql_case((Notification.status == Status.CREATED, until), else_=Notification.locked_until)
            db.execute(
                update(Notification)
                .where(Notification.id.in_(ids))
                .values(locked_until=still_new)
                .execution_options(synchronize_session=False)
            )
        return ids
