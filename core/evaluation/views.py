"""Rating API: citizens rate concluded cases (with the password, as the bound channel user or as the owner)."""

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases import bindings
from core.cases.models import Case
from core.cases.queries import WRONG_CREDENTIALS, guarded_progress
from core.deps import DB, ChannelUser, CurrentUser, ReadDB
from core.errors import NotFound, ValidationFailed
from core.evaluation import service
from core.evaluation.models import Evaluation
from core.evaluation.schemas import FollowUpIn, FollowUpOut, RatingIn, RatingOut
from core.rate_limit import client_ip

router = APIRouter(tags=["好差评"])


def _case_for_rating(db: DB, request: Request, data: RatingIn, user: CurrentUser, channel_user: str | None) -> Case:
    if data.query_code:
        guarded_progress(db, data.case_no, data.query_code, client=channel_user or client_ip(request))
    elif channel_user:
        return bindings.bound_case(db, channel_user, data.case_no)
    elif user is None:
        raise ValidationFailed("请提供查询密码", field="query_code")
    case = db.scalar(select(Case).where(Case.case_no == data.case_no.strip().upper()))
    if case is None or (not data.query_code and case.owner_user_id != (user.id if user else None)):
        raise NotFound(WRONG_CREDENTIALS, code="wrong_case_or_code")
    return case


@router.post("/ratings", response_model=RatingOut, status_code=201, summary="好差评：评价已办结的办件")
def rate(data: RatingIn, request: Request, db: DB, user: CurrentUser, channel_user: ChannelUser) -> RatingOut:
    """One rating per case; 不满意/非常不满意 goes to the department for follow-up within 5 working days."""
    case = _case_for_rating(db, request, data, user, channel_user)
    evaluation = service.rate(
        db,
        case,
        level=data.level,
        comment=data.comment,
        channel=data.channel,
        rater=user if user and not channel_user else None,
        channel_user=channel_user,
    )
    return RatingOut.from_model(evaluation, case=case)


def follow_up_out(db: Session, evaluation: Evaluation) -> FollowUpOut:
    """A follow-up for the staff, with its case."""
    return FollowUpOut.from_model(evaluation, case=db.get_one(Case, evaluation.case_id))


@router.get("/ratings/follow-ups", response_model=list[FollowUpOut], summary="差评整改（本部门）")
def follow_ups(db: ReadDB, user: CurrentUser, status: str | None = service.PENDING) -> list[FollowUpOut]:
    """Bad ratings of the caller's department, pending first."""
    return [follow_up_out(db, e) for e in service.follow_ups(db, user, status=status or None)]


@router.post("/ratings/{evaluation_id}/follow-up", response_model=FollowUpOut, summary="答复差评")
def answer(evaluation_id: int, data: FollowUpIn, db: DB, user: CurrentUser) -> FollowUpOut:
    """Records the department's verification, fix and call-back."""
    return follow_up_out(db, service.answer_follow_up(db, user, evaluation_id, data.answer))
