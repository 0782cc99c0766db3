"""Case numbers a person can read aloud: prefix, date and a daily sequence, e.g. KF202611260017.

Each day's counter row is made ahead of time (``prepare_counters``, a periodic job, for the coming
``DAYS_AHEAD`` days), so handing out a number is one single-row ``UPDATE``: concurrent windows queue on that
row's lock and each gets the next number, with no gap or insert-intention locks for InnoDB to deadlock on.
Only when the row is missing (the job did not run) does the upsert create it; if that first morning meets a
deadlock all the same, the request is tried again whole (core/retry.py).
"""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.orm import Session

from core.cases.models import CaseNumberCounter
from core.settings import get_settings

DAYS_AHEAD = 14
"""Counter rows kept ready: today and the next 13 days (through any holiday)."""


def _day_key(day: date) -> str:
    return day.strftime("%Y%m%d")


def prepare_counters(db: Session, today: date) -> int:
    """Makes the counter rows of ``today`` and the coming days that do not exist yet; returns how many."""
    days = [_day_key(today + timedelta(days=n)) for n in range(DAYS_AHEAD)]
    existing = set(db.scalars(select(CaseNumberCounter.day).where(CaseNumberCounter.day.in_(days))))
    missing = [{"day": day, "last": 0} for day in days if day not in existing]
    if not missing:
        return 0
    if db.get_bind().dialect.name == "mysql":
        db.execute(mysql.insert(CaseNumberCounter).prefix_with("IGNORE"), missing)
    else:
        db.execute(sqlite.insert(CaseNumberCounter).on_conflict_do_nothing(), missing)
    return len(missing)


def _bump(db: Session, day: str) -> int:
    counter = CaseNumberCounter
    if db.get_bind().dialect.name == "mysql":
        # LAST_INSERT_ID(expr) remembers the new value for this connection: no second read of the row.
        bumped = db.execute(
            update(counter).where(counter.day == day).values(last=func.last_insert_id(counter.last + 1))
        )
        if bumped.rowcount == 0:  # type: ignore[attr-defined]
            created = mysql.insert(counter).values(day=day, last=func.last_insert_id(1))
            db.execute(created.on_duplicate_key_update(last=func.last_insert_id(counter.last + 1)))
        return int(db.scalar(select(func.last_insert_id())) or 0)
    value = db.scalar(update(counter).where(counter.day == day).values(last=counter.last + 1).returning(counter.last))
    if value is None:
        upsert = sqlite.insert(counter).values(day=day, last=1)
        upsert = upsert.on_conflict_do_update(index_elements=[counter.day], set_={"last": counter.last + 1})
        value = db.scalar(upsert.returning(counter.last))
    return int(value or 0)


def next_case_no(db: Session, at: datetime) -> str:
    """Returns the next free case number for the day of ``at``."""
    day = _day_key(at.date())
    return f"{get_settings().case_no_prefix}{day}{_bump(db, day):04d}"
