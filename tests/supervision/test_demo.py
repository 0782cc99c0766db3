"""The demo has push configurations for licensed items and pushes in every state, chased where late."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.seed import demo
from core.supervision import demo as supervision_demo
from core.supervision.models import SupervisionConfig, SupervisionEscalation, SupervisionFeedback, SupervisionPush


@pytest.mark.slow  # seeds the whole demo centre (hundreds of cases through the services)
def test_the_demo_has_configurations_and_pushes_in_every_state(db: Session) -> None:
    demo.seed_all(db, cases=160, seed=7)
    configs = list(db.scalars(select(SupervisionConfig)))
    assert len(configs) >= 8 and all(c.item.issues_licence and c.departments for c in configs)
    states = dict(db.execute(select(SupervisionPush.status, func.count()).group_by(SupervisionPush.status)).all())
    assert set(states) == {"pushed", "claimed", "fed_back"}, states
    assert db.scalar(select(func.count()).select_from(SupervisionFeedback)) == states["fed_back"]
    assert db.scalar(select(func.count()).select_from(SupervisionEscalation))
    assert any(f.problems_found for f in db.scalars(select(SupervisionFeedback)))
    assert supervision_demo.seed(db) == 0  # a second run keeps what is there
