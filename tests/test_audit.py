"""Every write leaves an audit record: who, what, when, the values before and after; only auditors read them."""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from core import clock
from core.audit.models import AuditLog
from tests.helpers import PERSON, act, api_error, create_officer, db_state, register
from tests.world import WORKDAY, World

MONDAY = datetime(2026, 9, 28, 9, 30)


def audit_rows(db, **where: Any) -> list[AuditLog]:
    db.expire_all()
    query = select(AuditLog).order_by(AuditLog.id)
    for key, value in where.items():
        query = query.where(getattr(AuditLog, key) == value)
    return list(db.scalars(query))


def auditor(world: World) -> dict[str, str]:
    """The auditor's authorization (三员分立: only auditors read the log), created on first use."""
    if "auditor" not in world.tokens:
        from core.db import session_scope
        from core.org import service as org_service
        from core.seed.demo import DEMO_PASSWORD

        with session_scope() as db:
            user = org_service.create_user(
                db=db, username="auditor", name="钱审计", password=DEMO_PASSWORD, role_codes=["auditor"]
            )
            world.tokens["auditor"] = org_service.issue_token(db=db, user=user, name="test")
    return world.auth("auditor")


def audit_api(client: TestClient, world: World, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/audit", params={"page_size": 200, **params}, headers=auditor(world))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_register_and_accept_are_recorded_with_who_what_when(client: TestClient, world: World, db) -> None:
    clerk = world.users["clerk_a"]
    clock.freeze(WORKDAY)
    cid = register(client, world)["case_id"]
    clock.freeze(MONDAY)
    act(client, world, cid, "accept", opinion="材料齐全")
    rows = audit_rows(db, entity="case", entity_id=str(cid))
    assert [r.operation for r in rows] == ["insert", "update"]
    created, accepted = rows
    for row in rows:
        assert row.action.startswith("case"), row.action
        assert row.actor_id == clerk.id, (row.actor_id, row.actor_name)
        assert row.actor_name.startswith("张窗口"), row.actor_name
        assert row.actor_kind == "token"
    assert created.at == WORKDAY and accepted.at == MONDAY
    assert created.before is None and created.after is not None
    assert created.after["status"] == "submitted" and created.after["case_no"].startswith("KF20260924")
    assert accepted.before is not None and accepted.after is not None
    assert accepted.before["status"] == "submitted" and accepted.after["status"] == "processing"
    assert accepted.before["current_step"] == "accept" and accepted.after["current_step"] == "review"
    # the steps themselves are recorded too, by the same person
    steps = audit_rows(db, entity="case_step")
    assert len(steps) == 2 and all(s.actor_id == clerk.id for s in steps)
    assert [s.after["action"] for s in steps if s.after] == ["register", "accept"]


def test_audit_api_filters_by_entity_and_action(client: TestClient, world: World) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    by_entity = audit_api(client, world, entity="case")
    assert by_entity["total"] == 2 and {r["entity"] for r in by_entity["items"]} == {"case"}
    assert {r["entity_id"] for r in by_entity["items"]} == {str(cid)}
    updates = audit_api(client, world, action="case.update")
    assert updates["total"] == 1
    (row,) = updates["items"]
    assert row["before"]["status"] == "submitted" and row["after"]["status"] == "processing"
    assert audit_api(client, world, entity="case", entity_id=str(cid + 1000))["total"] == 0
    # newest first
    ids = [r["id"] for r in audit_api(client, world)["items"]]
    assert ids == sorted(ids, reverse=True)


def test_audit_api_filters_by_actor(client: TestClient, world: World) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    created = client.post("/api/v1/departments", json={"code": "DD", "name": "市场监管局"}, headers=world.auth("admin"))
    assert created.status_code == 201, created.text
    clerk = audit_api(client, world, actor="张窗口")
    assert clerk["total"] >= 4  # case insert and update, two steps, materials, applicant
    assert all(r["actor_name"].startswith("张窗口") for r in clerk["items"])
    assert {"case", "case_step", "applicant"} <= {r["entity"] for r in clerk["items"]}
    admin = audit_api(client, world, actor="管理员")
    assert [(r["entity"], r["operation"]) for r in admin["items"]] == [("department", "insert")]
    assert admin["items"][0]["after"]["name"] == "市场监管局"


def test_audit_api_filters_by_date(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    cid = register(client, world)["case_id"]
    clock.freeze(MONDAY)
    act(client, world, cid, "accept")
    monday = audit_api(client, world, date_from="2026-09-28", date_to="2026-09-28")
    assert monday["total"] >= 2
    assert all(r["at"].startswith("2026-09-28") for r in monday["items"])
    assert ("case", "update") in {(r["entity"], r["operation"]) for r in monday["items"]}
    thursday = audit_api(client, world, date_from="2026-09-24", date_to="2026-09-24")
    assert all(r["at"].startswith("2026-09-24") for r in thursday["items"])
    assert ("case", "insert") in {(r["entity"], r["operation"]) for r in thursday["items"]}
    assert audit_api(client, world, date_from="2026-09-25", date_to="2026-09-27")["total"] == 0
    both = audit_api(client, world, date_from="2026-09-24", date_to="2026-09-28", entity="case")
    assert both["total"] == 2


def test_only_auditors_read_the_audit_log(client: TestClient, world: World) -> None:
    register(client, world)
    api_error(client.get("/api/v1/audit"), 401)
    for who in ("citizen", "clerk_a", "clerk_b", "officer_a", "leader", "admin"):
        error = api_error(client.get("/api/v1/audit", headers=world.auth(who)), 403)
        assert "权限" in error["message"]
    assert audit_api(client, world)["total"] > 0


def test_refused_actions_leave_no_record_of_a_change(client: TestClient, world: World, db) -> None:
    cid = register(client, world)["case_id"]
    before = db_state()
    api_error(client.post(f"/api/v1/cases/{cid}/refuse", json={"opinion": " "}, headers=world.auth("clerk_a")), 422)
    api_error(client.post(f"/api/v1/cases/{cid}/accept", json={}, headers=world.auth("clerk_b")), 403)
    api_error(
        client.post(
            f"/api/v1/cases/{cid}/decide", json={"agree": True, "opinion": "同意"}, headers=world.auth("leader")
        ),
        409,
    )
    bad_dept = client.post("/api/v1/departments", json={"code": "DA", "name": "重复部门"}, headers=world.auth("admin"))
    api_error(bad_dept, 409)
    assert db_state() == before
    # a failed login is kept as an event, and it changes only the account's count towards the lockout
    failed = client.post("/api/v1/auth/token", json={"username": "clerk_a", "password": "wrong-password-1"})
    api_error(failed, 401)
    new_rows = audit_rows(db)[before["audit_log"] :]
    assert [(r.action, r.operation) for r in new_rows] == [("auth.login_failed", "event"), ("user.update", "update")]
    assert "wrong-password-1" not in str(new_rows[0].after)


def test_encrypted_fields_appear_masked_in_the_audit_log(client: TestClient, world: World, db) -> None:
    # (the world's citizens log in with their mobile number, so that number is no secret here; use others)
    applicant = {**PERSON, "phone": "13655556666"}
    clear = [PERSON["id_number"], "13655556666", "13911112222", "13700001234"]
    register(client, world, applicant=applicant)
    register(client, world, applicant={**applicant, "phone": "13911112222"})  # the applicant's phone changes
    created = create_officer(client, world, "13700001234")
    inserted = audit_rows(db, entity="applicant", operation="insert")[0].after
    assert inserted is not None
    assert inserted["id_number"] != PERSON["id_number"] and "*" in inserted["id_number"]
    assert inserted["phone"] != applicant["phone"] and "*" in inserted["phone"]
    (changed,) = audit_rows(db, entity="applicant", operation="update")
    assert changed.before and changed.after and set(changed.after) >= {"phone"}
    assert "*" in changed.before["phone"] and "*" in changed.after["phone"]
    assert changed.before["phone"] != changed.after["phone"]
    user_row = audit_rows(db, entity="user", entity_id=str(created.json()["id"]))[0]
    assert user_row.after and "*" in user_row.after["phone"] and user_row.after["password_hash"] == "******"
    # nowhere in the log, neither through the API nor in the table itself
    answer = client.get("/api/v1/audit", params={"page_size": 200}, headers=auditor(world)).text
    with db.get_bind().connect() as conn:
        raw = " ".join(str(row) for row in conn.execute(text("SELECT * FROM audit_log")))
    for value in clear:
        assert value not in answer and value not in raw, value


def test_every_table_has_a_chinese_name_for_the_audit_page() -> None:
    """The audit page names the object of a write by its table (新增登录会话, not 新增user_session)."""
    from core.audit.hooks import SKIP_TABLES
    from core.audit.labels import ENTITY_NAMES
    from core.models import Base

    unnamed = {name for name in Base.metadata.tables if name not in SKIP_TABLES} - set(ENTITY_NAMES)
    assert not unnamed, f"tables without a Chinese name in core/audit/labels.py ENTITY_NAMES: {sorted(unnamed)}"
