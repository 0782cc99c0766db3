# ruff: noqa: F811  (a test takes the imported filing fixture by name)
"""The register: a project made from a filing project's confirmed flow or registered directly, who sees and
changes which project, bad input refused in Chinese with nothing saved."""

from typing import Any

from fastapi.testclient import TestClient

from core.validators import credit_code_check_char
from tests.helpers import PERSON, api_error, db_state, upload_pdf
from tests.major_projects.conftest import (
    add_node,
    confirmed_filing_project,
    create_project,
    detail,
    project_body,
)
from tests.projects.conftest import Filing, filing  # noqa: F401  (the filing world, a fixture)
from tests.world import World


def test_a_project_from_a_confirmed_filing_project_has_one_node_per_approval(
    client: TestClient, tracking: World, filing: Filing
) -> None:
    world = tracking
    source = confirmed_filing_project(client, filing)
    citizen = world.auth("citizen")
    flow = client.get(f"/api/v1/projects/{source['id']}/flow", headers=citizen).json()["flow"]
    items = [i for stage in flow["stages"] for i in stage["items"]]
    body = {
        "category": "industry",
        "project_id": source["id"],
        "lead_department_id": filing.departments["D35"].id,
        "planned_start": "2026-09-18",
        "investment": "8000",
    }
    answer = client.post("/api/v1/major-projects", json=body, headers=world.auth("tracker"))
    assert answer.status_code == 201, answer.text
    project = answer.json()
    assert (project["name"], project["enterprise_name"], project["location"]) == (
        source["name"],
        source["enterprise_name"],
        source["location"],
    )
    assert project["code"].startswith("ZD") and project["project_code"] == source["code"]
    nodes = {n["approval_code"]: n for n in project["nodes"]}
    assert set(nodes) == {i["code"] for i in items}
    codes = {d.id: code for code, d in filing.departments.items()}
    for item in items:
        made = nodes[item["code"]]
        assert (made["name"], made["time_limit_days"], made["depends_on"]) == (
            item["name"],
            item["time_limit_days"],
            item["depends_on"],
        )
        assert codes[made["department"]["id"]] == item["department_code"]
        assert made["planned_start"] and made["planned_finish"] and made["state"] == "pending"
    first = min(project["nodes"], key=lambda n: n["planned_start"])
    assert first["planned_start"] == "2026-09-18"  # the first working day on or after the start
    assert project["progress"]["overall"]["total"] == len(items)
    assert [s["label"] for s in project["progress"]["by_stage"]] == [s["name"] for s in flow["stages"] if s["items"]]

    before = db_state()
    twice = api_error(client.post("/api/v1/major-projects", json=body, headers=world.auth("tracker")), 409)
    assert project["code"] in twice["message"]
    assert db_state() == before

    # the filer applies online for it: a node of A's item added by hand takes the case
    node = add_node(
        client, world, project["id"], name="占道施工许可", department_id=world.dept_a.id, service_item_id=world.item.id
    )
    materials = [
        {"item_material_id": m.id, "upload_id": upload_pdf(client, world, "citizen", f"{m.name}.pdf")}
        for m in world.item.materials
        if m.required
    ]
    online = {"service_item_id": world.item.id, "applicant": PERSON, "materials": materials}
    applied = client.post("/api/v1/cases", json={**online, "major_project_id": project["id"]}, headers=citizen)
    assert applied.status_code == 201, applied.text
    own = client.get(f"/api/v1/cases/{applied.json()['case_id']}", headers=citizen).json()
    assert own["major_project"]["id"] == project["id"]
    # another citizen may not name it
    other = client.post(
        "/api/v1/cases", json={**online, "major_project_id": project["id"]}, headers=world.auth("citizen2")
    )
    api_error(other, 403)
    assert node["state"] == "pending"


def test_a_filing_project_not_yet_confirmed_is_refused(client: TestClient, tracking: World, filing: Filing) -> None:
    from tests.projects.conftest import new_project

    world = tracking
    draft = new_project(client, filing)
    body = {"category": "industry", "project_id": draft["id"], "lead_department_id": world.dept_a.id}
    before = db_state()
    error = api_error(client.post("/api/v1/major-projects", json=body, headers=world.auth("tracker")), 409)
    assert "尚未经各部门确认" in error["message"]
    assert db_state() == before


def refused(client: TestClient, world: World, status: int, **overrides: Any) -> str:
    before = db_state()
    answer = client.post("/api/v1/major-projects", json=project_body(world, **overrides), headers=world.auth("tracker"))
    error = api_error(answer, status)
    assert db_state() == before
    return str(error["message"])


def test_bad_registrations_are_refused_in_chinese(client: TestClient, tracking: World) -> None:
    world = tracking
    assert "项目类别只能是" in refused(client, world, 422, category="mega")
    assert "项目阶段只能是" in refused(client, world, 422, stage="dreaming")
    body = "91320583MA1XXXXXX"
    wrong = "0" if credit_code_check_char(body) != "0" else "1"
    assert "校验位不正确" in refused(client, world, 422, credit_code=body + wrong)
    assert "不能早于开始日期" in refused(client, world, 422, planned_start="2027-03-01", planned_finish="2026-12-31")
    assert "责任领导不存在" in refused(client, world, 422, leader_id=world.users["citizen"].id)
    assert "部门不存在" in refused(client, world, 422, lead_department_id=999_999)
    assert "请填写项目名称" in refused(client, world, 422, name="")
    # an officer has no right to register, a clerk not even to read
    api_error(client.post("/api/v1/major-projects", json=project_body(world), headers=world.auth("officer_a")), 403)
    api_error(client.get("/api/v1/major-projects", headers=world.auth("clerk_a")), 403)


def listed(client: TestClient, world: World, who: str, **params: Any) -> list[str]:
    answer = client.get("/api/v1/major-projects", params=params, headers=world.auth(who))
    assert answer.status_code == 200, answer.text
    return sorted(p["name"] for p in answer.json()["items"])


def test_department_scope_follows_the_departments_involved(client: TestClient, tracking: World) -> None:
    world = tracking
    park = create_project(client, world, name="智能装备产业园")
    school = create_project(client, world, name="滨湖学校", category="livelihood", lead_department_id=world.dept_b.id)
    assert listed(client, world, "leader") == ["智能装备产业园", "滨湖学校"]
    assert listed(client, world, "officer_a") == ["智能装备产业园"]  # A leads it
    assert listed(client, world, "officer_b") == ["滨湖学校"]
    assert listed(client, world, "officer_c") == []
    api_error(client.get(f"/api/v1/major-projects/{park['id']}", headers=world.auth("officer_c")), 403)
    # C owns a node of the park now: its officer sees it, and only it
    add_node(client, world, park["id"], name="消防设计审查", department_id=world.dept_c.id)
    assert listed(client, world, "officer_c") == ["智能装备产业园"]
    assert detail(client, world, park["id"], who="officer_c")["can_manage"] is False
    # B is asked to help with a problem of the park: B's officer sees the park too
    issue = {"title": "施工用电接入", "department_ids": [world.dept_b.id], "due_on": "2099-01-31"}
    raised = client.post(f"/api/v1/major-projects/{park['id']}/issues", json=issue, headers=world.auth("officer_a"))
    assert raised.status_code == 201, raised.text
    assert listed(client, world, "officer_b") == ["智能装备产业园", "滨湖学校"]
    # a filter narrows within the scope, never widens it: B's own school stays out of C's list
    assert listed(client, world, "officer_c", department_id=world.dept_b.id) == ["智能装备产业园"]
    # readers do not manage; the tracker does
    before = db_state()
    change = {"stage": "construction"}
    api_error(client.patch(f"/api/v1/major-projects/{school['id']}", json=change, headers=world.auth("officer_b")), 403)
    api_error(client.patch(f"/api/v1/major-projects/{school['id']}", json=change, headers=world.auth("leader")), 403)
    assert db_state() == before
    changed = client.patch(f"/api/v1/major-projects/{school['id']}", json=change, headers=world.auth("tracker"))
    assert changed.status_code == 200 and changed.json()["stage_label"] == "建设", changed.text


def test_writes_are_audited_under_their_business_action(client: TestClient, tracking: World, db: Any) -> None:
    from sqlalchemy import select

    from core.audit.models import AuditLog

    world = tracking
    project = create_project(client, world)
    add_node(client, world, project["id"], name="用地预审", department_id=world.dept_a.id)
    rows = db.execute(select(AuditLog.action, AuditLog.entity, AuditLog.actor_name)).all()
    assert ("major_project.create", "major_project", "郑专员(tracker)") in rows
    assert ("major_project.node_add", "project_node", "郑专员(tracker)") in rows
