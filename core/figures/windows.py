"""The hall's figures by window: each day's registrations, acceptances and conclusions per department and window.

A case's window is where it was registered at the window, or, applied for online, where it was accepted
(``Case.window``, set once by core/cases). The counts are made by core/figures/compute.py, in the same grouped
queries as the item counts and by the same definitions (received on the day of submission, accepted on the day of
acceptance, concluded when status 已办结 on the day of conclusion), and are kept the same way: a day is recounted
whole by the refresh when one of its cases changed, and everything by the rebuild (core/figures/scheduled.py).
A case accepted online gets its window at acceptance, which changes the case, so its day of submission is
recounted then and its registration counts at that window from then on.
"""

from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.figures.models import FigureWindow
from core.figures.schemas import WindowToday
from core.org.models import Department


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
