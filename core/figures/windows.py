"""The hall's figures by window: each day's registrations, acceptances and conclusions per department and window.

A case's window is where it was registered at the window, or, applied for online, where it was accepted
(``Case.window``, set once by core/cases). Its counts follow core/figures/compute.py's definitions, by the same
indexed time columns (received on the day of submission, accepted on the day of acceptance, concluded when
status 已办结 on the day of conclusion), and are kept the same way: a day is recounted whole by the refresh when one
of its cases changed, and everything by the rebuild (core/figures/scheduled.py). A case accepted online gets its
window at acceptance, which changes the case, so its day of submission is recounted then and its registration
counts at that window from then on.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.figures.compute import as_date
from core.figures.models import FigureWindow
from core.figures.schemas import WindowToday
from core.org.models import Department

FIELDS = ("registered", "accepted", "concluded")

Key = tuple[date, int, str]


def _on_days(column: Any, first: date, last: date) -> list[ColumnElement[bool]]:
    """The days' range by time (rows whose date() falls outside are dropped after, as compute.py explains)."""
    return [column >= datetime.combine(first, time()), column < datetime.combine(last + timedelta(days=1), time())]


def _grouped(
    db: Session, column: InstrumentedAttribute[Any], first: date, last: date, *extra: ColumnElement[bool]
) -> Iterable[tuple[Key, int]]:
    """(day, department, window) → the cases with a window whose ``column`` falls on that day."""
    day = func.date(column)
    query = (
        select(day, Case.department_id, Case.window, func.count())
        .where(*_on_days(column, first, last), Case.window.is_not(None), *extra)
        .group_by(day, Case.department_id, Case.window)
    )
    for d, department, window, n in db.execute(query):
        if first <= as_date(d) <= last:
            yield (as_date(d), department, window), int(n)


def count_days(db: Session, first: date, last: date) -> dict[Key, dict[str, int]]:
    """The window counts of the days from ``first`` to ``last`` (both included)."""
    rows: dict[Key, dict[str, int]] = {}
    columns = (
        ("registered", Case.submitted_at, ()),
        ("accepted", Case.accepted_at, ()),
        ("concluded", Case.concluded_at, (Case.status == CaseStatus.CONCLUDED,)),
    )
    for field, column, extra in columns:
        for key, n in _grouped(db, column, first, last, *extra):
            rows.setdefault(key, dict.fromkeys(FIELDS, 0))[field] = n
    return rows


def write_days(db: Session, first: date, last: date) -> int:
    """Recounts the days from ``first`` to ``last`` by window; the number of rows written."""
    rows = count_days(db, first, last)
    db.execute(delete(FigureWindow).where(FigureWindow.day >= first, FigureWindow.day <= last))
    values = [
        {"day": d, "department_id": department, "window": window, **counts}
        for (d, department, window), counts in rows.items()
    ]
    for start in range(0, len(values), 2000):
        db.execute(insert(FigureWindow), values[start : start + 2000])
    return len(values)


def clear(db: Session) -> None:
    """Throws every window count away (the rebuild counts them all again)."""
    db.execute(delete(FigureWindow))


def today(db: Session, *, day: date, department_id: int | None) -> list[WindowToday]:
    """The windows that registered, accepted or concluded a case on ``day``, busiest first (of one department for
    a department-scoped reader: ``department_id`` is the reader's scope, never the request's)."""
    busy = FigureWindow.registered + FigureWindow.accepted + FigureWindow.concluded
    query = (
        select(FigureWindow, func.coalesce(func.nullif(Department.short_name, ""), Department.name))
        .join(Department, Department.id == FigureWindow.department_id)
        .where(FigureWindow.day == day)
        .order_by(busy.desc(), Department.sort_order, FigureWindow.window)
    )
    if department_id is not None:
        query = query.where(FigureWindow.department_id == department_id)
    return [
        WindowToday(
            department_id=row.department_id,
            department_name=name,
            window=row.window,
            registered=row.registered,
            accepted=row.accepted,
            concluded=row.concluded,
        )
        for row, name in db.execute(query)
    ]
