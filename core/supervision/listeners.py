"""What supervision does when other domains' events happen (core/events ``LISTENERS``).

A case concluded with a licence pushes the approval result to the supervising departments (审管衔接), in the
same transaction: the cases domain announces the licence and does not know who listens.
"""

from sqlalchemy.orm import Session

from core.cases.models import Case, Licence
from core.events.kinds import CaseConcluded, EventKind
from core.events.models import DomainEvent
from core.events.service import payload_of
from core.supervision import service

HANDLED = frozenset({EventKind.CASE_CONCLUDED})
"""The kinds this listener acts on."""


def on_event(db: Session, event: DomainEvent) -> None:
    """Pushes the approval result of a case concluded with a licence."""
    if event.kind not in HANDLED:
        return
    payload = payload_of(event)
    if not isinstance(payload, CaseConcluded) or not payload.licence_id:
        return
    case = db.get(Case, payload.case_id)
    licence = db.get(Licence, payload.licence_id)
    if case is not None and licence is not None:
        service.push_approval(db, case, licence)
