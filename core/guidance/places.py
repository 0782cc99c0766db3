"""Places: which 帮办员 are on duty on a day, how many places a half-day has for a department, and taking or
giving back one place.

A 帮办员 is on duty on every working day (调休 working weekends included, holidays excluded) except their days
off; their places per half-day are their ``capacity``. A department's places are those of the 帮办员 who cover
it (a 帮办员 covering no department in particular covers all, and the projects).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.calendar.service import is_working_day
from core.guidance.enums import Period
from core.guidance.models import GuidanceDayOff, GuidancePlace, GuidanceStaff


def covers(staff: GuidanceStaff, department_id: int | None) -> bool:
    """Whether the 帮办员 guides this department's items (``None``: a project)."""
    if not staff.departments:
        return True
    return department_id is not None and any(d.id == department_id for d in staff.departments)


def on_duty(db: Session, day: date) -> list[GuidanceStaff]:
    """The active 帮办员 working that day (none on a holiday or an ordinary weekend)."""
    if not is_working_day(day):
        return []
    away = set(db.scalars(select(GuidanceDayOff.staff_id).where(GuidanceDayOff.day == day)))
    staff = db.scalars(select(GuidanceStaff).where(GuidanceStaff.is_active.is_(True)).order_by(GuidanceStaff.id))
    return [s for s in staff if s.id not in away and s.capacity > 0]


def taken(db: Session, day: date, period: Period) -> dict[int, int]:
    """Places taken that half-day, by 帮办员."""
    rows = db.execute(
        select(GuidancePlace.staff_id, GuidancePlace.taken).where(
            GuidancePlace.day == day, GuidancePlace.period == period.value
        )
    )
    return {staff_id: count for staff_id, count in rows}


@dataclass(frozen=True)
class HalfDay:
    """The places of one half-day for one department (or all of them)."""

    day: date
    period: Period
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


def half_day(db: Session, day: date, period: Period, department_id: int | None, *, every: bool = False) -> HalfDay:
    """Places of the 帮办员 on duty covering the department (``every``: all 帮办员, for the managers' calendar)."""
    staff = [s for s in on_duty(db, day) if every or covers(s, department_id)]
    used = taken(db, day, period)
    capacity = sum(s.capacity for s in staff)
    return HalfDay(day, period, capacity, sum(min(used.get(s.id, 0), s.capacity) for s in staff))


def _place(db: Session, staff_id: int, day: date, period: Period) -> int:
    """The id of the place counter, made when missing (two bookings making it at once: one wins, both use it)."""
    query = select(GuidancePlace.id).where(
        GuidancePlace.staff_id == staff_id, GuidancePlace.day == day, GuidancePlace.period == period.value
    )
    found = db.scalar(query)
    if found is not None:
        return found
    try:
        with db.begin_nested():
            db.add(GuidancePlace(staff_id=staff_id, day=day, period=period.value, taken=0))
    except IntegrityError:
        pass
    # A locking read sees the row another transaction committed meanwhile (MariaDB's REPEATABLE READ snapshot
    # would not); SQLite has one writer at a time and ignores the lock.
    found = db.scalar(query.with_for_update())
    assert found is not None
    return found


def take(db: Session, staff: GuidanceStaff, day: date, period: Period) -> bool:
    """Takes one of the 帮办员's places that half-day if one is free: a single conditional UPDATE, so of two
    bookings racing for the last place exactly one gets it (the other's UPDATE matches no row)."""
    place_id = _place(db, staff.id, day, period)
    done = db.execute(
        update(GuidancePlace)
        .where(GuidancePlace.id == place_id, GuidancePlace.taken < staff.capacity)
        .values(taken=GuidancePlace.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(done, "rowcount", 0) == 1)


def give_back(db: Session, staff_id: int, day: date, period: Period) -> None:
    """Frees the place a cancelled or moved booking held."""
    db.execute(
        update(GuidancePlace)
        .where(
            GuidancePlace.staff_id == staff_id,
            GuidancePlace.day == day,
            GuidancePlace.period == period.value,
            GuidancePlace.taken > 0,
        )
        .values(taken=GuidancePlace.taken - 1)
        .execution_options(synchronize_session=False)
    )
