"""三员分立: the system administrator, the security administrator and the auditor each keep to their own powers,
nobody grants themselves another's, and only auditors read and export the audit log."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.org.models import Role, User, user_role
from core.seed.demo import DEMO_PASSWORD
from tests.helpers import api_error, register
from tests.web.conftest import browser  # noqa: F401  (the web pages' logged-in client)
from tests.world import World


@pytest.fixture
def trio(world: World, db: Session) -> Iterator[World]:
    """The world with a security administrator and an auditor beside its system administrator."""
    for username, name, role in (("security", "郑安全", "security"), ("auditor", "钱审计", "auditor")):
        user = org_service.create_user(db=db, username=username, name=name, password=DEMO_PASSWORD, role_codes=[role])
        world.users[username] = user
        world.tokens[username] = org_service.issue_token(db=db, user=user, name="test")
    db.commit()
    yield world


def roles_of(db: Session, username: str) -> list[str]:
    db.rollback()
    query = select(Role.code).join(user_role, user_role.c.role_id == Role.id).join(User, User.id == user_role.c.user_id)
    return sorted(db.scalars(query.where(User.username == username)))


def set_roles(client: TestClient, world: World, who: str, target: str, roles: list[str]) -> Any:
    return client.patch(f"/api/v1/users/{world.users[target].id}", json={"roles": roles}, headers=world.auth(who))


def test_only_auditors_read_and_export_the_audit_log(client: TestClient, trio: World) -> None:
    register(client, trio)
    for who in ("admin", "security", "clerk_a", "leader", "citizen"):
        api_error(client.get("/api/v1/audit", headers=trio.auth(who)), 403)
    answer = client.get("/api/v1/audit", headers=trio.auth("auditor"))
    assert answer.status_code == 200 and answer.json()["total"] > 0


def test_nobody_changes_their_own_roles(client: TestClient, trio: World, db: Session) -> None:
    for who, wanted in (("security", ["security", "auditor"]), ("admin", ["admin", "leader"]), ("auditor", ["leader"])):
        error = api_error(set_roles(client, trio, who, who, wanted), 403)
        assert "自己" in error["message"] or "权限" in error["message"]
        assert roles_of(db, who) == [who]


def test_the_security_admin_cannot_become_admin_or_auditor(client: TestClient, trio: World, db: Session) -> None:
    for wanted in (["security", "admin"], ["security", "auditor"], ["admin"], ["auditor"]):
        api_error(set_roles(client, trio, "security", "security", wanted), 403)
    assert roles_of(db, "security") == ["security"]
    # nor through the role itself: editing a role one holds is refused, and so is merging duties into a role
    security_role = db.scalar(select(Role).where(Role.code == "security"))
    leader_role = db.scalar(select(Role).where(Role.code == "leader"))
    assert security_role is not None and leader_role is not None
    body = {"permissions": ["security.manage", "audit.read"], "data_scope": "all"}
    api_error(client.put(f"/api/v1/roles/{security_role.id}", json=body, headers=trio.auth("security")), 403)
    merged = {"permissions": ["org.manage", "audit.read"], "data_scope": "all"}
    error = api_error(client.put(f"/api/v1/roles/{leader_role.id}", json=merged, headers=trio.auth("security")), 403)
    assert "三员分立" in error["message"]


def test_the_system_admin_grants_business_roles_but_not_the_three_duties(
    client: TestClient, trio: World, db: Session
) -> None:
    assert set_roles(client, trio, "admin", "clerk_a", ["clerk", "officer"]).status_code == 200
    assert roles_of(db, "clerk_a") == ["clerk", "officer"]
    for duty in ("auditor", "security", "admin"):
        error = api_error(set_roles(client, trio, "admin", "leader", ["leader", duty]), 403)
        assert "安全管理员" in error["message"]
    assert roles_of(db, "leader") == ["leader"]
    # nor a new account with one of them
    body = {"username": "new_auditor", "name": "新审计", "password": "Tongban#2026a", "roles": ["auditor"]}
    api_error(client.post("/api/v1/users", json=body, headers=trio.auth("admin")), 403)
    # nor change what a role may do
    role = db.scalar(select(Role).where(Role.code == "clerk"))
    assert role is not None
    body2 = {"permissions": ["case.read"], "data_scope": "department"}
    api_error(client.put(f"/api/v1/roles/{role.id}", json=body2, headers=trio.auth("admin")), 403)


def test_the_security_admin_appoints_others_but_never_two_duties_at_once(
    client: TestClient, trio: World, db: Session
) -> None:
    assert set_roles(client, trio, "security", "leader", ["leader", "auditor"]).status_code == 200
    assert roles_of(db, "leader") == ["auditor", "leader"]
    error = api_error(set_roles(client, trio, "security", "leader", ["admin", "auditor"]), 403)
    assert "三员分立" in error["message"]
    # the security admin assigns roles only: the account itself is the system administrator's
    changed = client.patch(
        f"/api/v1/users/{trio.users['leader'].id}", json={"name": "改名"}, headers=trio.auth("security")
    )
    api_error(changed, 403)


def test_the_auditor_can_do_nothing_else(client: TestClient, trio: World) -> None:
    api_error(client.get("/api/v1/users", headers=trio.auth("auditor")), 403)
    api_error(client.get("/api/v1/roles", headers=trio.auth("auditor")), 403)
    body = {"code": "DX", "name": "审计局"}
    api_error(client.post("/api/v1/departments", json=body, headers=trio.auth("auditor")), 403)
    api_error(set_roles(client, trio, "auditor", "leader", ["leader", "auditor"]), 403)


def test_the_audit_page_reads_as_words_for_the_auditor(client: TestClient, trio: World, browser: Any) -> None:  # noqa: F811
    from tests.helpers import act

    cid = register(client, trio)["case_id"]
    act(client, trio, cid, "accept", opinion="材料齐全")
    auditor = browser("auditor")
    page = auditor.get("/admin/audit")
    assert page.status_code == 200, page.text
    html = page.text
    assert "新增办件" in html and "修改办件" in html  # Chinese action names, not case.insert / case.update
    assert "张窗口（clerk_a）" in html  # the person's name
    assert "case.insert" not in html and "case.update" not in html and "user#" not in html
    for row in client.get("/api/v1/audit", headers=trio.auth("auditor"), params={"page_size": 200}).json()["items"]:
        assert row["entity"] != "audit_log"
    import re

    assert not re.search(r"\b[0-9a-f]{64}\b", html)  # no chain hashes, no keyed hashes of ID numbers
    export = auditor.get("/admin/audit/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    admin_page = browser("admin").get("/admin/audit")
    assert admin_page.status_code == 403
