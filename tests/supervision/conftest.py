"""The supervision world: department A's licensed item is supervised by departments B and C, each with an
officer who holds supervision.handle."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from tests.helpers import PERSON, act, register
from tests.web.conftest import browser  # noqa: F401  (the admin page tests log in through the real form)
from tests.world import World

FIELDS = ["licence_no", "holder", "holder_id_number", "valid_until", "opinion", "materials"]


@pytest.fixture
def supervised(client: TestClient, world: World, db: Session) -> World:
    """The world, an officer of B, and a push configuration of the main item to B and C."""
    officer_b = org_service.create_user(
        db=db,
        username="officer_b",
        name="吴环保",
        password=DEMO_PASSWORD,
        role_codes=["officer"],
        department_id=world.dept_b.id,
    )
    world.users["officer_b"] = officer_b
    world.tokens["officer_b"] = org_service.issue_token(db=db, user=officer_b, name="test")
    db.commit()
    configure(client, world, [world.dept_b.id, world.dept_c.id])
    return world


def configure(client: TestClient, world: World, department_ids: list[int], **extra: Any) -> dict[str, Any]:
    """An admin configures the main item's pushes through the API."""
    body = {"service_item_id": world.item.id, "department_ids": department_ids, "fields": FIELDS, **extra}
    response = client.post("/api/v1/supervision/configs", json=body, headers=world.auth("admin"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def concluded(
    client: TestClient,
    world: World,
    result: int = 0,
    applicant: dict[str, Any] | None = None,
    item_id: int | None = None,
) -> dict[str, Any]:
    """A case of A registered, accepted, reviewed, decided and concluded with ``result``; its registration."""
    new = register(client, world, item_id=item_id, applicant=applicant or PERSON)
    cid = new["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件，现场核查通过")
    agree = result == 0
    act(client, world, cid, "decide", who="leader", agree=agree, opinion="同意许可" if agree else "不符合条件")
    body: dict[str, Any] = {"result": result}
    if result != 0:
        body["reason"] = "经审查不符合许可条件"
    act(client, world, cid, "conclude", who="officer_a", **body)
    return new


def pushes(client: TestClient, world: World, who: str = "admin", **params: Any) -> list[dict[str, Any]]:
    """The push list as ``who`` sees it."""
    response = client.get("/api/v1/supervision/pushes", params={"page_size": 200, **params}, headers=world.auth(who))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def claim(client: TestClient, world: World, push_id: int, who: str) -> Any:
    """``who`` claims a push through the API; the raw response."""
    return client.post(f"/api/v1/supervision/pushes/{push_id}/claim", headers=world.auth(who))


def feed_back(client: TestClient, world: World, push_id: int, who: str, **body: Any) -> Any:
    """``who`` feeds back a push through the API; the raw response."""
    payload = {"inspected": True, "inspected_on": None, "problems_found": False, "measures": "", **body}
    return client.post(f"/api/v1/supervision/pushes/{push_id}/feedback", json=payload, headers=world.auth(who))


def push_to(client: TestClient, world: World, department_id: int) -> dict[str, Any]:
    """The one push the admin sees for a department."""
    found = [p for p in pushes(client, world) if p["department_id"] == department_id]
    assert len(found) == 1, found
    return found[0]
