"""Working-day arithmetic and the time state of anything with a limit.

Rules (DOMAIN.md, "Time limits"):
- working days follow the State Council's annual arrangement including 调休 working weekends
  (PyPI ``chinesecalendar``);
- the clock starts at acceptance and stops at conclusion; paused periods (补齐补正, 特别程序) are not
  counted — a pause from day P to day R removes the days after P up to and including R;
- 预警 when 2 working days or less remain (48 hours for hour limits), 逾期 after the limit.

For years the table does not cover yet, Monday–Friday are working days except the fixed-date statutory
holidays (元旦, 劳动节, 国庆节 1–3 October); lunar holidays are unknown until the State Council publishes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

import chinese_calendar

_FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


class LimitUnit(StrEnum):
    """Unit of a time limit."""

    WORKING_DAY = "工作日"
    NATURAL_DAY = "自然日"
    HOUR = "小时"


class TimeState(StrEnum):
    """Where something stands against its limit."""

    NORMAL = "正常"
    WARNING = "预警"
    OVERDUE = "逾期"


WARNING_WORKING_DAYS = 2
WARNING_HOURS = 48


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """True on a working day, including a 调休 weekend."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days d with start < d <= end (0 when end <= start)."""
    return sum(1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(offset)))


@dataclass(frozen=True)
class Pause:
    """A period when the clock stood still; ``ended_at`` None means it still stands."""

    started_at: datetime
    ended_at: datetime | None


def _paused_days(pauses: Iterable[Pause], until: date) -> set[date]:
    days: set[date] = set()
    for pause in pauses:
        end = pause.ended_at.date() if pause.ended_at else until
        day = pause.started_at.date() + timedelta(days=1)
        while day <= end:
            days.add(day)
            day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Deadline:
    """A limit's due moment and the state at a given instant."""

    due_at: datetime
    state: TimeState
    remaining: int
    """Working days, natural days or hours left (negative when overdue), in the limit's unit."""
    paused: bool
    overdue_since: datetime | None


def compute_deadline(
    started_at: datetime,
    limit: int,
    unit: LimitUnit,
    pauses: Sequence[Pause],
    at: datetime,
) -> Deadline:
    """Due moment and state of a limit that started at ``started_at``, seen at ``at``.

    An open pause extends the limit up to ``at``: while the clock stands still the due date moves.
    """
    paused_now = any(p.ended_at is None for p in pauses)
    if unit is LimitUnit.HOUR:
        paused = sum(((p.ended_at or at) - p.started_at for p in pauses), timedelta())
        due_at = started_at + timedelta(hours=limit) + paused
        hours_left = (due_at - at).total_seconds() / 3600
        remaining = int(hours_left) if hours_left >= 0 else -int(-hours_left) - 1
        state = _state(at > due_at, hours_left <= WARNING_HOURS)
        return Deadline(due_at, state, remaining, paused_now, due_at if at > due_at else None)

    skip = _paused_days(pauses, at.date())
    due = started_at.date()
    counted = 0
    while counted < limit:
        due += timedelta(days=1)
        if due in skip:
            continue
        if unit is LimitUnit.NATURAL_DAY or is_working_day(due):
            counted += 1
    due_at = datetime.combine(due, time(23, 59, 59))
    if unit is LimitUnit.NATURAL_DAY:
        left = (due - at.date()).days
    elif at.date() <= due:
        left = working_days_between(at.date(), due)
    else:
        left = -working_days_between(due, at.date())
    overdue = at > due_at
    overdue_since = datetime.combine(due + timedelta(days=1), time()) if overdue else None
    return Deadline(due_at, _state(overdue, left <= WARNING_WORKING_DAYS), left, paused_now, overdue_since)


def _state(overdue: bool, close: bool) -> TimeState:
    if overdue:
        return TimeState.OVERDUE
    return TimeState.WARNING if close else TimeState.NORMAL
