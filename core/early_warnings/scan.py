"""The warning scan (预警扫描): set-based, one subject kind per transaction, safe to run on two processes at once.

For each kind: read the open subjects due within the widest yellow threshold (a few columns each), compute each
one's level with the department's thresholds and a working-day index (no calendar look-up per row), and compare
with the kind's active warnings (``active_key`` set). Then, in set-based statements:

1. **end** the active warnings whose subject left their state — completed, given a later date, turned from yellow
   to red — clearing ``active_key`` (state ``ended``; a warning staff already closed stays ``closed``);
2. **raise** one warning per new state: a multi-row INSERT that leaves alone a key another scan inserted first
   (ON CONFLICT DO NOTHING / ON DUPLICATE KEY UPDATE), so the unique ``active_key`` decides;
3. **escalate** red warnings red for M whole working days: ``escalated_at`` set once (locked rows where it is
   still NULL);
4. **announce** what this scan raised or escalated — the warnings still un-announced are read with a locking
   read and marked ``announced_at`` in the same transaction, so of two scans only one announces each.

A department that gets more than :data:`CARDS_PER_DEPARTMENT` warnings in one round gets one list instead of a
card each (core/early_warnings/events.py).
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Insert, Table, case, select, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session

from core.calendar.service import LimitUnit, TimeState, WorkingDayIndex, add_working_days, state_at
from core.early_warnings import events, subjects
from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import CLOSED, ENDED, LIVE, OPEN, RED, YELLOW, active_key
from core.early_warnings.subjects import Subject
from core.warning_settings.thresholds import KindThresholds, SubjectKind, Thresholds, for_kind

CHUNK = 1000
TITLE_CHARS = 200
CARDS_PER_DEPARTMENT = 10
"""Above this many new warnings for one department in one round, the department gets one list instead."""

T = TypeVar("T")
TABLE = cast(Table, EarlyWarning.__table__)


@dataclass
class Round:
    """What one scan did."""

    raised: int = 0
    ended: int = 0
    escalated: int = 0
    announced: int = 0

    def add(self, other: "Round") -> None:
        """Adds another kind's figures."""
        self.raised += other.raised
        self.ended += other.ended
        self.escalated += other.escalated
        self.announced += other.announced


class Active(NamedTuple):
    """An active warning as the scan reads it."""

    id: int
    key: str
    subject_id: int
    level: str
    state: str
    department_id: int


@dataclass
class Plan:
    """One kind's scan: the levels wanted now, what is active, and the working days of the dates involved."""

    kind: SubjectKind
    at: datetime
    thresholds: KindThresholds
    index: WorkingDayIndex
    wanted: dict[str, tuple[Subject, str]] = field(default_factory=dict)
    active: dict[str, Active] = field(default_factory=dict)
    window: dict[int, Subject] = field(default_factory=dict)

    @property
    def today(self) -> date:
        """The scan's day."""
        return self.at.date()


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """The items a chunk at a time (IN lists and multi-row statements stay a sensible size)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- levels


def level_of(subject: Subject, thresholds: Thresholds, at: datetime, index: WorkingDayIndex) -> str | None:
    """yellow, red, or None (normal), as the case time state would say (core/calendar ``state_at``)."""
    state, _ = state_at(subject.due_at, subject.unit, thresholds.yellow_days, at, index)
    if state is TimeState.OVERDUE:
        return RED
    return YELLOW if state is TimeState.WARNING else None


def overdue_days(subject: Subject, today: date, index: WorkingDayIndex) -> int:
    """Whole working days the subject has been red before today (its due day excluded, today excluded)."""
    return index.between(subject.due_on, today - timedelta(days=1))


def situation(subject: Subject, level: str, plan: Plan) -> str:
    """The state in words: 剩余 2 个工作日, 今日到期, 已逾期 3 个工作日 …"""
    if level == RED:
        days = overdue_days(subject, plan.today, plan.index) + 1
        return f"已逾期 {days} 个工作日" if days > 1 else "已逾期"
    if subject.unit == LimitUnit.HOUR:
        hours = int((subject.due_at - plan.at).total_seconds() // 3600)
        return f"剩余 {hours} 小时"
    if subject.unit == LimitUnit.NATURAL_DAY:
        days = (subject.due_on - plan.today).days
    else:
        days = plan.index.between(plan.today, subject.due_on)
    return f"剩余 {days} 个工作日" if days > 0 else "今日到期"


def _plan(db: Session, kind: SubjectKind, at: datetime) -> Plan:
    thresholds = for_kind(db, kind)
    widest = thresholds.widest_yellow
    until = max(
        datetime.combine(add_working_days(at.date(), widest) + timedelta(days=1), time()),
        at + timedelta(days=widest + 1),
    )
    found = subjects.due_by(db, kind, until)
    active = {
        row.active_key: Active(row.id, row.active_key, row.subject_id, row.level, row.state, row.department_id)
        for row in db.execute(
            select(
                EarlyWarning.id,
                EarlyWarning.active_key,
                EarlyWarning.subject_id,
                EarlyWarning.level,
                EarlyWarning.state,
                EarlyWarning.department_id,
            ).where(EarlyWarning.active_key.like(f"{kind.value}:%"))
        )
    }
    days = [s.due_on for s in found]
    first = min([*days, at.date()]) - timedelta(days=7)
    plan = Plan(kind, at, thresholds, WorkingDayIndex(first, until.date() + timedelta(days=7)))
    plan.active, plan.window = active, {s.id: s for s in found}
    for subject in found:
        own = thresholds.of(subject.department_id)
        level = level_of(subject, own, at, plan.index) if own.enabled else None
        if level is not None:
            plan.wanted[active_key(kind.value, subject.id, level)] = (subject, level)
    return plan


# ---------------------------------------------------------------- 1. ending


def _end_reason(plan: Plan, row: Active, open_now: dict[int, Subject]) -> str:
    subject = open_now.get(row.subject_id)
    if subject is None:
        return subjects.DONE_REASONS[plan.kind]
    if not plan.thresholds.of(subject.department_id).enabled:
        return "该部门已停用此类预警"
    if row.level == YELLOW and active_key(plan.kind.value, row.subject_id, RED) in plan.wanted:
        return "已转为红色预警"
    return "到期日或预警设置已调整，不再处于该预警状态"


def _end(db: Session, plan: Plan) -> int:
    leaving = [row for key, row in plan.active.items() if key not in plan.wanted]
    if not leaving:
        return 0
    outside = sorted({r.subject_id for r in leaving if r.subject_id not in plan.window})
    open_now = plan.window | subjects.still_open(db, plan.kind, outside)
    by_reason: dict[str, list[int]] = defaultdict(list)
    for row in leaving:
        by_reason[_end_reason(plan, row, open_now)].append(row.id)
    ended = 0
    for reason, ids in by_reason.items():
        for chunk in chunks(sorted(ids)):
            ended += db.execute(  # type: ignore[attr-defined]
                update(TABLE)
                .where(EarlyWarning.id.in_(chunk), EarlyWarning.active_key.is_not(None))
                .values(
                    active_key=None,
                    state=case((EarlyWarning.state == CLOSED, CLOSED), else_=ENDED),
                    ended_at=plan.at,
                    end_reason=reason,
                    updated_at=plan.at,
                )
            ).rowcount  # those another scan ended first are not counted again
    return ended


# ---------------------------------------------------------------- 2. raising


def insert_new(db: Session) -> Insert:
    """A multi-row INSERT of warnings that leaves a row alone whose ``active_key`` exists already."""
    dialect = db.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        statement = mysql.insert(TABLE)
        return statement.on_duplicate_key_update(active_key=statement.inserted.active_key)
    if dialect == "postgresql":
        return postgresql.insert(TABLE).on_conflict_do_nothing(index_elements=["active_key"])
    return sqlite.insert(TABLE).on_conflict_do_nothing(index_elements=["active_key"])


def _row(plan: Plan, key: str, name: str) -> dict[str, Any]:
    subject, level = plan.wanted[key]
    title = f"{name}：{situation(subject, level, plan)}"
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1] + "…"
    return {
        "active_key": key,
        "subject_kind": plan.kind.value,
        "subject_id": subject.id,
        "level": level,
        "state": OPEN,
        "major_project_id": subject.major_project_id,
        "department_id": subject.department_id,
        "title": title,
        "due_on": subject.due_on,
        "raised_at": plan.at,
        "signed_by_name": "",
        "handling_reason": "",
        "handling_plan": "",
        "closing_note": "",
        "end_reason": "",
        "created_at": plan.at,
        "updated_at": plan.at,
    }


def _raise(db: Session, plan: Plan) -> list[str]:
    """Inserts the new states' warnings; returns their keys (sorted: two scans lock them in the same order)."""
    new = sorted(key for key in plan.wanted if key not in plan.active)
    if not new:
        return []
    titles = subjects.names(db, plan.kind, sorted({plan.wanted[k][0].id for k in new}))
    statement = insert_new(db)
    for chunk in chunks(new):
        rows = [_row(plan, key, titles.get(plan.wanted[key][0].id, "")) for key in chunk]
        db.execute(statement, rows)
    return new


def _claim(db: Session, keys: Sequence[str], *conditions: Any) -> dict[int, str]:
    """The warnings of these keys meeting the conditions, locked until commit: id → key."""
    found: dict[int, str] = {}
    for chunk in chunks(keys):
        query = select(EarlyWarning.id, EarlyWarning.active_key).where(EarlyWarning.active_key.in_(chunk), *conditions)
        found |= {i: k for i, k in db.execute(query.order_by(EarlyWarning.id).with_for_update()) if k is not None}
    return found


# ---------------------------------------------------------------- 3. escalating


def _escalate(db: Session, plan: Plan) -> dict[int, str]:
    due = sorted(
        key
        for key, (subject, level) in plan.wanted.items()
        if level == RED
        and overdue_days(subject, plan.today, plan.index) >= plan.thresholds.of(subject.department_id).escalate_days
    )
    if not due:
        return {}
    mine = _claim(db, due, EarlyWarning.escalated_at.is_(None), EarlyWarning.state.in_(LIVE))
    for chunk in chunks(sorted(mine)):
        db.execute(
            update(TABLE)
            .where(EarlyWarning.id.in_(chunk), EarlyWarning.escalated_at.is_(None))
            .values(escalated_at=plan.at, updated_at=plan.at)
        )
    return mine


# ---------------------------------------------------------------- the round


def scan_kind(db: Session, kind: SubjectKind, at: datetime) -> Round:
    """One kind's scan, in the caller's transaction (commit it)."""
    plan = _plan(db, kind, at)
    result = Round(ended=_end(db, plan))
    new = _raise(db, plan)
    raised = _claim(db, new, EarlyWarning.announced_at.is_(None), EarlyWarning.state == OPEN) if new else {}
    escalated = _escalate(db, plan)
    result.raised, result.escalated = len(raised), len(escalated)
    result.announced = events.announce(
        db,
        new={
            i: situation(*plan.wanted[k], plan) + ("，已报告领导" if i in escalated else "") for i, k in raised.items()
        },
        escalations={
            i: overdue_days(plan.wanted[k][0], plan.today, plan.index) + 1
            for i, k in escalated.items()
            if i not in raised
        },
        departments={i: plan.wanted[k][0].department_id for i, k in (raised | escalated).items()},
        at=at,
        per_department=CARDS_PER_DEPARTMENT,
    )
    for chunk in chunks(sorted(raised)):
        db.execute(update(TABLE).where(EarlyWarning.id.in_(chunk)).values(announced_at=at))
    return result
