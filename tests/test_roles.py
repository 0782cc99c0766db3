"""角色管理: the security administrator creates a role (never one combining two of the three duties) and deletes a
role nobody holds; the built-in roles and held roles stay; nobody else may do either."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.org.models import Role
from core.org.roles import BUILT_IN
from core.seed.demo import DEMO_PASSWORD, ROLES
from tests.helpers import api_error, db_state
from tests.web.conftest import Browser
from tests.web.conftest import browser as browser  # the web pages' logged-in client
from tests.world import World


@pytest.fixture
def security(world: World, db: Session) -> Iterator[World]:
    user = org_service.create_user(
        db=db, username="security", name="郑安全", password=DEMO_PASSWORD, role_codes=["security"]
    )
    world.users["security"] = user
    world.tokens["security"] = org_service.issue_token(db=db, user=user, name="test")
    db.commit()
    yield world


def test_the_built_in_list_names_the_seeded_roles() -> None:
    assert {spec.code for spec in ROLES} == BUILT_IN


def test_a_security_admin_creates_and_deletes_a_role(client: TestClient, security: World, db: Session) -> None:
    auth = security.auth("security")
    body = {
        "code": "window_lead",
        "name": "窗口组长",
        "permissions": ["case.read", "case.handle"],
        "data_scope": "department",
    }
    made = client.post("/api/v1/roles", json=body, headers=auth)
    assert made.status_code == 201, made.text
    assert made.json()["permissions"] == ["case.handle", "case.read"]
    api_error(client.post("/api/v1/roles", json=body, headers=auth), 409)  # the code is taken
    mixed = {"code": "all_powers", "name": "全能", "permissions": ["security.manage", "audit.read"]}
    assert "三员分立" in api_error(client.post("/api/v1/roles", json=mixed, headers=auth), 403)["message"]
    bad_code = {"code": "窗口", "name": "窗口"}
    api_error(client.post("/api/v1/roles", json=bad_code, headers=auth), 422)

    role_id = made.json()["id"]
    holder = org_service.create_user(
        db=db,
        username="lead_a",
        name="组长",
        password=DEMO_PASSWORD,
        role_codes=["window_lead"],
        department_id=security.dept_a.id,
    )
    db.commit()
    before = db_state()
    held = api_error(client.delete(f"/api/v1/roles/{role_id}", headers=auth), 409)
    assert "仍有 1 个账号" in held["message"]
    clerk_role = db.scalar(select(Role).where(Role.code == "clerk"))
    assert clerk_role is not None
    assert "内置角色" in api_error(client.delete(f"/api/v1/roles/{clerk_role.id}", headers=auth), 403)["message"]
    api_error(client.delete(f"/api/v1/roles/{role_id}", headers=security.auth("admin")), 403)  # 三员分立
    assert db_state() == before

    holder.roles = []
    db.commit()
    assert client.delete(f"/api/v1/roles/{role_id}", headers=auth).status_code == 204
    db.expire_all()
    assert db.get(Role, role_id) is None


def test_the_roles_page_adds_and_deletes_a_role(
    security: World, db: Session, browser: Callable[[str | None], Browser]
) -> None:
    admin = browser("security")
    form = {"code": "window_lead", "name": "窗口组长", "permissions": ["case.read"], "scope": "department"}
    done = admin.submit("/admin/roles", "/admin/roles/new", form)
    assert "角色“窗口组长”已新增" in done.text
    again = admin.submit("/admin/roles", "/admin/roles/new", form)
    assert "已被使用" in again.text and 'value="window_lead"' in again.text  # shown again with what was typed
    role = db.scalar(select(Role).where(Role.code == "window_lead"))
    assert role is not None
    assert f'action="/admin/roles/{role.id}/delete"' in done.text
    clerk_role = db.scalar(select(Role).where(Role.code == "clerk"))
    assert clerk_role is not None and f'action="/admin/roles/{clerk_role.id}/delete"' not in done.text
    gone = admin.submit("/admin/roles", f"/admin/roles/{role.id}/delete", {})
    assert "角色“窗口组长”已删除" in gone.text
