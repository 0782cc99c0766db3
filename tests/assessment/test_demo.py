"""The demo has the default scheme and last month's assessment, published with one recorded correction, and a
second run adds nothing."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.assessment import demo as assessment_demo
from core.assessment.models import Assessment, AssessmentCorrection, AssessmentScheme
from core.assessment.periods import previous
from core.clock import today
from core.seed import demo
from notifications.models import Notification


def test_the_demo_has_last_months_assessment_published(db: Session) -> None:
    demo.seed_all(db, cases=160, seed=7)
    scheme = db.scalar(select(AssessmentScheme))
    assert scheme is not None and sum(i.weight for i in scheme.indicators) == 100 and len(scheme.indicators) == 8
    found = db.scalars(select(Assessment)).all()
    assert [(a.period_label, a.status) for a in found] == [(previous("month", today()).label, "published")]
    ranked = [r for r in found[0].results if r.rank is not None]
    assert len(ranked) >= 5 and min(r.rank for r in ranked) == 1
    correction = db.scalar(select(AssessmentCorrection))  # the review took one late item off a department's record
    assert (
        correction is not None and "经核实" in correction.reason and correction.new_value > (correction.old_value or 0)
    )
    kinds = dict(db.execute(select(Notification.kind, func.count()).group_by(Notification.kind)).all())
    assert kinds.get("assessment.published", 0) >= len(ranked) and kinds.get("assessment.ranking", 0) >= 1
    assert assessment_demo.seed(db) == 0  # a second run keeps what is there
    assert db.scalar(select(func.count()).select_from(Assessment)) == 1
