"""我的项目进度 (GET /api/v1/my/projects): a filer's own projects only — signed in, or through the bot for the
channel user who filed them — with the filing status, the letter and, once registered as a major project, its
nodes, what is late and the next steps."""

from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core import clock
from core.major_projects.mine import next_milestones, next_steps
from core.major_projects.models import Milestone, ProjectNode
from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from tests.helpers import api_error
from tests.major_projects.conftest import confirmed_filing_project
from tests.projects.conftest import FACTORY_INFO, Filing, new_project
from tests.projects.conftest import filing as filing  # the fixture
from tests.world import World

TODAY = datetime(2026, 9, 24, 10, 0)
OPENID = "wechat:oyORnuMyProjects000001"
OTHER = "wechat:oyORnuSomebodyElse00001"


@pytest.fixture
def bot(world: World, db: Session) -> dict[str, str]:
    """The action server's service token."""
    user = org_service.create_user(db=db, username="bot", name="机器人", password=DEMO_PASSWORD, role_codes=["service"])
    token = org_service.issue_token(db=db, user=user, name="bot")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def mine(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/my/projects", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


# ---------------------------------------------------------------- the next step, worked out by hand


def node(code: str, state: str, depends_on: list[str], finish: str | None, position: int) -> ProjectNode:
    return ProjectNode(
        approval_code=code,
        name=code,
        state=state,
        depends_on=depends_on,
        planned_finish=date.fromisoformat(finish) if finish else None,
        position=position,
    )


def test_the_next_steps_are_the_running_nodes_then_those_whose_prerequisites_are_done() -> None:
    nodes = [
        node("filing", "done", [], "2026-09-01", 1),
        node("land", "done", ["filing"], "2026-09-08", 2),
        node("eia", "in_progress", ["filing"], "2026-09-15", 3),  # running
        node("planning", "pending", ["land"], "2026-09-15", 4),  # ready: its one prerequisite is done
        node("permit", "pending", ["eia", "planning"], "2026-09-18", 5),  # waits for both
        node("drainage", "pending", ["permit"], "2026-09-25", 6),
        node("trees", "skipped", ["filing"], None, 7),  # 不涉及: never a next step, constrains nothing
        node("green", "pending", ["trees", "removed_in_review"], "2026-09-10", 8),  # ready: the rest done or absent
        node("manual", "pending", [], None, 9),  # added by hand, unplanned: ready, after the planned ones
        node("other_running", "in_progress", [], "2026-09-11", 10),
    ]
    assert [n.approval_code for n in next_steps(nodes)] == ["other_running", "eia", "green", "planning", "manual"]

    stones = [
        Milestone(name="拿地", planned_finish=date(2026, 8, 31), actual_finish=date(2026, 8, 28), position=1),
        Milestone(name="投产", planned_finish=date(2028, 3, 31), position=5),
        Milestone(name="开工", planned_finish=date(2026, 11, 30), position=2),
        Milestone(name="竣工验收", planned_finish=date(2027, 12, 31), position=4),
        Milestone(name="主体封顶", planned_finish=date(2027, 6, 30), position=3),
    ]
    assert [m.name for m in next_milestones(stones)] == ["开工", "主体封顶", "竣工验收"]


# ---------------------------------------------------------------- a filer's project tracked as a major project


def tracked(client: TestClient, world: World, filing: Filing) -> tuple[dict[str, Any], dict[str, Any]]:
    """The citizen's confirmed factory project registered as a major project, planned from 1 September; on
    24 September 备案 is done on time, 用地规划许可 done late, 环评 running past its plan, two milestones set."""
    clock.freeze(TODAY)
    source = confirmed_filing_project(client, filing)
    tracker = world.auth("tracker")
    body = {
        "category": "industry",
        "project_id": source["id"],
        "lead_department_id": filing.departments["D35"].id,
        "officer_id": world.users["tracker"].id,
        "planned_start": "2026-09-01",
    }
    made = client.post("/api/v1/major-projects", json=body, headers=tracker)
    assert made.status_code == 201, made.text
    project = made.json()
    ids = {n["approval_code"]: n["id"] for n in project["nodes"]}
    for code, dates in (
        ("enterprise_filing", {"actual_start": "2026-09-01", "actual_finish": "2026-09-01"}),
        ("land_use_permit", {"actual_start": "2026-09-02", "actual_finish": "2026-09-10"}),
        ("eia_report_form", {"actual_start": "2026-09-03"}),
    ):
        url = f"/api/v1/major-projects/{project['id']}/nodes/{ids[code]}"
        assert client.patch(url, json=dates, headers=tracker).status_code == 200
    for milestone in (
        {"kind": "land", "planned_finish": "2026-08-31", "actual_finish": "2026-08-28"},
        {"kind": "groundbreaking", "planned_finish": "2026-11-30", "department_id": filing.departments["D35"].id},
        {"kind": "topping_out", "planned_finish": "2027-06-30"},
    ):
        url = f"/api/v1/major-projects/{project['id']}/milestones"
        assert client.post(url, json=milestone, headers=tracker).status_code == 201
    return source, project


def test_a_filer_sees_the_nodes_what_is_late_and_the_next_step(
    client: TestClient, tracking: World, filing: Filing
) -> None:
    world = tracking
    source, project = tracked(client, world, filing)
    [row] = mine(client, world.auth("citizen"))
    assert (row["id"], row["code"], row["name"]) == (source["id"], source["code"], source["name"])
    assert (row["status"], row["status_label"], row["reviews_pending"]) == ("confirmed", "部门已确认", [])
    assert row["letter"]["is_final"] is True and row["letter"]["pdf_url"].endswith("/pdf")

    major = row["major_project"]
    assert (major["code"], major["stage_label"], major["status_label"]) == (project["code"], "前期", "跟踪中")
    assert major["officer_name"] == "郑专员" and major["lead_department_name"] == filing.departments["D35"].name
    assert (major["progress"]["overall"]["done"], major["progress"]["overall"]["total"]) == (2, 10)
    nodes = {n["name"]: n for n in major["nodes"]}
    assert len(nodes) == 10
    filed, land, eia = (
        nodes["企业投资项目备案"],
        nodes["建设用地规划许可证核发"],
        nodes["建设项目环境影响报告书（表）审批"],
    )
    assert (filed["state_label"], filed["overdue"], filed["actual_finish"]) == ("已完成", False, "2026-09-01")
    assert (land["state_label"], land["overdue"], land["planned_finish"]) == ("已完成", True, "2026-09-08")
    assert (eia["state_label"], eia["overdue"], eia["planned_finish"]) == ("办理中", True, "2026-09-15")
    assert eia["department"]["name"] == "XX市生态环境局经济开发区分局"

    # next: 环评 (running), then 首次登记 and 工程规划许可 (their one prerequisite, 用地规划许可, is done);
    # 施工许可 waits for 环评
    steps = [(s["name"], s["state_label"], s["ready"]) for s in major["next_steps"]]
    assert steps == [
        ("建设项目环境影响报告书（表）审批", "办理中", False),
        ("国有建设用地使用权首次登记", "未开始", True),
        ("建设工程规划许可证核发", "未开始", True),
    ]
    assert nodes["建筑工程施工许可证核发"]["ready"] is False
    # late now: 环评, 首次登记 and 工程规划许可 (planned by 15 September) and 施工许可 (by 18 September, waiting for 环评);
    # 用地规划许可 finished late but is done
    late = sorted(n["name"] for n in major["nodes"] if n["overdue"] and n["state"] != "done")
    assert late == [
        "国有建设用地使用权首次登记",
        "建筑工程施工许可证核发",
        "建设工程规划许可证核发",
        "建设项目环境影响报告书（表）审批",
    ]
    assert major["overdue_nodes"] == 4
    assert [(m["name"], m["planned_finish"], m["department_name"]) for m in major["next_milestones"]] == [
        ("开工", "2026-11-30", filing.departments["D35"].name),
        ("主体封顶", "2027-06-30", ""),
    ]
    assert "note" not in filed and "case_no" not in filed  # staff notes stay on the staff side


def test_another_filers_projects_are_never_shown(
    client: TestClient, tracking: World, filing: Filing, bot: dict[str, str]
) -> None:
    world = tracking
    tracked(client, world, filing)
    assert mine(client, world.auth("citizen2")) == []
    # through the bot: a project the channel user filed, and nobody else's
    filed = client.post("/api/v1/projects", json={"name": "恒创员工宿舍楼"}, headers={**bot, "X-Channel-User": OPENID})
    assert filed.status_code == 201, filed.text
    [row] = mine(client, {**bot, "X-Channel-User": OPENID})
    assert (row["name"], row["status_label"], row["letter"], row["major_project"]) == (
        "恒创员工宿舍楼",
        "填报中",
        None,
        None,
    )
    assert mine(client, {**bot, "X-Channel-User": OTHER}) == []
    assert [p["name"] for p in mine(client, world.auth("citizen"))] == [FACTORY_INFO["name"]]


def test_filing_status_letter_and_pending_reviews(client: TestClient, world: World, filing: Filing) -> None:
    citizen = world.auth("citizen")
    project = new_project(client, filing)
    assert mine(client, citizen)[0]["status_label"] == "填报中"
    assert client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen).status_code == 200
    [derived] = mine(client, citizen)
    assert (derived["status_label"], derived["letter"]["is_final"], derived["letter"]["version"]) == (
        "已推演",
        False,
        1,
    )
    reviews = client.post(f"/api/v1/projects/{project['id']}/review", headers=citizen).json()
    [in_review] = mine(client, citizen)
    assert in_review["status_label"] == "部门审核中"
    assert sorted(in_review["reviews_pending"]) == sorted(
        filing.departments[c].name for c in departments(filing, reviews)
    )


def departments(filing: Filing, reviews: list[dict[str, Any]]) -> list[str]:
    codes = {d.id: code for code, d in filing.departments.items()}
    return [codes[r["department_id"]] for r in reviews]


def test_who_may_ask(client: TestClient, world: World, bot: dict[str, str]) -> None:
    api_error(client.get("/api/v1/my/projects"), 401)
    refused = api_error(client.get("/api/v1/my/projects", headers=world.auth("clerk_a")), 403)
    assert "填报单位" in refused["message"]
    assert api_error(client.get("/api/v1/my/projects", headers=bot), 422)["field"] == "X-Channel-User"
    # only a service client speaks for a channel user: a filer naming one is refused, not shown that user's projects
    api_error(client.get("/api/v1/my/projects", headers={**world.auth("citizen"), "X-Channel-User": OPENID}), 403)
