"""Fixtures for the knowledge base: an editor and a reviewer beside the world's people."""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from knowledge.search import service as search_service
from tests.conftest import World


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    """Each test starts with an empty search index in this process."""
    search_service.reset()
    yield
    search_service.reset()


@pytest.fixture
def curators(world: World, db: Session) -> World:
    """Adds an editor and a reviewer with tokens to the world."""
    for username, name, role in (("editor", "陈编辑", "editor"), ("reviewer", "林审核", "reviewer")):
        user = org_service.create_user(db=db, username=username, name=name, password=DEMO_PASSWORD, role_codes=[role])
        world.users[username] = user
        world.tokens[username] = org_service.issue_token(db=db, user=user, name="test")
    db.commit()
    return world
