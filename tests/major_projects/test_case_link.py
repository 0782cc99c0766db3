"""A case registered for a major project: the window clerk names the project, acceptance fills the node's actual
start and the conclusion its actual finish; refused and not-permitted cases leave the node open; a project
outside the clerk's scope, or without an open node of the item, is refused in Chinese with nothing saved — by the
case service itself, whoever calls it."""

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core import clock
from core.cases import registration
from core.cases import service as case_service
from core.cases.schemas import SubmitIn
from core.errors import NotFound, PermissionDenied
from core.items import service as item_service
from core.org.models import User
from tests.helpers import PERSON, act, api_error, db_state, paper_materials
from tests.major_projects.conftest import add_node, create_project, detail, node_named
from tests.world import World, item_in

ACCEPTED_AT = datetime(2026, 9, 24, 10, 0)  # Thursday before Mid-Autumn (9/25) and National Day (10/1–7)
CONCLUDED_AT = datetime(2026, 9, 29, 15, 0)


def register_for(client: TestClient, world: World, project_id: int | None, who: str = "clerk_a") -> Any:
    body = {
        "service_item_id": world.item.id,
        "applicant": PERSON,
        "materials": paper_materials(world),
        "major_project_id": project_id,
    }
    return client.post("/api/v1/cases/window", json=body, headers=world.auth(who))


def road_project(client: TestClient, world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    """A project of A with an approval node for A's road item (5 working days)."""
    project = create_project(client, world)
    node = add_node(
        client,
        world,
        project["id"],
        name="占用、挖掘城市道路审批",
        department_id=world.dept_a.id,
        service_item_id=world.item.id,
        stage="construction",
        time_limit_days=5,
        planned_start="2026-09-24",
    )
    return project, node


def test_acceptance_and_conclusion_fill_the_node(client: TestClient, tracking: World) -> None:
    world = tracking
    clock.freeze(ACCEPTED_AT)
    project, node = road_project(client, world)
    assert node["state"] == "pending" and node["planned_finish"] == "2026-10-08"  # 9/24, 9/28, 9/29, 9/30, 10/8

    new = register_for(client, world, project["id"])
    assert new.status_code == 201, new.text
    case_id = new.json()["case_id"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=world.auth("clerk_a")).json()
    assert case["major_project"] == {
        "id": project["id"],
        "code": project["code"],
        "name": "智能装备产业园一期",
        "node_id": None,
        "node_name": "",
    }
    assert node_named(detail(client, world, project["id"]), node["name"])["state"] == "pending"

    act(client, world, case_id, "accept")
    started = node_named(detail(client, world, project["id"]), node["name"])
    assert (started["state"], started["actual_start"], started["actual_finish"]) == ("in_progress", "2026-09-24", None)
    assert started["case_id"] == case_id and started["case_no"] == new.json()["case_no"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=world.auth("clerk_a")).json()
    assert case["major_project"]["node_name"] == "占用、挖掘城市道路审批"

    act(client, world, case_id, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, case_id, "decide", who="leader", agree=True, opinion="同意")
    clock.freeze(CONCLUDED_AT)
    act(client, world, case_id, "conclude", who="officer_a", result=0)
    done = node_named(detail(client, world, project["id"]), node["name"])
    assert (done["state"], done["actual_start"], done["actual_finish"]) == ("done", "2026-09-24", "2026-09-29")
    assert done["overdue"] is False
    progress = detail(client, world, project["id"])["progress"]
    assert progress["overall"] == {"key": "overall", "label": "全部审批节点", "done": 1, "total": 1, "percent": 100}

    # the node is done: a further case of the item cannot be registered for the project
    before = db_state()
    refused = api_error(register_for(client, world, project["id"]), 422)
    assert "没有待办理的“占用、挖掘城市道路审批”审批节点" in refused["message"]
    assert db_state() == before


def test_a_refused_case_leaves_the_node_open(client: TestClient, tracking: World) -> None:
    world = tracking
    clock.freeze(ACCEPTED_AT)
    project, node = road_project(client, world)
    case_id = register_for(client, world, project["id"]).json()["case_id"]
    act(client, world, case_id, "refuse", opinion="申请材料与项目不符")
    after = node_named(detail(client, world, project["id"]), node["name"])
    assert (after["state"], after["actual_start"], after["case_id"]) == ("pending", None, None)
    # and a new case can still be registered for it
    assert register_for(client, world, project["id"]).status_code == 201


def test_a_case_not_permitted_opens_the_node_again(client: TestClient, tracking: World) -> None:
    world = tracking
    clock.freeze(ACCEPTED_AT)
    project, node = road_project(client, world)
    case_id = register_for(client, world, project["id"]).json()["case_id"]
    act(client, world, case_id, "accept")
    act(client, world, case_id, "review", who="officer_a", agree=False, opinion="施工方案不满足交通组织要求")
    act(client, world, case_id, "decide", who="leader", agree=False, opinion="不同意")
    clock.freeze(CONCLUDED_AT)
    act(client, world, case_id, "conclude", who="officer_a", result=1, reason="交通组织方案不可行")
    after = node_named(detail(client, world, project["id"]), node["name"])
    assert (after["state"], after["actual_start"], after["actual_finish"], after["case_id"]) == (
        "pending",
        None,
        None,
        None,
    )
    assert "不予许可" in after["note"] and "节点重新开放" in after["note"]


def test_a_project_of_another_departments_scope_is_refused(client: TestClient, tracking: World, db: Any) -> None:
    world = tracking
    b_item = item_service.save(db, None, item_in(world.dept_b, name="排污许可", code="TEST-DB-排污许可"))
    db.commit()
    # B leads the project and owns its only node: A has nothing in it
    project = create_project(client, world, lead_department_id=world.dept_b.id, name="污水处理厂提标改造")
    add_node(client, world, project["id"], name="排污许可", department_id=world.dept_b.id, service_item_id=b_item.id)
    before = db_state()
    error = api_error(register_for(client, world, project["id"]), 403)
    assert "不在您的数据权限范围内" in error["message"]
    assert db_state() == before
    # a project that does not exist, and a citizen naming a project not made from their own filing project
    api_error(register_for(client, world, 999_999), 404)
    road, _ = road_project(client, world)
    online = {
        "service_item_id": world.item.id,
        "applicant": PERSON,
        "materials": [],
        "major_project_id": road["id"],
    }
    before = db_state()
    api_error(client.post("/api/v1/cases", json=online, headers=world.auth("citizen")), 403)
    assert db_state() == before


def test_a_project_with_no_node_for_the_item_is_refused(client: TestClient, tracking: World) -> None:
    world = tracking
    project = create_project(client, world)
    add_node(client, world, project["id"], name="建设工程规划许可证核发", department_id=world.dept_c.id)
    before = db_state()
    error = api_error(register_for(client, world, project["id"]), 422)
    assert error["field"] == "major_project_id"
    assert db_state() == before


def test_the_clerk_is_offered_the_projects_with_an_open_node_of_the_item(client: TestClient, tracking: World) -> None:
    world = tracking
    clock.freeze(ACCEPTED_AT)
    project, _ = road_project(client, world)
    other = create_project(client, world, name="滨湖学校新建工程", category="livelihood")
    add_node(client, world, other["id"], name="消防设计审查", department_id=world.dept_c.id)
    params = {"service_item_id": world.item.id}
    offered = client.get("/api/v1/major-projects/choices", params=params, headers=world.auth("clerk_a"))
    assert offered.status_code == 200, offered.text
    assert [p["id"] for p in offered.json()] == [project["id"]]
    assert client.get("/api/v1/major-projects/choices", params=params, headers=world.auth("clerk_b")).json() == []
    api_error(client.get("/api/v1/major-projects/choices", params=params, headers=world.auth("officer_a")), 403)


def test_the_case_service_itself_refuses_a_project_of_another_departments_scope(
    client: TestClient, tracking: World, db: Any
) -> None:
    """No caller can skip the check: a script calling the case service directly (no API, no page) is refused the
    same way, in Chinese, and nothing is saved; the same project of its own department is registered."""
    world = tracking
    b_item = item_service.save(db, None, item_in(world.dept_b, name="排污许可", code="TEST-DB-排污许可"))
    db.commit()
    others = create_project(client, world, lead_department_id=world.dept_b.id, name="污水处理厂提标改造")
    add_node(client, world, others["id"], name="排污许可", department_id=world.dept_b.id, service_item_id=b_item.id)
    own, _ = road_project(client, world)

    def data(project_id: int) -> SubmitIn:
        return SubmitIn.model_validate(
            {
                "service_item_id": world.item.id,
                "applicant": PERSON,
                "materials": paper_materials(world),
                "major_project_id": project_id,
            }
        )

    clerk = db.get(User, world.users["clerk_a"].id)
    before = db_state()
    with pytest.raises(PermissionDenied) as refused:
        case_service.register_at_window(db, clerk, data(others["id"]))
    db.rollback()
    assert refused.value.message == "重大项目“污水处理厂提标改造”不在您的数据权限范围内，不能为其登记办件"
    assert db_state() == before

    with pytest.raises(NotFound) as missing:
        case_service.register_at_window(db, clerk, data(999_999))
    db.rollback()
    assert missing.value.message == "所选重大项目不存在" and db_state() == before

    new = case_service.register_at_window(db, clerk, data(own["id"]))
    db.commit()
    assert new.case.major_project_id == own["id"]


def test_every_registration_validator_is_found() -> None:
    assert [v.__name__ for v in registration.validators()] == ["check_registration"]
