"""What the measures are made of: a department's (numerator, denominator), and one thing an indicator counted."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

Measure = tuple[Decimal, Decimal]
"""(numerator, denominator) of one department; a denominator of 0 means the indicator does not apply."""


@dataclass(frozen=True)
class Counted:
    """One thing an indicator counted: what it is, its number, whether it counts for or against, and why."""

    kind: str
    id: int
    number: str
    title: str
    good: bool
    why: str
    link: str = ""


def when(value: datetime | date | None) -> str:
    """A moment as 2026-11-12 09:00, a day as 2026-11-12, — for none."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")
