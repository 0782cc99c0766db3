"""The demo shows warnings in every state: scanned three working days ago and now over the demo's open cases and
major projects, some signed, handled and closed in between, yellow ones turned red and ended, some escalated."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.early_warnings import demo as warning_demo
from core.early_warnings.models import EarlyWarning
from core.seed import demo


@pytest.mark.slow  # seeds the whole demo centre (hundreds of cases through the services)
def test_the_demo_has_warnings_in_every_state(db: Session) -> None:
    demo.seed_all(db, cases=120, seed=11)
    states = dict(db.execute(select(EarlyWarning.state, func.count()).group_by(EarlyWarning.state)).all())
    assert {"open", "signed", "handled", "closed", "ended"} <= set(states), states
    kinds = {k for (k,) in db.execute(select(EarlyWarning.subject_kind).distinct())}
    assert {"case", "node"} <= kinds, kinds
    assert db.scalar(select(func.count()).select_from(EarlyWarning).where(EarlyWarning.escalated_at.is_not(None)))
    assert warning_demo.seed(db) == 0  # once
