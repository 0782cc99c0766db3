"""Channel users bound to applicants: a WeChat user who proved a case's password once sees that applicant's cases."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case, ChannelBinding
from core.cases.queries import WRONG_CREDENTIALS, guarded_progress
from core.errors import NotFound


def bind(db: Session, channel_user: str, case_no: str, query_code: str) -> Case:
    """Binds the channel user to the applicant of the case whose number and password they gave."""
    guarded_progress(db, case_no, query_code, client=channel_user)  # limited like every password check
    case = db.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))
    assert case is not None
    exists = db.scalar(
        select(ChannelBinding).where(
            ChannelBinding.channel_user == channel_user, ChannelBinding.applicant_id == case.applicant_id
        )
    )
    if exists is None:
        db.add(ChannelBinding(channel_user=channel_user, applicant_id=case.applicant_id))
        db.flush()
    return case


def bound_applicant_ids(db: Session, channel_user: str) -> list[int]:
    """Applicants the channel user is bound to."""
    return list(db.scalars(select(ChannelBinding.applicant_id).where(ChannelBinding.channel_user == channel_user)))


def bound_cases(db: Session, channel_user: str, limit: int = 20) -> list[Case]:
    """The bound applicants' cases, newest first."""
    applicants = bound_applicant_ids(db, channel_user)
    if not applicants:
        return []
    query = select(Case).where(Case.applicant_id.in_(applicants)).order_by(Case.submitted_at.desc()).limit(limit)
    return list(db.scalars(query))


def bound_case(db: Session, channel_user: str, case_no: str) -> Case:
    """The case with this number if the channel user is bound to its applicant; the usual answer otherwise."""
    case = db.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))
    if case is None or case.applicant_id not in bound_applicant_ids(db, channel_user):
        raise NotFound(WRONG_CREDENTIALS, code="wrong_case_or_code")
    return case
