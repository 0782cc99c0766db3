"""Today's bookings on the hall's screen (/api/v1/boards/hall ``appointments``): counted by mode and department, the
next ones listed with the booker masked; cancelled ones left out, the morning's gone from the list after noon, and a
department-scoped reader sees their department's only."""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from core import clock
from tests.guidance.conftest import MONDAY, Centre, book


def hall(client: TestClient, centre: Centre, who: str = "leader") -> dict[str, Any]:
    response = client.get("/api/v1/boards/hall", headers=centre.world.auth(who))
    assert response.status_code == 200, response.text
    return dict(response.json()["appointments"])


def test_the_hall_shows_todays_bookings_by_mode_and_department_and_the_next_ones(
    client: TestClient, centre: Centre
) -> None:
    window = book(client, centre, period="am")
    assert window.status_code == 201, window.text
    body = {"service_item_id": None, "project_id": centre.project_id, "address": "经开区纬三路18号"}
    visit = book(client, centre, period="pm", mode="onsite", **body)
    assert visit.status_code == 201, visit.text  # before the online one: only one 帮办员 covers projects
    online = book(client, centre, who="citizen2", period="pm", mode="online")
    assert online.status_code == 201, online.text
    later = book(client, centre, who="citizen2", day=MONDAY.replace(day=22), period="am")
    assert later.status_code == 201, later.text  # another day: not today's
    cancelled = book(client, centre, who="citizen2", period="am")
    assert cancelled.status_code == 201, cancelled.text
    world = centre.world
    gone = client.post(
        f"/api/v1/guidance/bookings/{cancelled.json()['id']}/cancel", json={}, headers=world.auth("citizen2")
    )
    assert gone.status_code == 200, gone.text

    clock.freeze(datetime(2026, 9, 21, 9, 0))  # Monday morning
    today = hall(client, centre)
    assert today["total"] == 3
    assert {line["label"]: line["count"] for line in today["by_mode"]} == {"窗口导办": 1, "线上帮办": 1, "上门服务": 1}
    assert {line["label"]: line["count"] for line in today["by_department"]} == {"城管": 2, "项目帮办": 1}
    assert [(a["period"][:2], a["mode"], a["booker_name"]) for a in today["upcoming"]] == [
        ("上午", "窗口导办", "孙*民"),
        ("下午", "上门服务", "孙*民"),
        ("下午", "线上帮办", "周*民"),
    ]
    assert today["upcoming"][0]["subject"] == "占用、挖掘城市道路审批"
    assert today["upcoming"][1]["department_name"] == "项目帮办"

    officer = hall(client, centre, "officer_a")  # department A's reader: not the project's visit
    assert officer["total"] == 2 and len(officer["upcoming"]) == 2

    clock.freeze(datetime(2026, 9, 21, 14, 30))  # the afternoon: the morning's booking is no longer coming
    afternoon = hall(client, centre)
    assert afternoon["total"] == 3
    assert [a["period"][:2] for a in afternoon["upcoming"]] == ["下午", "下午"]


def test_a_day_without_bookings_shows_zeros(client: TestClient, centre: Centre) -> None:
    clock.freeze(datetime(2026, 9, 21, 9, 0))
    today = hall(client, centre)
    assert today == {
        "total": 0,
        "by_mode": [
            {"label": "窗口导办", "count": 0},
            {"label": "线上帮办", "count": 0},
            {"label": "上门服务", "count": 0},
        ],
        "by_department": [],
        "upcoming": [],
    }


def test_a_served_booking_leaves_the_list_at_once(client: TestClient, centre: Centre) -> None:
    """The hall's answer is reused for a few seconds, but a change of a booking empties it."""
    booked = book(client, centre, period="am")
    assert booked.status_code == 201, booked.text
    clock.freeze(datetime(2026, 9, 21, 9, 30))
    assert len(hall(client, centre)["upcoming"]) == 1
    served = client.post(
        f"/api/v1/guidance/bookings/{booked.json()['id']}/record",
        json={"record": "讲解了材料要求"},
        headers=centre.world.auth("helper_a"),
    )
    assert served.status_code == 200, served.text
    again = hall(client, centre)
    assert again["total"] == 1 and again["upcoming"] == []
