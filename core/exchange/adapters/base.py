"""What an adapter declares: the record kinds it sends and receives, when, and its hooks."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.cases.models import Case
from core.exchange.records import Outgoing


class Unusable(Exception):
    """A received record whose fields are well formed but that cannot be used here (an unknown project code, a
    licence we never issued): it is quarantined with this Chinese reason."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


CaseRecords = Callable[[Session, Case], list[Outgoing]]
Feed = Callable[[Session, date], list[Outgoing]]
Apply = Callable[[Session, str, dict[str, Any]], str]


@dataclass(frozen=True)
class Adapter:
    """One counterpart's capabilities."""

    code: str
    sends: tuple[str, ...]
    receives: tuple[str, ...]
    when: str
    """When it exchanges, in Chinese (shown on the admin page and in the README)."""
    for_case: CaseRecords | None = None
    """The records a case makes for this counterpart (real time on each case event, and the nightly batch)."""
    sends_items: bool = False
    feed: Feed | None = None
    """Aggregate records computed on a schedule for the month of the given day."""
    apply: Apply | None = None
    """Uses one received, valid record; returns what it did (Chinese) or raises :class:`Unusable`."""
    pushes: bool = True
    """False for a counterpart that takes files (the data centre's export) rather than records over HTTP."""
