"""The register's filters (stage, category, department, leader, warning state), its statistics by stage,
category, department and month, and the Excel export — on three projects whose figures are worked out by hand."""

from datetime import date, datetime
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from core import clock
from core.early_warnings.models import EarlyWarning
from tests.helpers import api_error
from tests.major_projects.conftest import add_node, create_project
from tests.world import World

TODAY = datetime(2026, 10, 12, 9, 0)


def record(client: TestClient, world: World, project: dict[str, Any], node: dict[str, Any], **dates: str) -> None:
    answer = client.patch(
        f"/api/v1/major-projects/{project['id']}/nodes/{node['id']}", json=dates, headers=world.auth("tracker")
    )
    assert answer.status_code == 200, answer.text


def three_projects(client: TestClient, world: World) -> dict[str, dict[str, Any]]:
    """P1 审批 (A leads; nodes of A done on time, of B overdue, of C pending; land reached), P2 建设 (B leads; its
    node done late), P3 前期 (C leads, no nodes)."""
    clock.freeze(TODAY)
    park = create_project(client, world, name="智能装备产业园", investment="52000")
    a = add_node(
        client,
        world,
        park["id"],
        name="用地预审",
        department_id=world.dept_a.id,
        planned_start="2026-09-21",
        planned_finish="2026-09-29",
    )
    record(client, world, park, a, actual_start="2026-09-21", actual_finish="2026-09-24")
    b = add_node(
        client,
        world,
        park["id"],
        name="环评审批",
        department_id=world.dept_b.id,
        planned_start="2026-09-28",
        planned_finish="2026-10-09",
    )
    record(client, world, park, b, actual_start="2026-09-28")
    add_node(
        client,
        world,
        park["id"],
        name="消防设计审查",
        department_id=world.dept_c.id,
        planned_start="2026-10-13",
        planned_finish="2026-10-20",
    )
    land = {"kind": "land", "planned_finish": "2026-09-30", "actual_finish": "2026-09-30"}
    assert (
        client.post(
            f"/api/v1/major-projects/{park['id']}/milestones", json=land, headers=world.auth("tracker")
        ).status_code
        == 201
    )
    school = create_project(
        client,
        world,
        name="滨湖学校",
        category="livelihood",
        stage="construction",
        investment="18000",
        lead_department_id=world.dept_b.id,
        leader_id=None,
    )
    late = add_node(
        client,
        world,
        school["id"],
        name="施工许可",
        department_id=world.dept_b.id,
        planned_start="2026-09-21",
        planned_finish="2026-09-25",
    )
    record(client, world, school, late, actual_start="2026-09-21", actual_finish="2026-09-28")
    road = create_project(
        client,
        world,
        name="环湖路改造",
        category="infrastructure",
        stage="preparation",
        investment="9000",
        lead_department_id=world.dept_c.id,
        leader_id=world.users["tracker"].id,
    )
    return {"park": park, "school": school, "road": road}


def names(client: TestClient, world: World, **params: Any) -> list[str]:
    answer = client.get("/api/v1/major-projects", params=params, headers=world.auth("leader"))
    assert answer.status_code == 200, answer.text
    return sorted(p["name"] for p in answer.json()["items"])


def test_list_filters(client: TestClient, tracking: World, db: Session) -> None:
    world = tracking
    made = three_projects(client, world)
    assert names(client, world) == ["智能装备产业园", "滨湖学校", "环湖路改造"]
    assert names(client, world, stage="approval") == ["智能装备产业园"]
    assert names(client, world, category="livelihood") == ["滨湖学校"]
    assert names(client, world, department_id=world.dept_c.id) == ["智能装备产业园", "环湖路改造"]
    assert names(client, world, leader_id=world.users["leader"].id) == ["智能装备产业园"]
    assert names(client, world, q="学校") == ["滨湖学校"]
    for project, level, state in ((made["park"], "red", "open"), (made["school"], "yellow", "closed")):
        db.add(
            EarlyWarning(
                subject_kind="node",
                subject_id=1,
                level=level,
                state=state,
                major_project_id=project["id"],
                department_id=world.dept_b.id,
                title="环评审批 已逾期",
                due_on=date(2026, 10, 9),
                raised_at=TODAY,
            )
        )
    db.commit()
    assert names(client, world, warning_state="red") == ["智能装备产业园"]
    assert names(client, world, warning_state="yellow") == []  # the school's warning is closed
    assert names(client, world, warning_state="none") == ["滨湖学校", "环湖路改造"]
    error = api_error(
        client.get("/api/v1/major-projects", params={"warning_state": "blue"}, headers=world.auth("leader")), 422
    )
    assert error["message"] == "预警状态只能是：红色预警、黄色预警、无预警"
    row = next(
        p
        for p in client.get("/api/v1/major-projects", params={"q": "产业园"}, headers=world.auth("leader")).json()[
            "items"
        ]
    )
    assert (row["nodes_done"], row["nodes_total"], row["progress_percent"], row["overdue_nodes"]) == (1, 3, 33, 1)


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("projects", "nodes", "nodes_done", "done_on_time", "overdue", "milestones_reached")
    return tuple(row[k] for k in keys)


def test_statistics_and_the_excel_export(client: TestClient, tracking: World) -> None:
    world = tracking
    three_projects(client, world)
    answer = client.get("/api/v1/major-projects/stats", headers=world.auth("leader"))
    assert answer.status_code == 200, answer.text
    stats = answer.json()
    assert figures(stats["total"]) == (3, 4, 2, 1, 1, 1)
    assert float(stats["total"]["investment"]) == 79000
    by_stage = {r["label"]: figures(r) for r in stats["by_stage"]}
    assert by_stage == {
        "前期": (1, 0, 0, 0, 0, 0),
        "审批": (1, 3, 1, 1, 1, 1),
        "建设": (1, 1, 1, 0, 0, 0),
        "竣工": (0, 0, 0, 0, 0, 0),
        "投产": (0, 0, 0, 0, 0, 0),
    }
    assert {r["label"]: r["projects"] for r in stats["by_category"]} == {
        "重大产业项目": 1,
        "重点实事工程": 1,
        "基础设施": 1,
        "其他": 0,
    }
    by_department = {r["label"]: figures(r) for r in stats["by_department"]}
    assert by_department == {
        "生态环境分局": (2, 2, 1, 0, 1, 0),
        "城市管理局": (1, 1, 1, 1, 0, 0),
        "消防救援大队": (1, 1, 0, 0, 0, 0),
    }
    by_month = {r["label"]: figures(r) for r in stats["by_month"]}
    assert by_month == {"2026年09月": (0, 0, 2, 1, 0, 1), "2026年10月": (3, 0, 0, 0, 0, 0)}
    # an officer's statistics cover only their scope: B leads the school and owns a node of the park
    mine = client.get("/api/v1/major-projects/stats", headers=world.auth("officer_b")).json()
    assert figures(mine["total"]) == (2, 4, 2, 1, 1, 1)

    export = client.get("/api/v1/major-projects/stats.xlsx", params={"stage": "approval"}, headers=world.auth("leader"))
    assert export.status_code == 200 and export.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(BytesIO(export.content))
    assert book.sheetnames == ["项目清单", "按阶段", "按类别", "按部门", "按月份"]
    listing = [row for row in book["项目清单"].iter_rows(min_row=3, values_only=True)]
    assert [(r[1], r[2], r[3], r[6], r[7], r[12], r[13], r[14]) for r in listing] == [
        ("智能装备产业园", "重大产业项目", "审批", 52000, "城市管理局", "1/3", "33%", 1)
    ]
    assert book["项目清单"]["A2"].value == "项目编号"
    stage_rows = {r[0]: r[1:] for r in book["按阶段"].iter_rows(min_row=3, values_only=True)}
    assert stage_rows["审批"] == (1, 52000, 3, 1, 1, 1, "100.0%", 1)
    assert stage_rows["合计"][0] == 1
    department_rows = {r[0]: r[3:7] for r in book["按部门"].iter_rows(min_row=3, values_only=True)}
    assert department_rows["生态环境分局"] == (1, 0, 0, 1)
    api_error(client.get("/api/v1/major-projects/stats.xlsx", headers=world.auth("clerk_a")), 403)
