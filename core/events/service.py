"""Publishing domain events inside the caller's transaction."""

import importlib
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from core.events.kinds import PAYLOADS, EventKind, EventPayload
from core.events.models import DomainEvent
from core.plugins import hooks

log = logging.getLogger("tongban.events")

LISTENERS = (
    "core.supervision.listeners",
    "core.major_projects.listeners",
    "core.exchange.listeners",
    "core.projects.listeners",
)
"""Core domains that act on other domains' events, each a module with ``on_event(db, event)``. Named, not
imported: a publisher never depends on who listens (cases → supervision would be a cycle), and the events
package sits below every domain."""


@dataclass(frozen=True)
class Recipient:
    """Who must hear of an event: one user, the staff of a department holding a permission, or an
    applicant (a citizen or enterprise, reached through their bound channels)."""

    user_id: int | None = None
    department_id: int | None = None
    permission: str | None = None
    applicant_id: int | None = None
    role: str = ""
    """Why this recipient is told (for instance 'supervisor', 'approver', 'applicant'); senders may use it."""

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.user_id, self.department_id, self.applicant_id)) != 1:
            raise ValueError("a recipient is exactly one of a user, a department or an applicant")


def publish(
    db: Session, kind: EventKind, payload: EventPayload, *, subject: str, to: Iterable[Recipient]
) -> DomainEvent:
    """Records the event in the caller's session and lets the plugins' ``on_event(db, event)`` hooks add
    their rows to the same transaction. Nothing is sent here: delivery starts after commit."""
    if type(payload) is not PAYLOADS[kind]:
        raise TypeError(f"{kind} carries {PAYLOADS[kind].__name__}, not {type(payload).__name__}")
    event = DomainEvent(kind=kind, subject=subject, data=payload.stored(), recipients=[asdict(r) for r in to])
    db.add(event)
    db.flush()
    for hook in hooks("on_event"):
        hook(db, event)
    for listener in LISTENERS:
        importlib.import_module(listener).on_event(db, event)
    return event


def recipients(event: DomainEvent) -> list[Recipient]:
    """The event's recipients as objects again."""
    return [Recipient(**r) for r in event.recipients]


def payload_of(event: DomainEvent) -> EventPayload:
    """The event's facts as its kind's payload type (``isinstance`` narrows it to one kind)."""
    return PAYLOADS[EventKind(event.kind)].model_validate(event.data)
