"""Keeping the figures current: a periodic refresh of the days that changed, and the full rebuild.

The refresh (core/jobs.py, every few minutes) recomputes today and every day a case or rating changed since the last
run touched: a case changed after it (``updated_at``, set on every write of a case, including the deadline scan's)
counts on the days it was submitted, accepted, concluded and first overdue, a rating on the day it was given. Those
days are counted again whole, then their months are summed again, and the snapshot of open cases is replaced. The
look-back starts a few minutes before the last run began, so that a transaction that stamped its cases before then
but committed after is still seen. Safe to run again; the first run (no figures yet) is a rebuild.

What it cannot see is a count moving away from a day without the case changing that day's column (a conclusion taken
back clears ``concluded_at``: the old day keeps its count until the rebuild). ``tongban figures rebuild`` recomputes
everything from the first case, month by month, in one transaction, so the boards never show half a rebuild.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from core import cache
from core.audit.hooks import record_event
from core.cases.models import Case
from core.clock import now, today
from core.evaluation.models import Evaluation
from core.figures import windows as by_window
from core.figures.compute import (
    as_date,
    month_of,
    runs,
    write_days,
    write_follow_ups,
    write_months,
    write_open,
    write_pushes,
)
from core.figures.models import BOARDS, FigureDay, FigureMonth, FigureRun

LOOK_BACK = timedelta(minutes=5)
"""How far before the last run's start the next one looks: longer than any transaction that writes cases."""

Progress = Callable[[str, int, int], None]


def last_run(db: Session) -> FigureRun | None:
    """The record of the last refresh or rebuild, if there was one."""
    return db.scalar(select(FigureRun).order_by(FigureRun.id.desc()).limit(1))


def _record(db: Session, kind: str, started: datetime, days: int) -> None:
    values = {"kind": kind, "changed_after": started - LOOK_BACK, "finished_at": now(), "days": days}
    cache.invalidate_after_commit(db, BOARDS)  # the hall's answers (core/figures/service.py) show the new figures
    if last_run(db) is None:
        db.execute(insert(FigureRun), [{"id": 1, **values}])
    else:
        db.execute(update(FigureRun).where(FigureRun.id == 1).values(**values))


def touched_days(db: Session, since: datetime) -> set[date]:
    """The days whose counts a case or rating changed after ``since`` may have changed."""
    days: set[date] = set()
    for column in (Case.submitted_at, Case.accepted_at, Case.concluded_at, Case.first_overdue_at):
        query = select(func.date(column)).where(Case.updated_at > since, column.is_not(None)).distinct()
        days |= {as_date(d) for d in db.scalars(query)}
    rated = select(func.date(Evaluation.created_at)).where(Evaluation.created_at > since).distinct()
    days |= {as_date(d) for d in db.scalars(rated)}
    return days


def refresh(db: Session) -> int:
    """Recomputes today and the days changed since the last run; the number of days recomputed."""
    started = now()
    previous = last_run(db)
    if previous is None:
        return rebuild(db)
    days = touched_days(db, previous.changed_after) | {today()}
    for first, last in runs(days):
        write_days(db, first, last)
    write_months(db, {month_of(d) for d in days})
    write_snapshots(db)
    _record(db, "refresh", started, len(days))
    return len(days)


def write_snapshots(db: Session) -> None:
    """The counts of now rather than of a day: open cases, 审管衔接 pushes, bad ratings' follow-up."""
    write_open(db)
    write_pushes(db)
    write_follow_ups(db)


def months_from(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s to ``last``'s."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def rebuild(db: Session, progress: Progress | None = None) -> int:
    """Recomputes every figure from the first case to today in the caller's transaction; the number of days."""
    started = now()
    first_case = db.scalar(select(func.min(Case.submitted_at)))
    db.execute(delete(FigureDay))
    db.execute(delete(FigureMonth))
    by_window.clear(db)
    end = today()
    months = months_from(first_case.date(), end) if first_case else []
    for done, month in enumerate(months, start=1):
        last = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), end)
        write_days(db, month, last)
        write_months(db, [month])
        if progress:
            progress(f"{month:%Y年%m月}", done, len(months))
    write_snapshots(db)
    days = (end - first_case.date()).days + 1 if first_case else 0
    _record(db, "rebuild", started, days)
    record_event(db, action="figures.rebuild", entity="figure_day", details={"months": len(months), "days": days})
    return days
