"""What the exchange does when a case moves on (core/events ``LISTENERS``): it stages the case's records for every
connected counterpart that wants them, in the case's own transaction, so a record is in the exchange log exactly
when the change it reports is committed; delivery starts after commit.

A failure here (a counterpart's adapter meeting data it did not expect) must not undo the clerk's work: the staging
runs in a savepoint, is logged and dropped, and the nightly batch stages the case again.
"""

import logging

from sqlalchemy.orm import Session

from core.cases.models import Case
from core.events.kinds import CaseFacts, EventKind
from core.events.models import DomainEvent
from core.events.service import payload_of
from core.exchange.config import connected
from core.exchange.outbound import stage

log = logging.getLogger("tongban.exchange")

HANDLED = frozenset(
    {
        EventKind.CASE_ACCEPTED,
        EventKind.CASE_SUPPLEMENT_REQUESTED,
        EventKind.CASE_CONCLUDED,
        EventKind.CASE_DECISION_NEEDED,
        EventKind.CASE_WITHDRAWN,
    }
)
"""Case events that change what the counterparts hold: acceptance, steps (补正, review done), conclusion, withdrawal."""


def on_event(db: Session, event: DomainEvent) -> None:
    """Stages the case's records for the connected counterparts."""
    if event.kind not in HANDLED:
        return
    adapters = [a for a in connected() if a.for_case is not None]
    if not adapters:
        return
    payload = payload_of(event)
    case = db.get(Case, payload.case_id) if isinstance(payload, CaseFacts) else None
    if case is None:
        return
    for adapter in adapters:
        assert adapter.for_case is not None
        try:
            with db.begin_nested():
                stage(db, adapter.code, adapter.for_case(db, case))
        except Exception:
            log.exception("办件 %s 未能登记到“%s”的交换记录，将由夜间批量补报", case.case_no, adapter.code)
