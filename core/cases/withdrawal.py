"""撤回: the applicant takes back an application the department has not accepted yet.

Only the account that filed it, only before 受理 (the department has not started its clock or its work), and
with a reason. The case ends as 已撤回: its history shows the withdrawal with the reason, no deadline runs, it is
no one's work any more, and the department's handlers are told (a notification naming the case and the reason).
"""

from sqlalchemy.orm import Session

from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.cases.service import _record_step
from core.clock import now
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.events.kinds import CaseWithdrawn, EventKind
from core.events.service import Recipient, publish
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.security import mask_name
from core.settings import get_settings

REASON_MAX = 500


def can_withdraw(user: User | None, case: Case) -> bool:
    """Whether the user may withdraw the case now: its own applicant's account, before acceptance."""
    return (
        user is not None
        and Permission.CASE_APPLY in user.permissions
        and case.owner_user_id == user.id
        and case.status == CaseStatus.SUBMITTED
    )


def withdraw(db: Session, user: User | None, case: Case, *, reason: str) -> None:
    """Withdraws the applicant's own application not yet accepted; refuses anything else before changing it."""
    citizen = org_service.require(user, Permission.CASE_APPLY)
    if case.owner_user_id != citizen.id:
        raise PermissionDenied("只能撤回本人申报的办件")
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(
            f"办件{case.case_no}已受理或已结束，不能在网上撤回；如需撤回请联系{case.department.name}",
            code="out_of_order",
        )
    text = " ".join(reason.split())
    if not text:
        raise ValidationFailed("请填写撤回原因", field="reason")
    if len(text) > REASON_MAX:
        raise ValidationFailed(f"撤回原因不能超过{REASON_MAX}字", field="reason")
    at = now()
    _record_step(db, case, None, action="withdraw", result=None, opinion=f"撤回原因：{text}")
    case.status = CaseStatus.WITHDRAWN
    case.withdrawn_at = at
    case.conclusion_reason = text
    settings = get_settings()
    payload = CaseWithdrawn(
        case_id=case.id,
        case_no=case.case_no,
        item_name=case.item.name,
        department_id=case.department_id,
        applicant_name=mask_name(case.applicant.name),
        project_name=case.project_name or "",
        due_at=None,
        url=settings.site_url(f"/progress?case_no={case.case_no}"),
        reason=text,
        withdrawn_at=at.isoformat(timespec="minutes"),
        case_url=settings.site_url(f"/admin/cases/{case.id}"),
    )
    handlers = [Recipient(department_id=case.department_id, permission=Permission.CASE_HANDLE, role="handler")]
    publish(db, EventKind.CASE_WITHDRAWN, payload, subject=f"case:{case.id}", to=handlers)
    db.flush()
