"""Working-day arithmetic and the time state of anything with a limit.

Rules (DOMAIN.md, "Time limits"):
- working days follow the State Council's annual arrangement including 调休 working weekends
  (PyPI ``chinesecalendar``);
- the clock starts at acceptance and stops at conclusion; paused periods (补齐补正, 特别程序) are not
  counted — a pause from day P to day R removes the days after P up to and including R;
- 预警 when N working days or less remain (N × 24 hours for hour limits), 逾期 after the limit. N is the case
  threshold of the department's 预警设置 (core/warning_settings); the functions here take it as an argument
  and know no database, :data:`WARNING_WORKING_DAYS` being only the built-in default.

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
"""The default threshold: 预警 when this many working days or less remain."""


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


class WorkingDayIndex:
    """Working-day arithmetic over a range of days at the cost of one look-up per day of the range, for scans
    over many rows: ``count(d)`` is the number of working days from the range's first day up to and
    including ``d``, so the working days in ``(a, b]`` are ``count(b) - count(a)``. Days outside the range are
    clamped to it, so pad the range by a few days on each side."""

    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, max(first, last)
        self._counts: list[int] = []
        running = 0
        for offset in range((self.last - first).days + 1):
            running += is_working_day(first + timedelta(offset))
            self._counts.append(running)

    def count(self, day: date) -> int:
        """Working days from the first day of the range up to and including ``day``."""
        offset = min(max((day - self.first).days, -1), len(self._counts) - 1)
        return self._counts[offset] if offset >= 0 else 0

    def between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start), as :func:`working_days_between`."""
        return max(self.count(end) - self.count(start), 0)


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
    warning_days: int = WARNING_WORKING_DAYS,
) -> Deadline:
    """Due moment and state of a limit that started at ``started_at``, seen at ``at``; 预警 when
    ``warning_days`` working days or less remain (that many times 24 hours for an hour limit).

    An open pause extends the limit up to ``at``: while the clock stands still the due date moves.
    """
    paused_now = any(p.ended_at is None for p in pauses)
    if unit is LimitUnit.HOUR:
        paused = sum(((p.ended_at or at) - p.started_at for p in pauses), timedelta())
        due_at = started_at + timedelta(hours=limit) + paused
        hours_left = (due_at - at).total_seconds() / 3600
        remaining = int(hours_left) if hours_left >= 0 else -int(-hours_left) - 1
        state = _state(at > due_at, hours_left <= warning_days * 24)
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
    return Deadline(due_at, _state(overdue, left <= warning_days), left, paused_now, overdue_since)


def state_at(
    due_at: datetime, unit: LimitUnit | str, warning_days: int, at: datetime, index: WorkingDayIndex
) -> tuple[TimeState, datetime | None]:
    """The state at ``at`` of a running limit due at ``due_at``, as :func:`compute_deadline` gives it, and the
    moment it went overdue (None while it is not): for scans over many stored due moments at once."""
    if at > due_at:
        since = due_at if unit == LimitUnit.HOUR else datetime.combine(due_at.date() + timedelta(days=1), time())
        return TimeState.OVERDUE, since
    if unit == LimitUnit.HOUR:
        close = (due_at - at).total_seconds() <= warning_days * 24 * 3600
    elif unit == LimitUnit.NATURAL_DAY:
        close = (due_at.date() - at.date()).days <= warning_days
    else:
        close = index.between(at.date(), due_at.date()) <= warning_days
    return _state(False, close), None


def _state(overdue: bool, close: bool) -> TimeState:
    if overdue:
        return TimeState.OVERDUE
    return TimeState.WARNING if close else TimeState.NORMAL
