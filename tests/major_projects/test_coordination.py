"""Milestones, 问题协调 and 会商 through the API: what each person may do, and bad input refused in Chinese with
nothing saved."""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from core import clock
from tests.helpers import api_error, db_state
from tests.major_projects.conftest import create_project, detail
from tests.world import World

TODAY = datetime(2026, 10, 12, 9, 0)


def post(client: TestClient, world: World, who: str, path: str, body: dict[str, Any], status: int = 201) -> Any:
    answer = client.post(f"/api/v1/major-projects{path}", json=body, headers=world.auth(who))
    assert answer.status_code == status, answer.text
    return answer.json()


def refused(client: TestClient, world: World, who: str, path: str, body: dict[str, Any], status: int) -> str:
    before = db_state()
    error = api_error(client.post(f"/api/v1/major-projects{path}", json=body, headers=world.auth(who)), status)
    assert db_state() == before
    return str(error["message"])


def test_milestones_with_planned_and_actual_dates(client: TestClient, tracking: World) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = create_project(client, world)
    path = f"/{project['id']}/milestones"
    land = post(client, world, "tracker", path, {"kind": "land", "planned_finish": "2026-09-30"})
    assert (land["name"], land["kind_label"], land["overdue"]) == ("拿地", "拿地", True)  # not reached by 9/30
    custom = {"kind": "custom", "name": "首台设备进场", "planned_start": "2026-11-01", "planned_finish": "2026-11-20"}
    assert post(client, world, "tracker", path, custom)["overdue"] is False

    message = refused(
        client,
        world,
        "tracker",
        path,
        {"kind": "groundbreaking", "planned_start": "2026-12-01", "planned_finish": "2026-11-01"},
        422,
    )
    assert message == "里程碑“开工”的计划的完成日期（2026-11-01）不能早于开始日期（2026-12-01）"
    assert "不能早于开始日期" in refused(
        client,
        world,
        "tracker",
        path,
        {
            "kind": "groundbreaking",
            "planned_finish": "2026-11-01",
            "actual_start": "2026-10-10",
            "actual_finish": "2026-10-09",
        },
        422,
    )
    assert "不能晚于今天" in refused(
        client,
        world,
        "tracker",
        path,
        {"kind": "production", "planned_finish": "2027-06-30", "actual_finish": "2026-10-13"},
        422,
    )
    assert "请填写名称" in refused(
        client, world, "tracker", path, {"kind": "custom", "planned_finish": "2026-11-01"}, 422
    )
    assert "类型只能是" in refused(
        client, world, "tracker", path, {"kind": "party", "planned_finish": "2026-11-01"}, 422
    )
    api_error(
        client.post(
            f"/api/v1/major-projects{path}",
            json={"kind": "land", "planned_finish": "2026-11-01"},
            headers=world.auth("officer_a"),
        ),
        403,
    )

    reached = client.patch(
        f"/api/v1/major-projects/{project['id']}/milestones/{land['id']}",
        json={"actual_finish": "2026-10-09"},
        headers=world.auth("tracker"),
    )
    assert reached.status_code == 200 and reached.json()["actual_finish"] == "2026-10-09", reached.text
    progress = detail(client, world, project["id"])["progress"]["milestones"]
    assert (progress["done"], progress["total"], progress["percent"]) == (1, 2, 50)


def test_a_problem_is_raised_answered_by_the_departments_asked_and_closed(client: TestClient, tracking: World) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = create_project(client, world)
    path = f"/{project['id']}/issues"
    assert "请至少选择一个协调部门" in refused(
        client, world, "officer_a", path, {"title": "施工用电接入", "department_ids": [], "due_on": "2026-10-30"}, 422
    )
    assert "不能早于今天" in refused(
        client,
        world,
        "officer_a",
        path,
        {"title": "施工用电接入", "department_ids": [world.dept_b.id], "due_on": "2026-10-09"},
        422,
    )
    assert "部门不存在" in refused(
        client,
        world,
        "officer_a",
        path,
        {"title": "施工用电接入", "department_ids": [999_999], "due_on": "2026-10-30"},
        422,
    )
    refused(
        client,
        world,
        "officer_c",
        path,
        {"title": "x", "department_ids": [world.dept_b.id], "due_on": "2026-10-30"},
        403,
    )
    body = {
        "title": "施工用电接入",
        "description": "10千伏专线接入需跨越市政道路，需城管和环保部门协调",
        "department_ids": [world.dept_b.id, world.dept_c.id],
        "due_on": "2026-10-30",
    }
    issue = post(client, world, "officer_a", path, body)
    assert (issue["status_label"], issue["raised_by_name"]) == ("待答复", "李审批")
    assert [d["name"] for d in issue["departments"]] == ["生态环境分局", "消防救援大队"]

    replies = f"{path}/{issue['id']}/replies"
    refused(client, world, "clerk_b", replies, {"body": "同意"}, 403)  # no permission to read projects
    answered = post(client, world, "officer_b", replies, {"body": "已安排现场踏勘，本周内出具意见"})
    assert answered["status"] == "open"  # C has not answered yet
    assert "请填写答复内容" in refused(client, world, "officer_c", replies, {"body": "  "}, 422)
    answered = post(client, world, "officer_c", replies, {"body": "不涉及消防审查事项"})
    assert answered["status_label"] == "已答复"
    assert [(r["department"]["name"], r["author_name"]) for r in answered["replies"]] == [
        ("生态环境分局", "吴环保"),
        ("消防救援大队", "钱消防"),
    ]

    close = f"{path}/{issue['id']}/close"
    refused(client, world, "officer_b", close, {"note": "已解决"}, 403)  # neither the raiser nor a manager
    assert "请填写办结说明" in refused(client, world, "officer_a", close, {"note": ""}, 422)
    closed = post(client, world, "officer_a", close, {"note": "供电公司已出具接入方案，道路开挖已许可"}, 200)
    assert (closed["status_label"], closed["closing_note"]) == ("已办结", "供电公司已出具接入方案，道路开挖已许可")
    refused(client, world, "officer_b", replies, {"body": "补充意见"}, 409)


def test_a_meeting_with_decisions_and_their_owners(client: TestClient, tracking: World) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = create_project(client, world)
    path = f"/{project['id']}/meetings"
    body = {
        "held_on": "2026-10-10",
        "topic": "施工许可并联审批推进会",
        "host_name": "王建国",
        "participants": "城管、环保、消防",
        "summary": "研究施工许可办理中的问题",
        "decisions": [
            {
                "content": "环保部门本周内出具环评批复",
                "department_id": world.dept_b.id,
                "owner_name": "吴环保",
                "due_on": "2026-10-16",
            },
            {"content": "项目单位补齐施工图审查合格书", "owner_name": "刘工", "due_on": "2026-10-20"},
        ],
    }
    refused(client, world, "officer_a", path, body, 403)  # readers do not record meetings
    assert "不能晚于今天" in refused(client, world, "tracker", path, {**body, "held_on": "2026-10-13"}, 422)
    late = {**body, "decisions": [{"content": "补齐材料", "due_on": "2026-10-01"}]}
    assert "不能早于会商日期" in refused(client, world, "tracker", path, late, 422)
    meeting = post(client, world, "tracker", path, body)
    assert [d["department"]["name"] if d["department"] else "" for d in meeting["decisions"]] == ["生态环境分局", ""]

    decision = meeting["decisions"][0]
    done = f"/api/v1/major-projects/{project['id']}/decisions/{decision['id']}"
    before = db_state()
    api_error(client.patch(done, json={"done_on": "2026-10-12"}, headers=world.auth("officer_c")), 403)
    api_error(client.patch(done, json={"done_on": "2026-10-13"}, headers=world.auth("officer_b")), 422)
    assert db_state() == before
    marked = client.patch(done, json={"done_on": "2026-10-12"}, headers=world.auth("officer_b"))
    assert marked.status_code == 200 and marked.json()["done_on"] == "2026-10-12", marked.text
    shown = detail(client, world, project["id"])["meetings"][0]
    assert shown["topic"] == "施工许可并联审批推进会" and shown["decisions"][0]["done_on"] == "2026-10-12"
