"""The managers' slot calendar (working days and 调休 as the State Council arranges them, the roster's places) and
the statistics of services and satisfaction."""

from collections import Counter
from datetime import date, timedelta

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.calendar.service import is_working_day
from core.guidance import places
from core.guidance.enums import MODE_LABELS, PERIOD_HOURS, PERIOD_LABELS, Mode, Period, Status
from core.guidance.models import GuidanceBooking
from core.guidance.schemas import CalendarDay, CalendarHalfDay, CountLine, StatsOut
from core.guidance.staffing import require_manager
from core.org.models import User

WEEKDAYS = "一二三四五六日"
MAX_DAYS = 62


def _note(day: date, working: bool) -> str:
    """调休上班 on a working weekend, the holiday's name on a holiday, 休息日 on an ordinary weekend."""
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        holiday, name = day.weekday() >= 5, None
    if working and day.weekday() >= 5:
        return "调休上班"
    if not working and ((holiday and name) or day.weekday() < 5):
        return "法定节假日"  # (a weekday off is one too, in a year the table does not cover yet)
    return "" if working else "休息日"


def calendar(db: Session, user: User | None, *, first: date, last: date) -> list[CalendarDay]:
    """Each day from ``first`` to ``last`` (at most two months) with its places per half-day."""
    require_manager(user)
    last = min(last, first + timedelta(days=MAX_DAYS - 1))
    out: list[CalendarDay] = []
    day = first
    while day <= last:
        working = is_working_day(day)
        halves = []
        for period in Period:
            found = places.half_day(db, day, period, None, every=True)
            halves.append(
                CalendarHalfDay(
                    period=period.value,
                    label=f"{PERIOD_LABELS[period]} {PERIOD_HOURS[period]}",
                    capacity=found.capacity,
                    taken=found.taken,
                    free=found.free,
                )
            )
        out.append(
            CalendarDay(
                day=day,
                weekday=f"周{WEEKDAYS[day.weekday()]}",
                working=working,
                note=_note(day, working),
                staff_on_duty=len(places.on_duty(db, day)),
                half_days=halves,
            )
        )
        day += timedelta(days=1)
    return out


def _lines(counts: Counter[str]) -> list[CountLine]:
    return [CountLine(label=label, count=n) for label, n in counts.most_common()]


def statistics(db: Session, user: User | None, *, first: date, last: date) -> StatsOut:
    """Bookings in the range by mode, department and month; ratings and the satisfied share (4 or 5)."""
    require_manager(user)
    rows = list(db.scalars(select(GuidanceBooking).where(GuidanceBooking.day >= first, GuidanceBooking.day <= last)))
    served = [b for b in rows if b.status != Status.CANCELLED]
    rated = [b.rating for b in rows if b.rating is not None]
    months = Counter(f"{b.day:%Y年%m月}" for b in served)
    return StatsOut(
        total=len(rows),
        done=sum(b.status == Status.DONE for b in rows),
        cancelled=sum(b.status == Status.CANCELLED for b in rows),
        by_mode=_lines(Counter(MODE_LABELS[Mode(b.mode)] for b in served)),
        by_department=_lines(Counter(b.department.name if b.department else "建设项目" for b in served)),
        by_month=[CountLine(label=m, count=months[m]) for m in sorted(months)],
        rated=len(rated),
        average_rating=round(sum(rated) / len(rated), 2) if rated else None,
        satisfied_rate=round(sum(r >= 4 for r in rated) / len(rated), 4) if rated else None,
        ratings=[CountLine(label=f"{n} 分", count=sum(r == n for r in rated)) for n in range(5, 0, -1)],
    )
