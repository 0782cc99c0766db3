"""Periodic work on warnings: the scan (every few minutes) and the leaders' morning digest (once a working day).

Both are safe to run again, late, and on two processes at once: the scan through the unique ``active_key`` and
the locked ``announced_at`` / ``escalated_at`` (core/early_warnings/scan.py), the digest through its unique
(leader, day) row. Each subject kind is scanned in a transaction of its own, tried again whole after a deadlock.
"""

import logging
from datetime import datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit.context import SYSTEM, acting
from core.calendar.service import is_working_day
from core.clock import now
from core.early_warnings import events, service
from core.early_warnings.models import EarlyWarning, WarningDigest
from core.early_warnings.scan import Round, scan_kind
from core.early_warnings.states import LIVE, RED
from core.events.service import Recipient
from core.org import service as org_service
from core.org.models import User
from core.retry import in_transaction
from core.warning_settings.thresholds import SubjectKind

log = logging.getLogger(__name__)

DIGEST_FROM = time(8, 30)
"""The morning digest goes out from this time on a working day (after the night's scans)."""


def scan(at: datetime | None = None) -> Round:
    """Scans every subject kind; a kind that fails is logged and the others still run."""
    moment = at or now()
    total = Round()
    with acting(SYSTEM, action="warning.scan"):
        for kind in SubjectKind:
            try:
                total.add(in_transaction(lambda db, kind=kind: scan_kind(db, kind, moment)))  # type: ignore[misc]
            except Exception:
                log.exception("%s预警扫描失败", kind.value)
    return total


def _reds(db: Session, leader: User) -> tuple[list[EarlyWarning], events.Tally]:
    """The red warnings in force today (still red, not closed) in the leader's reach: the most urgent few, and
    how many there are."""
    live = service.scoped(select(EarlyWarning), leader).where(
        EarlyWarning.level == RED, EarlyWarning.active_key.is_not(None), EarlyWarning.state.in_(LIVE)
    )
    inner = live.subquery()
    total, escalated = db.execute(
        select(func.count(), func.sum(case((inner.c.escalated_at.is_not(None), 1), else_=0)))
    ).one()
    shown = list(db.scalars(live.order_by(EarlyWarning.due_on, EarlyWarning.id).limit(events.DIGEST_LINES)))
    return shown, events.Tally(int(total or 0), int(total or 0), 0, int(escalated or 0))


def _digest_for(db: Session, leader_id: int, moment: datetime) -> bool:
    """One leader's digest of the day: recorded once (unique per leader and day), sent when there is any red
    warning in their reach. True when this call sent it."""
    leader = org_service.get_user(db=db, user_id=leader_id)
    if leader is None:
        return False
    shown, tally = _reds(db, leader)
    record = WarningDigest(user_id=leader.id, day=moment.date(), warning_count=tally.total, created_at=moment)
    try:
        with db.begin_nested():
            db.add(record)
            db.flush()
    except IntegrityError:
        return False  # already sent today (by an earlier round, or another process just now)
    if tally.total:
        to = Recipient(user_id=leader.id, role="leader")
        event = events.digest(db, shown, tally, audience="leader", day=moment.date(), to=to)
        record.event_id = event.id
        db.flush()
    return bool(tally.total)


def send_digests(at: datetime | None = None) -> int:
    """Each leader's morning digest of the day's red warnings, once per leader and working day (a leader with no
    red warning in reach gets none); returns how many were sent now."""
    moment = at or now()
    if not is_working_day(moment.date()) or moment.time() < DIGEST_FROM:
        return 0

    def leader_ids(db: Session) -> list[int]:
        return [u.id for u in events.leaders(db)]

    sent = 0
    with acting(SYSTEM, action="warning.digest"):
        ids = in_transaction(leader_ids)
        for leader_id in ids:

            def one(db: Session, leader_id: int = leader_id) -> bool:
                return _digest_for(db, leader_id, moment)

            try:
                sent += in_transaction(one)
            except Exception:
                log.exception("领导 %s 的预警晨报发送失败", leader_id)
    return sent
