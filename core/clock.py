"""The application clock. Every "now" goes through here so tests and the demo seeder can fix time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
_frozen: list[datetime] = []


def now() -> datetime:
    """Current Beijing time as a naive datetime (the centre works in one zone)."""
    if _frozen:
        return _frozen[0]
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """Current Beijing date."""
    return now().date()


def freeze(at: datetime | None) -> None:
    """Fixes the clock for the whole process; ``None`` lets it run again."""
    _frozen.clear()
    if at is not None:
        _frozen.append(at)


def is_frozen() -> bool:
    """True while ``freeze`` holds the clock (the tests build their fixtures differently then)."""
    return bool(_frozen)
