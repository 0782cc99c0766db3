"""Demo data for progress assessment (进度考核): the default monthly scheme and last month's assessment, computed
from the demo's cases, warnings, project nodes, pushes and ratings, reviewed with one recorded correction and
published (so each department's staff find their result in the inbox and the leaders the ranking).

Runs once: a scheme that exists is kept as the administrators left it, and a period already assessed is not
assessed again. It reads what the other demos made, so it runs after them.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assessment import periods, service
from core.assessment.indicators import INDICATORS, Scoring
from core.assessment.models import Assessment, AssessmentScheme
from core.assessment.schemas import ComputeIn, CorrectionIn, SchemeIn, SchemeIndicatorIn
from core.assessment.schemes import save_scheme
from core.audit.context import Actor, acting
from core.clock import today
from core.org import service as org_service
from core.org.models import User

SCHEME_NAME = "部门进度考核（月度）"
WEIGHTS = {
    "case_on_time_rate": 30,
    "handling_time_ratio": 10,
    "overdue_count": 15,
    "warning_sign_rate": 10,
    "warning_close_rate": 5,
    "node_on_time_rate": 10,
    "supervision_feedback_rate": 10,
    "bad_rating_follow_up_rate": 10,
}
DESCRIPTION = (
    "按月考核各部门办件时效、预警处置、重大项目节点、审管衔接反馈和差评整改情况，每月初计算上月结果，审核后发布。"
)
REASONS = (
    "其中1件逾期办件系省统一审批系统停机维护所致，经核实不计为本部门逾期",
    "其中1件系对方单位提供的联系人有误而延误，经核实按时计",
)


def seed_scheme(db: Session, admin: User) -> AssessmentScheme:
    """The default scheme (made only while there is none)."""
    existing = db.scalar(select(AssessmentScheme).order_by(AssessmentScheme.id).limit(1))
    if existing is not None:
        return existing
    indicators = [SchemeIndicatorIn(code=code, weight=weight) for code, weight in WEIGHTS.items()]
    data = SchemeIn(name=SCHEME_NAME, period_kind="month", description=DESCRIPTION, indicators=indicators)
    return save_scheme(db, admin, None, data)


def _correction(db: Session, assessment_id: int) -> CorrectionIn | None:
    """One item taken off a department's record, as an administrator's review would: an overdue case of the
    department with the most, or else one late item of a rate (a push, a warning …) counted as in time."""
    found = db.get(Assessment, assessment_id)
    if found is None:
        return None
    scores = [(score, result) for result in found.results for score in result.scores if score.score is not None]
    overdue = [(s, r) for s, r in scores if s.indicator == "overdue_count" and (s.value or 0) > 0]
    if overdue:
        score, result = max(overdue, key=lambda pair: (pair[0].value or 0, -pair[1].department_id))
        value = min(100.0, float(score.score or 0) + 10)
        return CorrectionIn(
            department_id=result.department_id, indicator=score.indicator, value=value, reason=REASONS[0]
        )
    late = [
        (s, r) for s, r in scores if INDICATORS[s.indicator].scoring == Scoring.RATE and s.numerator < s.denominator
    ]
    if not late:
        return None
    score, result = min(late, key=lambda pair: (pair[0].score or 0, pair[1].department_id))
    value = round(float((score.numerator + 1) / score.denominator) * 100, 2)
    return CorrectionIn(department_id=result.department_id, indicator=score.indicator, value=value, reason=REASONS[1])


def seed(db: Session) -> int:
    """The default scheme and last month's published assessment; the id of that assessment (0 when it was
    there already or there is no administrator)."""
    admin = org_service.get_user_by_username(db=db, username="admin")
    if admin is None:
        return 0
    with acting(Actor(id=admin.id, name=admin.name, kind="user", ip="10.0.0.1")):
        scheme = seed_scheme(db, admin)
        period = periods.previous(scheme.period_kind, today())
        if service.versions(db, scheme.id, period.start):
            db.commit()
            return 0
        draft = service.compute(db, admin, ComputeIn(scheme_id=scheme.id, period=period.code))
        correction = _correction(db, draft.id)
        if correction is not None:
            service.correct(db, admin, draft.id, correction)
        service.publish(db, admin, draft.id)
    db.commit()
    return draft.id
