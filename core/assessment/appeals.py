"""申诉: a department disputes its published result, and the administrator answers it.

Only staff of the assessed department holding assessment.read appeal, for their own department (the department is
theirs, never one named in the request), on the newest published version, one open appeal per department and
period. Accepted, the answer carries a correction, which goes into the period's draft or makes the next version;
rejected, it carries the reason. Every step is a row change the audit records.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assessment import compute as tables
from core.assessment import service
from core.assessment.models import PUBLISHED, AssessmentAppeal
from core.assessment.schemas import AnswerIn, AppealIn, CorrectionIn
from core.audit.context import acting
from core.clock import now
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUS_LABELS = {PENDING: "待答复", ACCEPTED: "已采纳", REJECTED: "未采纳"}
MIN_TEXT = 5


def file_appeal(db: Session, user: User | None, assessment_id: int, data: AppealIn) -> AssessmentAppeal:
    """The user's department appeals its result in a published version."""
    member = org_service.require(user, Permission.ASSESSMENT_READ)
    if member.department_id is None:
        raise PermissionDenied("申诉须由被考核部门的工作人员提出")
    department_id = member.department_id
    assessment = service.get_for(db, member, assessment_id)
    if assessment.status != PUBLISHED:
        raise Conflict("只能对已发布的考核结果提出申诉")
    if tables.result_of(assessment.results, department_id) is None:
        raise ValidationFailed("本部门未参加该期考核，无需申诉")
    newest = service.current_published(db, assessment)
    if newest is not None and newest.id != assessment.id:
        raise Conflict(f"该考核期已发布更新的版本（第{newest.version}版），请对最新版本提出申诉")
    indicator = data.indicator.strip()
    if indicator and indicator != tables.TOTAL and indicator not in assessment.weights:
        raise ValidationFailed("本期考核没有这项指标，请重新选择申诉的指标", field="indicator")
    if len(data.reason.strip()) < MIN_TEXT:
        raise ValidationFailed(f"请写明申诉理由（至少 {MIN_TEXT} 个字）", field="reason")
    open_one = db.scalar(
        select(AssessmentAppeal.id).where(
            AssessmentAppeal.department_id == department_id,
            AssessmentAppeal.status == PENDING,
            AssessmentAppeal.assessment.has(scheme_id=assessment.scheme_id, period_start=assessment.period_start),
        )
    )
    if open_one is not None:
        raise Conflict("本部门对该期考核已有待答复的申诉，请等待管理员答复")
    with acting(action="assessment.appeal"):
        appeal = AssessmentAppeal(
            assessment_id=assessment.id,
            department_id=department_id,
            indicator=indicator,
            reason=data.reason.strip(),
            status=PENDING,
            submitted_by_id=member.id,
            submitted_by_name=member.name,
            submitted_at=now(),
        )
        db.add(appeal)
        db.flush()
    return appeal


def list_appeals(db: Session, user: User | None, *, status: str | None = None) -> list[AssessmentAppeal]:
    """Appeals the user may read: every one for managers and leaders, their department's for the others."""
    reader = service.require_reader(user)
    query = select(AssessmentAppeal).order_by(AssessmentAppeal.id.desc())
    if status:
        query = query.where(AssessmentAppeal.status == status)
    if not service.sees_all(reader):
        query = query.where(AssessmentAppeal.department_id == (reader.department_id or -1))
    return list(db.scalars(query.limit(500)))


def get_appeal(db: Session, user: User | None, appeal_id: int) -> AssessmentAppeal:
    """An appeal the user may read."""
    reader = service.require_reader(user)
    appeal = db.get(AssessmentAppeal, appeal_id)
    if appeal is None:
        raise NotFound("申诉不存在")
    if not service.can_view_department(reader, appeal.department_id):
        raise PermissionDenied("只能查看本部门的申诉")
    return appeal


def answer_appeal(db: Session, user: User | None, appeal_id: int, data: AnswerIn) -> AssessmentAppeal:
    """采纳 (with a correction: a new version or the period's draft) or 不采纳 (with the reason)."""
    admin = org_service.require(user, Permission.ASSESSMENT_MANAGE)
    appeal = db.get(AssessmentAppeal, appeal_id)
    if appeal is None:
        raise NotFound("申诉不存在")
    if appeal.status != PENDING:
        raise Conflict("该申诉已答复")
    answer = data.answer.strip()
    if len(answer) < MIN_TEXT:
        raise ValidationFailed(f"请写明答复意见（至少 {MIN_TEXT} 个字）", field="answer")
    with acting(action="assessment.answer_appeal"):
        if data.accepted:
            if not data.indicator or data.value is None:
                raise ValidationFailed("采纳申诉须填写修正的指标（或总分）和修正后的分值", field="indicator")
            correction = CorrectionIn(
                department_id=appeal.department_id,
                indicator=data.indicator,
                value=data.value,
                reason=f"采纳申诉：{answer}",
            )
            newest = service.latest(db, appeal.assessment)
            service.check_correction(newest, correction.department_id, correction.indicator, correction.value, answer)
            target = service.working_version(db, admin, newest)
            service.record_correction(db, admin, target, correction, appeal_id=appeal.id)
            appeal.new_assessment_id = target.id
        appeal.status = ACCEPTED if data.accepted else REJECTED
        appeal.answer = answer
        appeal.answered_by_id = admin.id
        appeal.answered_by_name = admin.name
        appeal.answered_at = now()
        db.flush()
    return appeal
