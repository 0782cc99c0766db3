"""The tracking world: the test world's departments A, B and C, a 项目专员 (tracker, all scope) and an officer of B,
and helpers that register projects, add nodes and milestones through the API."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from tests.web.conftest import browser  # noqa: F401  (the admin page tests log in through the real form)
from tests.world import World

TRACKER = "tracker"


@pytest.fixture
def tracking(world: World, db: Session) -> World:
    """The world with a tracker (项目专员, all scope) and an officer of B (department scope)."""
    tracker = org_service.create_user(
        db=db, username=TRACKER, name="郑专员", password=DEMO_PASSWORD, role_codes=["tracker"]
    )
    officer_b = org_service.create_user(
        db=db,
        username="officer_b",
        name="吴环保",
        password=DEMO_PASSWORD,
        role_codes=["officer"],
        department_id=world.dept_b.id,
    )
    for key, user in ((TRACKER, tracker), ("officer_b", officer_b)):
        world.users[key] = user
        world.tokens[key] = org_service.issue_token(db=db, user=user, name="test")
    db.commit()
    return world


def project_body(world: World, **overrides: Any) -> dict[str, Any]:
    """A project registered directly, led by department A."""
    body: dict[str, Any] = {
        "name": "智能装备产业园一期",
        "category": "industry",
        "stage": "approval",
        "enterprise_name": "XX智能装备有限公司",
        "location": "经济开发区星湖街88号",
        "investment": "52000",
        "lead_department_id": world.dept_a.id,
        "leader_id": world.users["leader"].id,
    }
    return body | overrides


def create_project(client: TestClient, world: World, who: str = TRACKER, **overrides: Any) -> dict[str, Any]:
    """Registers a project through the API and returns it."""
    response = client.post("/api/v1/major-projects", json=project_body(world, **overrides), headers=world.auth(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def add_node(client: TestClient, world: World, project_id: int, who: str = TRACKER, **body: Any) -> dict[str, Any]:
    """Adds a node by hand through the API and returns it."""
    response = client.post(f"/api/v1/major-projects/{project_id}/nodes", json=body, headers=world.auth(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def detail(client: TestClient, world: World, project_id: int, who: str = TRACKER) -> dict[str, Any]:
    """The project as the API shows it."""
    response = client.get(f"/api/v1/major-projects/{project_id}", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def node_named(project: dict[str, Any], name: str) -> dict[str, Any]:
    """The project's node of that name."""
    return next(n for n in project["nodes"] if n["name"] == name)


def confirmed_filing_project(client: TestClient, filing: Any) -> dict[str, Any]:
    """The citizen's factory project, derived, sent for review and confirmed by every department."""
    from tests.projects.conftest import new_project

    citizen = filing.world.auth("citizen")
    project = new_project(client, filing)
    assert client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen).status_code == 200
    reviews = client.post(f"/api/v1/projects/{project['id']}/review", headers=citizen)
    assert reviews.status_code == 200, reviews.text
    codes = {d.id: code for code, d in filing.departments.items()}
    for review in reviews.json():
        who = f"officer_{codes[review['department_id']].lower()}"
        done = client.post(
            f"/api/v1/project-reviews/{review['id']}/confirm", json={"opinion": "同意"}, headers=filing.token_of(who)
        )
        assert done.status_code == 200, done.text
    return dict(client.get(f"/api/v1/projects/{project['id']}", headers=citizen).json())
