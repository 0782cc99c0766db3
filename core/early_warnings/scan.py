"""The warning scan (预警扫描): set-based, one subject kind per transaction, safe to run on two processes at once.

For each kind: read the open subjects due within the widest yellow threshold (a few columns each), compute each
one's level with the department's thresholds and a working-day index (no calendar look-up per row), and compare
with the kind's active warnings (``active_key`` set). Then, in set-based statements:

1. **end** the active warnings whose subject left their state — completed, given a later date, turned from yellow
   to red — clearing ``active_key`` (state ``ended``; a warning staff already closed stays ``closed``);
2. **raise** one warning per new state: INSERT … SELECT from the subjects' own tables (titles and departments
   read by the database), leaving alone a key another scan inserted first (INSERT IGNORE / ON CONFLICT DO
   NOTHING), so the unique ``active_key`` decides;
3. **escalate** red warnings red for M whole working days: ``escalated_at`` set once (UPDATE … WHERE it is still
   NULL);
4. **announce** what this scan raised or escalated, in the same transaction: the rows it wrote carry its token
   (``scan_token``), so of two scans each announces only what it wrote itself.

A department that gets more than :data:`CARDS_PER_DEPARTMENT` warnings in one round gets one list instead of a
card each (core/early_warnings/events.py).
"""

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Insert, Table, case, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.calendar.service import LimitUnit, TimeState, WorkingDayIndex, add_working_days, state_at
from core.early_warnings import events, subjects
from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import CLOSED, ENDED, LIVE, RED, YELLOW, active_key
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
    escalated: bool


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


def _active(db: Session, kind: SubjectKind, at: datetime, thresholds: KindThresholds) -> dict[str, Active]:
    """The kind's active warnings the scan may have to end or escalate: the yellow ones, the red ones not yet
    escalated and not closed, the red ones whose subject is no longer open and overdue, and those of departments
    that switched this kind off. A red one escalated or closed, its subject still red, needs nothing and is not
    read."""
    wanted = [
        EarlyWarning.level == YELLOW,
        EarlyWarning.escalated_at.is_(None) & EarlyWarning.state.in_(LIVE),
        ~subjects.still_red(kind, at),
    ]
    own_on = [d for d, t in thresholds.departments.items() if t.enabled]
    own_off = [d for d, t in thresholds.departments.items() if not t.enabled]
    if own_off:  # their red warnings end, escalated or not
        wanted.append((EarlyWarning.level == RED) & EarlyWarning.department_id.in_(own_off))
    if not thresholds.default.enabled:
        wanted.append((EarlyWarning.level == RED) & EarlyWarning.department_id.not_in(own_on))
    query = select(
        EarlyWarning.id,
        EarlyWarning.active_key,
        EarlyWarning.subject_id,
        EarlyWarning.level,
        EarlyWarning.state,
        EarlyWarning.department_id,
        EarlyWarning.escalated_at,
    ).where(EarlyWarning.active_key.like(f"{kind.value}:%"), or_(*wanted))
    return {
        row.active_key: Active(
            row.id,
            row.active_key,
            row.subject_id,
            row.level,
            row.state,
            row.department_id,
            row.escalated_at is not None,
        )
        for row in db.execute(query)
        if row.active_key is not None
    }


def _plan(db: Session, kind: SubjectKind, at: datetime) -> Plan:
    thresholds = for_kind(db, kind)
    widest = thresholds.widest_yellow
    until = max(
        datetime.combine(add_working_days(at.date(), widest) + timedelta(days=1), time()),
        at + timedelta(days=widest + 1),
    )
    found = subjects.due_soon(db, kind, at, until) + subjects.overdue_to_act_on(db, kind, at)
    days = [s.due_on for s in found]
    first = min([*days, at.date()]) - timedelta(days=7)
    plan = Plan(kind, at, thresholds, WorkingDayIndex(first, until.date() + timedelta(days=7)))
    plan.active, plan.window = _active(db, kind, at, thresholds), {s.id: s for s in found}
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
    """An INSERT of warnings that leaves alone a key another scan inserted first (the unique ``active_key``)."""
    dialect = db.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        return insert(TABLE).prefix_with("IGNORE")
    if dialect == "postgresql":
        return postgresql.insert(TABLE).on_conflict_do_nothing(index_elements=["active_key"])
    return sqlite.insert(TABLE).on_conflict_do_nothing(index_elements=["active_key"])


def _raise(db: Session, plan: Plan, token: str) -> dict[int, str]:
    """Inserts the new states' warnings, set-based: one INSERT … SELECT per level and situation (a due date, in
    effect), keys in order so that two scans lock them alike. Returns the warnings this scan inserted (a key
    another scan had inserted is left alone and not returned): id → key."""
    new = [key for key in plan.wanted if key not in plan.active]
    if not new:
        return {}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for key in new:
        subject, level = plan.wanted[key]
        groups[(level, situation(subject, level, plan))].append(subject.id)
    statement = insert_new(db)
    for (level, words), ids in sorted(groups.items()):
        for chunk in chunks(sorted(ids)):
            rows = subjects.new_warnings(
                plan.kind, chunk, level=level, words=words, at=plan.at, token=token, title_chars=TITLE_CHARS
            )
            db.execute(statement.from_select(subjects.INSERTED, rows))
    return _written(db, token)


def _written(db: Session, token: str, *conditions: Any) -> dict[int, str]:
    """The warnings this scan wrote (its token), meeting the conditions: id → key."""
    query = select(EarlyWarning.id, EarlyWarning.active_key).where(EarlyWarning.scan_token == token, *conditions)
    return {warning_id: key for warning_id, key in db.execute(query) if key is not None}


# ---------------------------------------------------------------- 3. escalating


def _escalate(db: Session, plan: Plan, token: str) -> dict[int, str]:
    """Sets ``escalated_at`` once on the red warnings red for M whole working days (a warning another scan
    escalated first is left alone); returns those this scan escalated: id → key."""

    def waiting(key: str) -> bool:  # not escalated and not closed, as read (the UPDATE checks again)
        row = plan.active.get(key)
        return row is None or (not row.escalated and row.state in LIVE)

    due = sorted(
        key
        for key, (subject, level) in plan.wanted.items()
        if level == RED
        and waiting(key)
        and overdue_days(subject, plan.today, plan.index) >= plan.thresholds.of(subject.department_id).escalate_days
    )
    if not due:
        return {}
    for chunk in chunks(due):
        db.execute(
            update(TABLE)
            .where(
                EarlyWarning.active_key.in_(chunk),
                EarlyWarning.escalated_at.is_(None),
                EarlyWarning.state.in_(LIVE),
            )
            .values(escalated_at=plan.at, scan_token=token, updated_at=plan.at)
        )
    return _written(db, token, EarlyWarning.escalated_at == plan.at)


# ---------------------------------------------------------------- the round


def scan_kind(db: Session, kind: SubjectKind, at: datetime) -> Round:
    """One kind's scan, in the caller's transaction (commit it)."""
    plan = _plan(db, kind, at)
    token = uuid.uuid4().hex
    result = Round(ended=_end(db, plan))
    raised = _raise(db, plan, token)
    escalated = _escalate(db, plan, token)
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
        briefs={
            i: events.Brief(
                plan.wanted[k][0].department_id, plan.wanted[k][1], plan.wanted[k][0].due_on, i in escalated
            )
            for i, k in (raised | escalated).items()
        },
        at=at,
        per_department=CARDS_PER_DEPARTMENT,
    )
    return result
