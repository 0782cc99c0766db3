"""考核推送: what publishing an assessment announces (core/events), for the notification senders to render.

- ``assessment.published``: one event per assessed department, to that department's staff holding
  assessment.read (its heads and handlers) — their own result only;
- ``assessment.ranking``: one event with the whole ranking, to the leaders (assessment.read over every department).
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assessment.indicators import INDICATORS
from core.assessment.models import Assessment, AssessmentResult
from core.events.kinds import (
    AssessmentPublished,
    AssessmentRanking,
    AssessmentRankLine,
    AssessmentScoreLine,
    EventKind,
)
from core.events.service import Recipient, publish
from core.org.models import User
from core.org.permissions import DataScope, Permission
from core.settings import get_settings


def _number(value: object) -> float | None:
    return None if value is None else float(str(value))


def result_url(assessment: Assessment, department_id: int) -> str:
    """A department's result page in the admin site."""
    return get_settings().site_url(f"/admin/assessment/{assessment.id}/departments/{department_id}")


def leaders(db: Session) -> list[User]:
    """Who gets the ranking: active staff holding assessment.read over all departments."""
    staff = db.scalars(select(User).where(User.is_staff.is_(True), User.is_active.is_(True)).order_by(User.id))
    return [u for u in staff if Permission.ASSESSMENT_READ in u.permissions and u.data_scope == DataScope.ALL]


def _ranked(assessment: Assessment) -> list[AssessmentResult]:
    return sorted(
        assessment.results,
        key=lambda r: (r.rank is None, r.rank or 0, r.department.sort_order, r.department_id),
    )


def published(db: Session, assessment: Assessment) -> None:
    """Each department hears its own result; the leaders hear the ranking."""
    ranked_count = sum(1 for r in assessment.results if r.rank is not None)
    common = {
        "assessment_id": assessment.id,
        "version": assessment.version,
        "period_label": assessment.period_label,
        "scheme_name": assessment.scheme_name,
    }
    for result in _ranked(assessment):
        payload = AssessmentPublished(
            **common,
            url=result_url(assessment, result.department_id),
            department_id=result.department_id,
            department_name=result.department.name,
            total=_number(result.total),
            rank=result.rank,
            ranked_count=ranked_count,
            corrected=result.total_corrected or any(s.corrected for s in result.scores),
            scores=[
                AssessmentScoreLine(name=INDICATORS[s.indicator].name, weight=s.weight, score=_number(s.score))
                for s in result.scores
            ],
        )
        staff = Recipient(department_id=result.department_id, permission=Permission.ASSESSMENT_READ, role="assessed")
        subject = f"assessment:{assessment.id}:{result.department_id}"
        publish(db, EventKind.ASSESSMENT_PUBLISHED, payload, subject=subject, to=[staff])
    ranking = AssessmentRanking(
        **common,
        url=get_settings().site_url(f"/admin/assessment/{assessment.id}"),
        ranked_count=ranked_count,
        ranking=[
            AssessmentRankLine(rank=r.rank, department_name=r.department.name, total=_number(r.total))
            for r in _ranked(assessment)
        ],
    )
    to = [Recipient(user_id=u.id, role="leader") for u in leaders(db)]
    publish(db, EventKind.ASSESSMENT_RANKING, ranking, subject=f"assessment:{assessment.id}", to=to)
