"""Computing the figures from the cases and ratings: any run of days, the months they fall in, and the open snapshot.

A day is always recomputed whole (its rows deleted, then counted again with one grouped query per event over an
indexed time column), so running it twice, or late, gives the same rows. The definitions are those of the portal's
办件统计 (core/cases/queries.py ``statistics``): received on the day of submission, concluded (status 已办结) on the
day of conclusion and on time when it never passed its limit, overdue on the day the limit was first passed;
ratings on the day they were given, good at 满意 and above, bad at 不满意 and below.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.calendar.service import TimeState
from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.clock import now
from core.evaluation.enums import ANSWERED, BAD_LEVELS, PENDING
from core.evaluation.models import Evaluation
from core.figures.models import FigureDay, FigureFollowUp, FigureMonth, FigureOpen, FigurePush, FigureWindow
from core.supervision.models import SupervisionEscalation, SupervisionPush

COUNTS = ("registered", "accepted", "concluded", "on_time", "overdue", "rating_good", "rating_bad")
WINDOW_COUNTS = ("registered", "accepted", "concluded")
OPEN = (CaseStatus.PROCESSING, CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED)
GOOD_LEVELS = frozenset({4, 5})

Key = tuple[date, int, int]
WindowKey = tuple[date, int, str]


def as_date(value: Any) -> date:
    """SQLite's date() answers a text, MariaDB's a date."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def runs(days: Iterable[date], gap: int = 7) -> Iterator[tuple[date, date]]:
    """The days grouped into (first, last) runs, so that each run is counted with one query per event; days at most
    ``gap`` days apart share a run (counting the few days between again costs less than more queries)."""
    ordered = sorted(set(days))
    start = end = None
    for day in ordered:
        if end is not None and day <= end + timedelta(days=gap):
            end = day
            continue
        if start is not None and end is not None:
            yield start, end
        start = end = day
    if start is not None and end is not None:
        yield start, end


def _between(column: Any, first: date, last: date) -> list[ColumnElement[bool]]:
    """The range of the days by time; the counts keep only rows whose date() falls in it, as a time stored without
    its fraction ('… 00:00:00' sorts before the bound '… 00:00:00.000000') would otherwise count on two runs."""
    return [column >= datetime.combine(first, time()), column < datetime.combine(last + timedelta(days=1), time())]


def _grouped(
    db: Session, column: InstrumentedAttribute[Any], first: date, last: date, *extra: ColumnElement[bool]
) -> list[tuple[Key, str | None, int, int]]:
    """(day, department, item) and window → count of cases whose ``column`` falls on that day, and how many of them
    were late. One query gives both the item counts and the hall's window counts (summed over the other)."""
    day = func.date(column)
    late = func.sum(sql_case((Case.first_overdue_at.is_not(None), 1), else_=0))
    grouping = (day, Case.department_id, Case.service_item_id, Case.window)
    query = select(*grouping, func.count(), late).where(*_between(column, first, last), *extra).group_by(*grouping)
    found = [
        ((as_date(d), dept, item), window, int(n), int(x or 0)) for d, dept, item, window, n, x in db.execute(query)
    ]
    return [row for row in found if first <= row[0][0] <= last]


@dataclass
class DayCounts:
    """The counts of a run of days: by day, department and item (FigureDay), and the hall's by day, department and
    window (FigureWindow; cases without a window, online applications not yet accepted, have none)."""

    by_item: dict[Key, dict[str, int]] = field(default_factory=dict)
    by_window: dict[WindowKey, dict[str, int]] = field(default_factory=dict)

    def add(self, key: Key, window: str | None, name: str, n: int) -> None:
        counts = self.by_item.setdefault(key, dict.fromkeys(COUNTS, 0))
        counts[name] += n
        if window is not None and name in WINDOW_COUNTS:
            day, department, _ = key
            self.by_window.setdefault((day, department, window), dict.fromkeys(WINDOW_COUNTS, 0))[name] += n


def count_days(db: Session, first: date, last: date) -> DayCounts:
    """Every count of the days from ``first`` to ``last`` (both included)."""
    counts = DayCounts()
    for key, window, n, _ in _grouped(db, Case.submitted_at, first, last):
        counts.add(key, window, "registered", n)
    for key, window, n, _ in _grouped(db, Case.accepted_at, first, last):
        counts.add(key, window, "accepted", n)
    for key, window, n, late in _grouped(db, Case.concluded_at, first, last, Case.status == CaseStatus.CONCLUDED):
        counts.add(key, window, "concluded", n)
        counts.add(key, None, "on_time", n - late)
    for key, _window, n, _ in _grouped(db, Case.first_overdue_at, first, last):
        counts.add(key, None, "overdue", n)
    day = func.date(Evaluation.created_at)
    good = func.sum(sql_case((Evaluation.level.in_(GOOD_LEVELS), 1), else_=0))
    bad = func.sum(sql_case((Evaluation.level.in_(BAD_LEVELS), 1), else_=0))
    ratings = (
        select(day, Evaluation.department_id, Case.service_item_id, good, bad)
        .join(Case, Case.id == Evaluation.case_id)
        .where(*_between(Evaluation.created_at, first, last))
        .group_by(day, Evaluation.department_id, Case.service_item_id)
    )
    for d, dept, item, g, b in db.execute(ratings):
        if first <= as_date(d) <= last:
            counts.add((as_date(d), dept, item), None, "rating_good", int(g or 0))
            counts.add((as_date(d), dept, item), None, "rating_bad", int(b or 0))
    return counts


def month_of(day: date) -> date:
    return day.replace(day=1)


def write_days(db: Session, first: date, last: date) -> int:
    """Recomputes the days from ``first`` to ``last``, by item and by window; the number of item rows written."""
    counts = count_days(db, first, last)
    db.execute(delete(FigureDay).where(FigureDay.day >= first, FigureDay.day <= last))
    db.execute(delete(FigureWindow).where(FigureWindow.day >= first, FigureWindow.day <= last))
    days = [
        {"day": d, "department_id": dept, "service_item_id": item, **row}
        for (d, dept, item), row in counts.by_item.items()
        if any(row.values())
    ]
    windows = [
        {"day": d, "department_id": dept, "window": window, **row}
        for (d, dept, window), row in counts.by_window.items()
    ]
    for model, values in ((FigureDay, days), (FigureWindow, windows)):
        for start in range(0, len(values), 2000):
            db.execute(insert(model), values[start : start + 2000])
    return len(days)


def write_months(db: Session, months: Iterable[date]) -> None:
    """Sums the days of each month into its month rows."""
    for month in sorted(set(months)):
        following = (month + timedelta(days=32)).replace(day=1)
        db.execute(delete(FigureMonth).where(FigureMonth.month == month))
        sums = [func.sum(getattr(FigureDay, name)) for name in COUNTS]
        query = (
            select(FigureDay.department_id, FigureDay.service_item_id, *sums)
            .where(FigureDay.day >= month, FigureDay.day < following)
            .group_by(FigureDay.department_id, FigureDay.service_item_id)
        )
        values = [
            {
                "month": month,
                "department_id": dept,
                "service_item_id": item,
                **dict(zip(COUNTS, map(int, n), strict=True)),
            }
            for dept, item, *n in db.execute(query)
        ]
        if values:
            db.execute(insert(FigureMonth), values)


def write_open(db: Session) -> int:
    """Replaces the snapshot of open cases (an indexed look at the cases not yet concluded)."""

    def count(condition: ColumnElement[bool]) -> Any:
        return func.sum(sql_case((condition, 1), else_=0))

    in_hand = Case.status.in_(OPEN)
    query = (
        select(
            Case.department_id,
            Case.service_item_id,
            count(Case.status == CaseStatus.SUBMITTED),
            count(in_hand),
            count(in_hand & (Case.time_state == TimeState.WARNING)),
            count(in_hand & (Case.time_state == TimeState.OVERDUE)),
        )
        .where(Case.status.in_((CaseStatus.SUBMITTED, *OPEN)))
        .group_by(Case.department_id, Case.service_item_id)
    )
    fields = ("waiting", "in_hand", "warning", "overdue")
    values = [
        {"department_id": dept, "service_item_id": item, **dict(zip(fields, map(int, n), strict=True))}
        for dept, item, *n in db.execute(query)
    ]
    db.execute(delete(FigureOpen))
    if values:
        db.execute(insert(FigureOpen), values)
    return len(values)


def write_pushes(db: Session) -> None:
    """Replaces the 审管衔接 counts: pushes by supervising and approving department, claimed, fed back, escalated."""

    def flag(condition: ColumnElement[bool]) -> Any:
        return func.sum(sql_case((condition, 1), else_=0))

    pair = (SupervisionPush.department_id, SupervisionPush.approving_department_id)
    counts = select(
        *pair,
        func.count(),
        flag(SupervisionPush.claimed_at.is_not(None)),
        flag(SupervisionPush.fed_back_at.is_not(None)),
    ).group_by(*pair)
    chased = (
        select(*pair, func.count(func.distinct(SupervisionEscalation.push_id)))
        .join(SupervisionPush, SupervisionPush.id == SupervisionEscalation.push_id)
        .group_by(*pair)
    )
    escalated = {(d, a): int(n) for d, a, n in db.execute(chased)}
    values = [
        {
            "department_id": d,
            "approving_department_id": a,
            "pushed": int(n),
            "claimed": int(c or 0),
            "fed_back": int(f or 0),
            "escalated": escalated.get((d, a), 0),
        }
        for d, a, n, c, f in db.execute(counts)
    ]
    db.execute(delete(FigurePush))
    if values:
        db.execute(insert(FigurePush), values)


def write_follow_ups(db: Session) -> None:
    """Replaces the bad ratings' follow-up counts per department (only bad ratings have a follow-up status)."""
    pending = Evaluation.follow_up_status == PENDING
    query = (
        select(
            Evaluation.department_id,
            func.sum(sql_case((pending, 1), else_=0)),
            func.sum(sql_case((pending & (Evaluation.follow_up_due_at < now()), 1), else_=0)),
            func.sum(sql_case((Evaluation.follow_up_status == ANSWERED, 1), else_=0)),
        )
        .where(Evaluation.follow_up_status.in_((PENDING, ANSWERED)))
        .group_by(Evaluation.department_id)
    )
    values = [
        {"department_id": d, "pending": int(p or 0), "overdue": int(o or 0), "answered": int(a or 0)}
        for d, p, o, a in db.execute(query)
    ]
    db.execute(delete(FigureFollowUp))
    if values:
        db.execute(insert(FigureFollowUp), values)
