"""What supervision does when other domains' events happen (core/events ``LISTENERS``).

A case concluded with a licence pushes the approval result to the supervising departments (审管衔接), in the
same transaction: the cases domain announces the licence and does not know who listens.
"""

from sqlalchemy.orm import Session

from core.cases.models import Case, Licence
from core.events.models import DomainEvent
from core.supervision import service


def on_event(db: Session, event: DomainEvent) -> None:
    """Pushes the approval result of a case concluded with a licence."""
    if event.kind != "case.concluded" or not event.data.get("licence_id"):
        return
    case = db.get(Case, event.data["case_id"])
    licence = db.get(Licence, event.data["licence_id"])
    if case is not None and licence is not None:
        service.push_approval(db, case, licence)
