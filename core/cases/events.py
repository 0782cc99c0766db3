"""What a case's applicant and its handlers must hear about, as domain events (core/events).

The applicant hears of acceptance, a supplement request, the conclusion and the rating invitation; the
department's handlers hear that a case waits for their decision. Facts only: names masked, no ID numbers.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.cases.enums import CONCLUSION_RESULT_LABELS
from core.cases.models import Case, Licence
from core.events.kinds import (
    CaseAccepted,
    CaseConcluded,
    CaseDecisionNeeded,
    CaseQueryCodeReissued,
    CaseRatingInvited,
    CaseSupplementRequested,
    EventKind,
)
from core.events.service import Recipient, publish
from core.org.permissions import Permission
from core.security import mask_name
from core.settings import get_settings


def _facts(case: Case) -> dict[str, Any]:
    """The facts every case event carries (the fields of ``CaseFacts``)."""
    return {
        "case_id": case.id,
        "case_no": case.case_no,
        "item_name": case.item.name,
        "department_id": case.department_id,
        "applicant_name": mask_name(case.applicant.name),
        "project_name": case.project_name or "",
        "due_at": case.due_at.isoformat(timespec="minutes") if case.due_at else None,
        "url": get_settings().site_url(f"/progress?case_no={case.case_no}"),
    }


def _applicant(case: Case) -> list[Recipient]:
    return [Recipient(applicant_id=case.applicant_id, role="applicant")]


def accepted(db: Session, case: Case, opinion: str) -> None:
    """受理: the applicant learns the clock has started and when the answer is promised."""
    payload = CaseAccepted(**_facts(case), opinion=opinion)
    publish(db, EventKind.CASE_ACCEPTED, payload, subject=f"case:{case.id}", to=_applicant(case))


def supplement_requested(db: Session, case: Case, reason: str, materials: list[str]) -> None:
    """补正告知: the applicant learns what to bring."""
    payload = CaseSupplementRequested(**_facts(case), reason=reason, materials=materials)
    publish(db, EventKind.CASE_SUPPLEMENT_REQUESTED, payload, subject=f"case:{case.id}", to=_applicant(case))


def concluded(db: Session, case: Case, licence: Licence | None = None) -> None:
    """办结 (or 不予受理): the applicant learns the result, then is invited to rate the service (好差评). A licence
    issued with it is named, so that supervision pushes the approval result (审管衔接)."""
    result = case.conclusion_result if case.conclusion_result is not None else -1
    data = _facts(case) | {
        "result": result,
        "result_label": CONCLUSION_RESULT_LABELS.get(result, ""),
        "reason": case.conclusion_reason or "",
        "concluded_at": case.concluded_at.isoformat(timespec="minutes") if case.concluded_at else None,
    }
    # licence_id is stored only when a licence was issued, as before
    concluded = CaseConcluded(**data, licence_id=licence.id) if licence is not None else CaseConcluded(**data)
    publish(db, EventKind.CASE_CONCLUDED, concluded, subject=f"case:{case.id}", to=_applicant(case))
    rating = CaseRatingInvited(**data, rating_url=get_settings().site_url(f"/rate?case_no={case.case_no}"))
    publish(db, EventKind.CASE_RATING_INVITED, rating, subject=f"case:{case.id}", to=_applicant(case))


def decision_needed(db: Session, case: Case, opinion_so_far: str) -> None:
    """The case reached 决定: the department's handlers are asked to decide (a card with buttons on WeCom)."""
    payload = CaseDecisionNeeded(
        **_facts(case),
        opinion_so_far=opinion_so_far,
        step="decide",
        materials_url=get_settings().site_url(f"/admin/cases/{case.id}"),
    )
    handlers = [Recipient(department_id=case.department_id, permission=Permission.CASE_DECIDE, role="approver")]
    publish(db, EventKind.CASE_DECISION_NEEDED, payload, subject=f"case:{case.id}", to=handlers)


def query_code_reissued(db: Session, case: Case, at: datetime) -> None:
    """The window issued a new query password: the applicant hears it on their channel (the password itself is
    only on the printed slip)."""
    payload = CaseQueryCodeReissued(**_facts(case), reissued_at=at.isoformat(timespec="minutes"))
    publish(db, EventKind.CASE_QUERY_CODE_REISSUED, payload, subject=f"case:{case.id}", to=_applicant(case))
