"""Channel users bound to cases: a WeChat (or web chat) user who gave a case's number and password once sees that
case without the password, and hears about it. A binding proves that one case only — never the applicant's other
cases, which someone typing the same ID number may not have."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case, ChannelBinding
from core.cases.queries import WRONG_CREDENTIALS, guarded_progress
from core.errors import NotFound


def bind(db: Session, channel_user: str, case_no: str, query_code: str) -> Case:
    """Binds the channel user to the case whose number and password they gave."""
    guarded_progress(db, case_no, query_code, client=channel_user)  # limited like every password check
    case = db.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))
    assert case is not None
    exists = db.scalar(
        select(ChannelBinding).where(ChannelBinding.channel_user == channel_user, ChannelBinding.case_id == case.id)
    )
    if exists is None:
        db.add(ChannelBinding(channel_user=channel_user, case_id=case.id))
        db.flush()
    return case


def bound_cases(db: Session, channel_user: str, limit: int = 20) -> list[Case]:
    """The cases the channel user bound, newest first."""
    query = (
        select(Case)
        .join(ChannelBinding, ChannelBinding.case_id == Case.id)
        .where(ChannelBinding.channel_user == channel_user)
        .order_by(Case.submitted_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(db.scalars(query))


def bound_case(db: Session, channel_user: str, case_no: str) -> Case:
    """The case with this number if the channel user bound it; the usual answer otherwise."""
    case = db.scalar(
        select(Case)
        .join(ChannelBinding, ChannelBinding.case_id == Case.id)
        .where(Case.case_no == case_no.strip().upper(), ChannelBinding.channel_user == channel_user)
    )
    if case is None:
        raise NotFound(WRONG_CREDENTIALS, code="wrong_case_or_code")
    return case
