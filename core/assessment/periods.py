"""Assessment periods: a calendar month or quarter, named as people write them (2026-11, 2026-Q4)."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.errors import ValidationFailed

MONTH, QUARTER = "month", "quarter"
PERIOD_KINDS = {MONTH: "月度", QUARTER: "季度"}
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})-[Qq]([1-4])\s*$")


@dataclass(frozen=True)
class Period:
    """A month or a quarter: its first and last day, and the moments bounding it [start_at, end_at)."""

    kind: str
    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        """The period's first moment."""
        return datetime.combine(self.start, datetime.min.time())

    @property
    def end_at(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time())

    @property
    def label(self) -> str:
        """2026年11月 or 2026年第4季度."""
        if self.kind == QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def code(self) -> str:
        """2026-11 or 2026-Q4, as typed in forms and the API."""
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def month(year: int, number: int) -> Period:
    """The calendar month."""
    return Period(MONTH, date(year, number, 1), _month_end(year, number))


def quarter(year: int, number: int) -> Period:
    """The calendar quarter (1–4)."""
    first = 3 * (number - 1) + 1
    return Period(QUARTER, date(year, first, 1), _month_end(year, first + 2))


def parse(kind: str, text: str) -> Period:
    """The period a scheme of ``kind`` means by ``text``; a Chinese refusal when it is not one."""
    if kind == QUARTER:
        found = _QUARTER.match(text or "")
        if not found:
            raise ValidationFailed("季度考核的考核期应写作“年份-Q季度”，如 2026-Q4", field="period")
        return quarter(int(found.group(1)), int(found.group(2)))
    found = _MONTH.match(text or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValidationFailed("月度考核的考核期应写作“年份-月份”，如 2026-11", field="period")
    return month(int(found.group(1)), int(found.group(2)))


def containing(kind: str, start: date) -> Period:
    """The period of ``kind`` that contains ``start``."""
    if kind == QUARTER:
        return quarter(start.year, (start.month - 1) // 3 + 1)
    return month(start.year, start.month)


def previous(kind: str, day: date) -> Period:
    """The last whole period before the one containing ``day`` (last month, last quarter)."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1) if kind == QUARTER else date(day.year, day.month, 1)
    return containing(kind, first - timedelta(days=1))
