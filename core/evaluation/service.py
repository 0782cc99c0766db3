"""好差评 (国办发〔2019〕51号): one rating per concluded case; a bad one goes to the department for follow-up."""

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.calendar.service import add_working_days
from core.cases.models import Case
from core.clock import now
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.evaluation.enums import ANSWERED as ANSWERED
from core.evaluation.enums import BAD_LEVELS as BAD_LEVELS
from core.evaluation.enums import LEVEL_LABELS as LEVEL_LABELS
from core.evaluation.enums import PENDING as PENDING
from core.evaluation.models import Evaluation
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import DataScope, Permission

FOLLOW_UP_WORKING_DAYS = 5


def rate(
    db: Session,
    case: Case,
    *,
    level: int,
    comment: str,
    channel: str,
    rater: User | None = None,
    channel_user: str | None = None,
) -> Evaluation:
    """Records the rating; a bad one gets a follow-up due in five working days at the case's department."""
    if level not in LEVEL_LABELS:
        raise ValidationFailed(
            "评价等级应为 1–5：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意", field="level"
        )
    if case.status not in ("concluded", "refused"):
        raise Conflict("办件办结后才能评价")
    if db.scalar(select(Evaluation.id).where(Evaluation.case_id == case.id)) is not None:
        raise Conflict("该办件已评价过，每件办件只能评价一次")
    moment = now()
    bad = level in BAD_LEVELS
    evaluation = Evaluation(
        case_id=case.id,
        level=level,
        comment=comment.strip(),
        channel=channel,
        rater_user_id=rater.id if rater else None,
        channel_user=channel_user,
        department_id=case.department_id,
        follow_up_status=PENDING if bad else None,
        follow_up_due_at=datetime.combine(add_working_days(moment.date(), FOLLOW_UP_WORKING_DAYS), time(17, 30))
        if bad
        else None,
    )
    db.add(evaluation)
    db.flush()
    return evaluation


def rating_of(db: Session, case: Case) -> Evaluation | None:
    """The case's rating, if it has been rated (for its applicant's page: rated already, or a link to rate)."""
    return db.scalar(select(Evaluation).where(Evaluation.case_id == case.id))


def follow_ups(db: Session, user: User | None, *, status: str | None = PENDING) -> list[Evaluation]:
    """Bad ratings the user's department must answer (all departments for an all-scope user)."""
    staff = org_service.require(user, Permission.CASE_HANDLE)
    query = select(Evaluation).where(Evaluation.follow_up_status.is_not(None)).order_by(Evaluation.id.desc())
    if status:
        query = query.where(Evaluation.follow_up_status == status)
    if staff.data_scope != DataScope.ALL:
        query = query.where(Evaluation.department_id == (staff.department_id or -1))
    return list(db.scalars(query.limit(500)))


def answer_follow_up(db: Session, user: User | None, evaluation_id: int, *, answer: str) -> Evaluation:
    """The department records how the complaint was verified, fixed and answered."""
    staff = org_service.require(user, Permission.CASE_HANDLE)
    evaluation = db.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.follow_up_status is None:
        raise NotFound("差评整改任务不存在")
    if not org_service.can_reach_department(staff, {evaluation.department_id}):
        raise PermissionDenied("该差评不属于本部门，不能答复")
    if evaluation.follow_up_status == ANSWERED:
        raise Conflict("该差评已答复")
    if len(answer.strip()) < 5:
        raise ValidationFailed("请写明核实、整改和回访情况（至少5个字）", field="answer")
    evaluation.follow_up_status = ANSWERED
    evaluation.follow_up_answer = answer.strip()
    evaluation.follow_up_by_id = staff.id
    evaluation.follow_up_at = now()
    db.flush()
    return evaluation
