"""What major project tracking does when a case registered for a project moves on (core/events ``LISTENERS``).

Acceptance fills the node's actual start, the conclusion its actual finish (or opens it again), in the case's
own transaction (core/major_projects/links.py says how): the cases domain announces and does not know who listens.
"""

from sqlalchemy.orm import Session

from core.cases.models import Case
from core.events.kinds import CaseAccepted, CaseConcluded, EventKind
from core.events.models import DomainEvent
from core.events.service import payload_of
from core.major_projects import links

HANDLED = frozenset({EventKind.CASE_ACCEPTED, EventKind.CASE_CONCLUDED})
"""The kinds this listener acts on."""


def on_event(db: Session, event: DomainEvent) -> None:
    """Moves the node of a case registered for a major project."""
    if event.kind not in HANDLED:
        return
    payload = payload_of(event)
    case = db.get(Case, payload.case_id) if isinstance(payload, CaseAccepted | CaseConcluded) else None
    if case is None or case.major_project_id is None:
        return
    if isinstance(payload, CaseAccepted):
        links.case_accepted(db, case)
    elif isinstance(payload, CaseConcluded):
        links.case_concluded(db, case, payload.result, payload.result_label)
