"""Planning nodes in working days across the 2026 Mid-Autumn and National Day holidays, worked out by hand.

The calendar around them (chinesecalendar): Sun 9/20 is a 调休 working day; Fri 9/25 (中秋) and Sat–Sun 9/26–27
are off; 10/1–10/7 are off; Sat 10/10 is a 调休 working day.
"""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from core.errors import ValidationFailed
from core.major_projects.models import ProjectNode
from core.major_projects.planning import first_working_day, schedule
from tests.helpers import api_error, db_state
from tests.major_projects.conftest import add_node, create_project, detail, node_named
from tests.world import World


def node(code: str, limit: int, *after: str, state: str = "pending", position: int = 0) -> ProjectNode:
    return ProjectNode(
        approval_code=code,
        name=code,
        time_limit_days=limit,
        depends_on=list(after),
        state=state,
        position=position,
        planned_fixed=False,
    )


def planned(nodes: list[ProjectNode]) -> dict[str, tuple[date | None, date | None]]:
    return {n.approval_code: (n.planned_start, n.planned_finish) for n in nodes}


def chain() -> list[ProjectNode]:
    return [
        node("site", 3),  # no prerequisite: from the start
        node("land", 5, "site"),
        node("permit", 4, "land"),
        node("filing", 0),  # 即办: the same day
        node("energy", 2, "site", "filing"),
    ]


def test_a_chain_across_the_tiaoxiu_sunday_mid_autumn_and_national_day() -> None:
    nodes = chain()
    schedule(nodes, date(2026, 9, 18))  # a Friday
    assert planned(nodes) == {
        # 9/18 (1), Sun 9/20 调休 (2), 9/21 (3)
        "site": (date(2026, 9, 18), date(2026, 9, 21)),
        # 9/22, 9/23, 9/24, then 9/25–27 off, 9/28 (4), 9/29 (5)
        "land": (date(2026, 9, 22), date(2026, 9, 29)),
        # 9/30 (1), then 10/1–7 off, 10/8 (2), 10/9 (3), Sat 10/10 调休 (4)
        "permit": (date(2026, 9, 30), date(2026, 10, 10)),
        "filing": (date(2026, 9, 18), date(2026, 9, 18)),
        # after the later of its prerequisites (site 9/21): 9/22, 9/23
        "energy": (date(2026, 9, 22), date(2026, 9, 23)),
    }


def test_a_start_on_a_holiday_moves_to_the_next_working_day() -> None:
    assert first_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert first_working_day(date(2026, 10, 10)) == date(2026, 10, 10)  # Saturday, but a 调休 working day
    nodes = [node("site", 3)]
    schedule(nodes, date(2026, 10, 1))
    assert planned(nodes) == {"site": (date(2026, 10, 8), date(2026, 10, 10))}  # 10/8, 10/9, Sat 10/10


def test_replanning_keeps_actual_dates_done_plans_and_hand_moved_dates() -> None:
    nodes = chain()
    schedule(nodes, date(2026, 9, 18))
    _site, land, _permit, _filing, energy = nodes
    # land was done early, on 9/24: its plan stays, and permit starts the next working day
    land.state, land.actual_start, land.actual_finish = "done", date(2026, 9, 22), date(2026, 9, 24)
    # energy's plan was moved by hand to after the holidays
    energy.planned_start, energy.planned_finish, energy.planned_fixed = date(2026, 10, 8), date(2026, 10, 9), True
    schedule(nodes, date(2026, 9, 21))  # replanned from a later start
    assert planned(nodes) == {
        "site": (date(2026, 9, 21), date(2026, 9, 23)),  # 9/21, 9/22, 9/23
        "land": (date(2026, 9, 22), date(2026, 9, 29)),  # done: its plan is what it was measured against
        "permit": (date(2026, 9, 28), date(2026, 10, 8)),  # after the actual 9/24: 9/28, 9/29, 9/30, 10/8
        "filing": (date(2026, 9, 21), date(2026, 9, 21)),
        "energy": (date(2026, 10, 8), date(2026, 10, 9)),  # moved by hand: kept
    }
    assert (land.actual_start, land.actual_finish) == (date(2026, 9, 22), date(2026, 9, 24))
    # released again, energy follows its prerequisites: after site (9/23) → 9/24, then 9/28
    energy.planned_fixed = False
    schedule(nodes, date(2026, 9, 21))
    assert planned(nodes)["energy"] == (date(2026, 9, 24), date(2026, 9, 28))


def test_skipped_nodes_constrain_nothing_and_cycles_are_refused() -> None:
    nodes = [node("a", 2), node("b", 3, state="skipped"), node("c", 1, "a", "b")]
    schedule(nodes, date(2026, 9, 21))
    assert planned(nodes)["c"] == (date(2026, 9, 23), date(2026, 9, 23))  # after a (9/21–9/22) only
    with pytest.raises(ValidationFailed, match="循环"):
        schedule([node("x", 1, "y"), node("y", 1, "x")], date(2026, 9, 21))


def test_the_plan_route_plans_the_project_and_keeps_a_hand_moved_node(client: TestClient, tracking: World) -> None:
    world = tracking
    project = create_project(client, world)
    first = add_node(client, world, project["id"], name="用地预审", department_id=world.dept_a.id, time_limit_days=3)
    second = add_node(
        client,
        world,
        project["id"],
        name="规划许可",
        department_id=world.dept_b.id,
        time_limit_days=5,
        depends_on=[first["approval_code"]],
    )
    answer = client.post(
        f"/api/v1/major-projects/{project['id']}/plan", json={"start": "2026-09-18"}, headers=world.auth("tracker")
    )
    assert answer.status_code == 200, answer.text
    nodes = {n["name"]: (n["planned_start"], n["planned_finish"]) for n in answer.json()["nodes"]}
    assert nodes == {"用地预审": ("2026-09-18", "2026-09-21"), "规划许可": ("2026-09-22", "2026-09-29")}

    moved = client.patch(
        f"/api/v1/major-projects/{project['id']}/nodes/{second['id']}",
        json={"planned_start": "2026-10-08", "planned_finish": "2026-10-14"},
        headers=world.auth("tracker"),
    )
    assert moved.status_code == 200 and moved.json()["planned_fixed"] is True, moved.text
    client.post(
        f"/api/v1/major-projects/{project['id']}/plan", json={"start": "2026-09-21"}, headers=world.auth("tracker")
    )
    again = detail(client, world, project["id"])
    assert node_named(again, "用地预审")["planned_start"] == "2026-09-21"
    assert (node_named(again, "规划许可")["planned_start"], node_named(again, "规划许可")["planned_finish"]) == (
        "2026-10-08",
        "2026-10-14",
    )

    # a planned finish before its start is refused, nothing saved
    before = db_state()
    error = api_error(
        client.patch(
            f"/api/v1/major-projects/{project['id']}/nodes/{second['id']}",
            json={"planned_start": "2026-10-14", "planned_finish": "2026-10-08"},
            headers=world.auth("tracker"),
        ),
        422,
    )
    assert "不能早于开始日期" in error["message"]
    assert db_state() == before
    # a prerequisite that would make a cycle, too
    error = api_error(
        client.patch(
            f"/api/v1/major-projects/{project['id']}/nodes/{first['id']}",
            json={"depends_on": [second["approval_code"]]},
            headers=world.auth("tracker"),
        ),
        422,
    )
    assert "循环" in error["message"]
    assert db_state() == before
