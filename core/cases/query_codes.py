"""The acceptance slip's query password: who may print the slip, when it shows the password, and reissuing one.

The query password (查询密码) is the applicant's key to their case's progress. An online applicant got theirs
when they applied, so printing the slip (受理通知书) must never replace it behind their back: the slip shows a
password only for a case registered at the window, and only on its first print, when the window hands the
applicant the slip. Issuing a new password afterwards is its own explicit action (the applicant lost theirs),
recorded in the case's history and announced to the applicant on their channel, since their old password stops
working. The slip exists only once the case has been accepted (受理) — before that there is nothing to notify.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.cases import events as case_events
from core.cases.enums import STATUS_LABELS, SubmitChannel
from core.cases.models import Case
from core.cases.service import _record_step
from core.clock import now
from core.errors import Conflict, PermissionDenied
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.security import keyed_hash, new_query_code

ISSUE_ACTION = "issue_query_code"


@dataclass(frozen=True)
class SlipCode:
    """What the slip says about the password: the password itself, or why it is not on this print."""

    code: str | None
    note: str


ONLINE_NOTE = "请使用网上申报时获得的查询密码；遗失的，可凭有效证件到窗口重新发放。"
REPRINT_NOTE = "查询密码已在首次打印的受理通知书上发放；遗失的，可凭有效证件到窗口重新发放。"


def _require_registrar(user: User | None, case: Case) -> User:
    clerk = org_service.require(user, Permission.CASE_REGISTER)
    if not org_service.can_reach_department(clerk, {case.department_id}):
        raise PermissionDenied("只能为本部门的办件打印受理通知书")
    if case.accepted_at is None:
        raise Conflict(
            f"办件{case.case_no}当前状态为“{STATUS_LABELS[case.status]}”，受理后才能打印受理通知书",
            code="not_accepted",
        )
    return clerk


def _issued_before(case: Case) -> bool:
    return any(step.action == ISSUE_ACTION for step in case.steps)


def can_print(user: User, case: Case) -> bool:
    """True when the slip may be printed now by this member of staff (for the case page's buttons)."""
    return (
        Permission.CASE_REGISTER in user.permissions
        and case.accepted_at is not None
        and org_service.can_reach_department(user, {case.department_id})
    )


def _issue(db: Session, clerk: User, case: Case, opinion: str) -> str:
    code = new_query_code()
    case.query_code_hash = keyed_hash(code)
    _record_step(db, case, clerk, action=ISSUE_ACTION, result=None, opinion=opinion, step=case.current_step)
    return code


def print_slip(db: Session, user: User | None, case: Case) -> SlipCode:
    """打印受理通知书. A window case's first print carries a new password (the applicant is at the window and was
    never shown one); every other print leaves the password alone and says where to find it."""
    clerk = _require_registrar(user, case)
    record_event(db, action="case.print_slip", entity="case", entity_id=str(case.id))
    if case.submit_channel != SubmitChannel.WINDOW:
        return SlipCode(None, ONLINE_NOTE)
    if _issued_before(case):
        return SlipCode(None, REPRINT_NOTE)
    return SlipCode(_issue(db, clerk, case, "随受理通知书发放"), "")


def reissue(db: Session, user: User | None, case: Case) -> SlipCode:
    """重新发放查询密码: a new password on a new slip; the old one stops working and the applicant is told."""
    clerk = _require_registrar(user, case)
    code = _issue(db, clerk, case, "申请人申请重新发放，原查询密码已失效")
    record_event(db, action="case.reissue_query_code", entity="case", entity_id=str(case.id))
    case_events.query_code_reissued(db, case, now())
    return SlipCode(code, "")
