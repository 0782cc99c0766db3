"""The admin pages of major projects, through the real forms: the register with filters, registering a project,
the project page with its timeline and forms (a refusal shows the page again with the Chinese message and saves
nothing), the window registration's project choice, statistics and the Excel download."""

from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from core import clock
from tests.helpers import db_state
from tests.major_projects.conftest import add_node, create_project, detail
from tests.web.conftest import Browser
from tests.world import World

TODAY = datetime(2026, 9, 24, 10, 0)


def road_project(client: TestClient, world: World) -> dict[str, Any]:
    project = create_project(client, world)
    add_node(
        client,
        world,
        project["id"],
        name="占用、挖掘城市道路审批",
        department_id=world.dept_a.id,
        service_item_id=world.item.id,
        time_limit_days=5,
        planned_start="2026-09-21",
    )
    body = {"kind": "groundbreaking", "planned_finish": "2026-10-30"}
    assert (
        client.post(
            f"/api/v1/major-projects/{project['id']}/milestones", json=body, headers=world.auth("tracker")
        ).status_code
        == 201
    )
    return project


def test_the_register_and_the_project_page(
    client: TestClient, tracking: World, browser: Callable[[str | None], Browser]
) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = road_project(client, world)
    create_project(client, world, name="滨湖学校", category="livelihood", stage="construction")
    tracker = browser("tracker")
    listing = tracker.get("/admin/major-projects?stage=approval")
    assert listing.status_code == 200, listing.text
    assert "智能装备产业园一期" in listing.text and "滨湖学校" not in listing.text
    page = tracker.get(f"/admin/major-projects/{project['id']}")
    assert page.status_code == 200, page.text
    for shown in (
        "进度甘特图",
        "占用、挖掘城市道路审批",
        "开工",
        '2026-09-21</span> 至 <span class="nowrap">2026-09-28',
        "问题协调",
        "会商",
    ):
        assert shown in page.text, shown
    assert 'class="gantt-row node"' in page.text and 'class="gantt-row milestone"' in page.text
    assert 'class="today"' in page.text

    # a milestone finishing before it starts: the page again, with the message, nothing saved
    before = db_state()
    refused = tracker.submit(
        f"/admin/major-projects/{project['id']}",
        f"/admin/major-projects/{project['id']}/milestones",
        {"kind": "topping_out", "planned_start": "2026-12-01", "planned_finish": "2026-11-01"},
    )
    assert refused.status_code == 422
    assert "里程碑“主体封顶”的计划的完成日期（2026-11-01）不能早于开始日期（2026-12-01）" in refused.text
    assert 'id="milestone-add" open' in refused.text and 'value="2026-12-01"' in refused.text
    assert db_state() == before
    # a problem without a department, likewise
    refused = tracker.submit(
        f"/admin/major-projects/{project['id']}",
        f"/admin/major-projects/{project['id']}/issues",
        {"title": "施工用电接入", "due_on": "2026-10-30"},
    )
    assert refused.status_code == 422 and "请至少选择一个协调部门" in refused.text
    assert db_state() == before
    raised = tracker.submit(
        f"/admin/major-projects/{project['id']}",
        f"/admin/major-projects/{project['id']}/issues",
        {"title": "施工用电接入", "due_on": "2026-10-30", "department_ids": [str(world.dept_b.id)]},
    )
    assert raised.status_code == 200 and "已提出协调问题“施工用电接入”" in raised.text
    replied = browser("officer_b").submit(
        f"/admin/major-projects/{project['id']}",
        f"/admin/major-projects/{project['id']}/issues/{detail(client, world, project['id'])['issues'][0]['id']}/reply",
        {"body": "已安排踏勘"},
    )
    assert replied.status_code == 200 and "生态环境分局" in replied.text and "已安排踏勘" in replied.text

    # another department's officer is refused the page
    assert browser("officer_c").get(f"/admin/major-projects/{project['id']}").status_code == 403


def test_registering_from_the_form(
    client: TestClient, tracking: World, browser: Callable[[str | None], Browser]
) -> None:
    world = tracking
    tracker = browser("tracker")
    form = {"name": "环湖路改造", "category": "infrastructure", "stage": "preparation", "investment": "9000"}
    refused = tracker.submit("/admin/major-projects/new", "/admin/major-projects/new", form)
    assert refused.status_code == 422 and "请选择牵头部门" in refused.text and 'value="环湖路改造"' in refused.text
    made = tracker.submit(
        "/admin/major-projects/new", "/admin/major-projects/new", {**form, "lead_department_id": str(world.dept_c.id)}
    )
    assert made.status_code == 200 and "已登记重大项目 ZD" in made.text and "环湖路改造" in made.text
    assert browser("officer_a").get("/admin/major-projects/new").status_code == 403


def test_the_window_offers_the_project_and_the_case_page_names_it(
    client: TestClient, tracking: World, browser: Callable[[str | None], Browser]
) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = road_project(client, world)
    clerk = browser("clerk_a")
    form = clerk.get(f"/admin/cases/new?item_id={world.item.id}")
    assert "所属重大项目" in form.text and project["name"] in form.text
    data = {
        "item_id": str(world.item.id),
        "kind": "personal",
        "id_number": "11010519491231002X",
        "name": "孙市民",
        "phone": "13800000001",
        "paper": [str(m.id) for m in world.item.materials],
        "major_project_id": str(project["id"]),
    }
    registered = clerk.submit(f"/admin/cases/new?item_id={world.item.id}", "/admin/cases/new", data)
    assert registered.status_code == 200, registered.text
    assert "所属重大项目" in registered.text and project["code"] in registered.text


def test_statistics_page_and_download(
    client: TestClient, tracking: World, browser: Callable[[str | None], Browser]
) -> None:
    world = tracking
    clock.freeze(TODAY)
    road_project(client, world)
    leader = browser("leader")
    page = leader.get("/admin/major-projects/stats?category=industry")
    assert page.status_code == 200 and "按项目阶段" in page.text and "按月份" in page.text
    download = leader.get("/admin/major-projects/stats.xlsx?category=industry")
    assert download.status_code == 200
    rows = list(load_workbook(BytesIO(download.content))["项目清单"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == ["智能装备产业园一期"]


def test_editing_the_facts(client: TestClient, tracking: World, browser: Callable[[str | None], Browser]) -> None:
    world = tracking
    project = create_project(client, world)
    tracker = browser("tracker")
    page = tracker.get(f"/admin/major-projects/{project['id']}/edit")
    assert page.status_code == 200 and 'value="智能装备产业园一期"' in page.text
    form = {
        "name": "智能装备产业园一期",
        "category": "industry",
        "stage": "construction",
        "status": "active",
        "investment": "abc",
        "lead_department_id": str(world.dept_a.id),
    }
    action = f"/admin/major-projects/{project['id']}/edit"
    refused = tracker.submit(action, action, form)
    assert refused.status_code == 422 and "总投资应为数字" in refused.text
    saved = tracker.submit(action, action, {**form, "investment": "60000", "planned_start": "2026-10-08"})
    assert saved.status_code == 200 and "项目信息已保存" in saved.text
    shown = detail(client, world, project["id"])
    assert (shown["stage_label"], shown["investment"], shown["planned_start"]) == ("建设", "60000.00", "2026-10-08")
    assert browser("officer_a").get(action).status_code == 403
