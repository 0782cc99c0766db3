"""Knowledge tests share the root fixtures (curators, live_app, fresh caches) and the published demo knowledge."""

import pytest
from sqlalchemy.orm import Session

from core.seed import demo
from knowledge.plugin import seed
from tests import snapshot


@pytest.fixture
def seeded(db: Session) -> Session:
    """The demo catalogue and the demo knowledge, published. Seeded once a run (~1,000 rows through the services:
    seconds on MariaDB); later tests get the same rows written back into their emptied tables (tests/snapshot.py)."""
    if snapshot.restored("demo catalogue and knowledge") is None:
        empty = snapshot.is_empty()
        demo.ensure_roles(db)
        demo.seed_items(db, demo.seed_departments(db))
        db.commit()
        seed(db)
        snapshot.keep("demo catalogue and knowledge", True, was_empty=empty)
    return db
