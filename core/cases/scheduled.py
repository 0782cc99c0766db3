"""Periodic work on cases: refresh due dates and 正常/预警/逾期 of open cases, with the department's threshold.

A running case (``processing``) keeps its due moment until an action changes it — each action stores it —
so its state follows from the stored ``due_at`` alone: those are refreshed set-based, a handful of statements
for any number of cases, with a working-day index instead of a calendar look-up per case. A paused case
(补正, 特别程序) has its due date moved day by day while the clock stands still: those few are recomputed one by
one with their pauses, in chunks. Only rows whose state changes are written, each statement audited.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, lazyload, selectinload

from core import cache
from core.audit.context import SYSTEM, acting
from core.calendar.service import TimeState, WorkingDayIndex, add_working_days, state_at
from core.cases import service
from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.clock import now, today
from core.db import mark_for_writing
from core.warning_settings.thresholds import KindThresholds, SubjectKind, for_kind

log = logging.getLogger(__name__)
OPEN = [CaseStatus.PROCESSING, CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED]
PAUSED = [CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED]
CHUNK = 1000


def refresh_open_cases(db: Session, at: datetime | None = None) -> int:
    """Refreshes the stored time state of every open case; returns how many changed."""
    moment = at or now()
    with acting(SYSTEM, action="case.scan_deadlines"):
        db.commit()  # a fresh transaction, declared as writing
        mark_for_writing(db)
        thresholds = for_kind(db, SubjectKind.CASE)
        changed = _refresh_running(db, thresholds, moment)
        db.commit()
        changed += _refresh_paused(db, thresholds, moment)
    return changed


# ---------------------------------------------------------------- running cases, set-based


def _candidates(db: Session, thresholds: KindThresholds, at: datetime) -> Sequence[tuple[int, int, datetime, str, str]]:
    """Running cases whose state may change: not overdue yet, and either in 预警 or due within the widest
    threshold (an overdue running case stays overdue; one due further ahead stays normal)."""
    widest = thresholds.widest_yellow
    horizon = max(
        datetime.combine(add_working_days(at.date(), widest) + timedelta(days=1), time()),
        at + timedelta(days=widest + 1),
    )
    query = select(Case.id, Case.department_id, Case.due_at, Case.limit_unit, Case.time_state).where(
        Case.status == CaseStatus.PROCESSING,
        Case.due_at.is_not(None),
        or_(
            Case.time_state.is_(None),
            Case.time_state == TimeState.WARNING.value,
            (Case.time_state == TimeState.NORMAL.value) & (Case.due_at < horizon),
        ),
    )
    return [(i, d, due, unit, state or "") for i, d, due, unit, state in db.execute(query) if due is not None]


def _refresh_running(db: Session, thresholds: KindThresholds, at: datetime) -> int:
    rows = _candidates(db, thresholds, at)
    if not rows:
        return 0
    first = min(min(due.date() for _, _, due, _, _ in rows), at.date()) - timedelta(days=7)
    last = max(max(due.date() for _, _, due, _, _ in rows), at.date()) + timedelta(days=7)
    index = WorkingDayIndex(first, last)
    moves: dict[tuple[str, datetime | None], list[int]] = defaultdict(list)
    for case_id, department_id, due_at, unit, stored in rows:
        state, since = state_at(due_at, unit, thresholds.of(department_id).yellow_days, at, index)
        if state.value != stored:
            moves[(state.value, since)].append(case_id)
    month = datetime.combine(today().replace(day=1), time())
    for (new_state, since), ids in moves.items():
        values: dict[str, object] = {"time_state": new_state}
        if since is not None:
            values["first_overdue_at"] = func.coalesce(Case.first_overdue_at, since)
            if since < month:  # overdue in an earlier month: the cached statistics of that month change
                cache.invalidate_after_commit(db, "statistics")  # (statements pass the row hooks by)
        for start in range(0, len(ids), CHUNK):
            # only cases still running: a case paused or concluded meanwhile was refreshed by its action
            db.execute(
                update(Case)
                .where(Case.id.in_(ids[start : start + CHUNK]), Case.status == CaseStatus.PROCESSING)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    return sum(len(ids) for ids in moves.values())


# ---------------------------------------------------------------- paused cases, one by one


def _refresh_paused(db: Session, thresholds: KindThresholds, at: datetime) -> int:
    case_ids = db.scalars(
        select(Case.id)
        .where(
            or_(
                Case.status.in_(PAUSED),
                (Case.status == CaseStatus.PROCESSING) & Case.due_at.is_(None) & Case.accepted_at.is_not(None),
            )
        )
        .order_by(Case.id)
    ).all()
    db.commit()
    changed = 0
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        try:
            changed += _refresh_chunk(db, chunk, thresholds, at)
            db.commit()
        except Exception:
            db.rollback()
            changed += sum(_refresh_one(db, case_id, thresholds, at) for case_id in chunk)
    return changed


def _loaded(db: Session, case_ids: Sequence[int]) -> list[Case]:
    """The cases with their pauses only (the rest of a case is not needed for its clock)."""
    query = (
        select(Case)
        .where(Case.id.in_(case_ids))
        .options(
            lazyload("*"),
            selectinload(Case.supplements),
            selectinload(Case.suspensions),
        )
    )
    return list(db.scalars(query))


def _refresh(case: Case, thresholds: KindThresholds, at: datetime) -> bool:
    before = (case.due_at, case.time_state, case.first_overdue_at)
    service.refresh_time_state(case, at, threshold=thresholds.of(case.department_id).yellow_days)
    return (case.due_at, case.time_state, case.first_overdue_at) != before


def _refresh_chunk(db: Session, case_ids: Sequence[int], thresholds: KindThresholds, at: datetime) -> int:
    mark_for_writing(db)
    return sum(_refresh(case, thresholds, at) for case in _loaded(db, case_ids))


def _refresh_one(db: Session, case_id: int, thresholds: KindThresholds, at: datetime) -> int:
    """One case on its own, after its chunk failed: a failing case is logged and skipped."""
    try:
        mark_for_writing(db)
        changed = sum(_refresh(case, thresholds, at) for case in _loaded(db, [case_id]))
        db.commit()
        return changed
    except Exception:
        db.rollback()
        log.exception("刷新办件 %s 的时限状态失败", case_id)
        return 0
