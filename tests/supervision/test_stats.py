"""Statistics (统计分析): pushed, claimed, fed back and overdue by department, item and month — on screen
(the API) and in the Excel export, with the same figures."""

from datetime import datetime
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from core import clock
from core.items.models import ServiceItem
from core.supervision.scheduled import scan_escalations
from tests.helpers import PERSON, act, api_error
from tests.supervision.conftest import claim, concluded, feed_back, push_to
from tests.world import WORKDAY, World


def _immediate_case(client: TestClient, world: World) -> None:
    new = client.post(
        "/api/v1/cases/window",
        json={
            "service_item_id": world.immediate_item.id,
            "applicant": PERSON,
            "materials": [{"item_material_id": m.id, "paper": True} for m in world.immediate_item.materials],
        },
        headers=world.auth("clerk_a"),
    ).json()
    act(client, world, new["case_id"], "accept")
    act(client, world, new["case_id"], "conclude", who="officer_a", result=0)


def history(client: TestClient, world: World, db: Session) -> None:
    """September: a case pushed to B and C; C claims and answers, B lets it run late and is chased.
    October: another case to B and C (B claims), and a case of a second item to C."""
    immediate = db.get(ServiceItem, world.immediate_item.id)
    assert immediate is not None
    immediate.issues_licence = True
    db.commit()
    body = {"service_item_id": immediate.id, "department_ids": [world.dept_c.id], "fields": ["licence_no"]}
    assert client.post("/api/v1/supervision/configs", json=body, headers=world.auth("admin")).status_code == 201
    clock.freeze(WORKDAY)
    concluded(client, world)
    first_c = push_to(client, world, world.dept_c.id)["id"]
    clock.freeze(datetime(2026, 9, 28, 9, 0))
    claim(client, world, first_c, "officer_c")
    clock.freeze(datetime(2026, 9, 29, 15, 0))
    assert feed_back(client, world, first_c, "officer_c", inspected_on="2026-09-29").status_code == 200
    clock.freeze(datetime(2026, 10, 9, 9, 0))
    assert scan_escalations(db) == 1  # B's September push, unclaimed past 30 September
    clock.freeze(datetime(2026, 10, 12, 10, 0))
    concluded(client, world)
    clock.freeze(datetime(2026, 10, 13, 9, 0))
    october_b = [p for p in _all(client, world) if p["department_id"] == world.dept_b.id and p["status"] == "pushed"]
    assert claim(client, world, october_b[-1]["id"], "officer_b").status_code == 200
    _immediate_case(client, world)
    clock.freeze(datetime(2026, 10, 14, 10, 0))


def _all(client: TestClient, world: World) -> list[dict[str, Any]]:
    response = client.get("/api/v1/supervision/pushes", params={"page_size": 200}, headers=world.auth("admin"))
    return list(reversed(response.json()["items"]))


def figures(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int, int, int]]:
    return {r["label"]: (r["pushed"], r["claimed"], r["fed_back"], r["overdue"]) for r in rows}


def test_statistics_by_department_item_and_month(client: TestClient, supervised: World, db: Session) -> None:
    world = supervised
    history(client, world, db)
    response = client.get("/api/v1/supervision/stats", headers=world.auth("admin"))
    assert response.status_code == 200, response.text
    stats = response.json()
    assert figures([stats["total"]]) == {"合计": (5, 2, 1, 1)}
    assert figures(stats["by_department"]) == {"消防救援大队": (3, 1, 1, 0), "生态环境分局": (2, 1, 0, 1)}
    assert figures(stats["by_item"]) == {"占用、挖掘城市道路审批": (4, 2, 1, 1), "建设工程验线": (1, 0, 0, 0)}
    assert figures(stats["by_month"]) == {"2026年09月": (2, 1, 1, 1), "2026年10月": (3, 1, 0, 0)}

    october = client.get(
        "/api/v1/supervision/stats",
        params={"date_from": "2026-10-01", "date_to": "2026-10-31"},
        headers=world.auth("admin"),
    ).json()
    assert figures([october["total"]]) == {"合计": (3, 1, 0, 0)}
    # on 16 October C's push of 12 October is past its 3 working days (13, 14, 15), that of 13 October not yet
    clock.freeze(datetime(2026, 10, 16, 9, 0))
    later = client.get("/api/v1/supervision/stats", headers=world.auth("admin")).json()
    assert figures(later["by_department"])["消防救援大队"] == (3, 1, 1, 1)


def test_each_department_counts_only_its_own_and_outsiders_none(
    client: TestClient, supervised: World, db: Session
) -> None:
    world = supervised
    history(client, world, db)
    mine = client.get("/api/v1/supervision/stats", headers=world.auth("officer_b")).json()
    assert figures([mine["total"]]) == {"合计": (2, 1, 0, 1)}
    assert [r["label"] for r in mine["by_department"]] == ["生态环境分局"]
    other = client.get(
        "/api/v1/supervision/stats", params={"department_id": world.dept_c.id}, headers=world.auth("officer_b")
    )
    assert "本部门" in api_error(other, 422)["message"]
    leader = client.get("/api/v1/supervision/stats", headers=world.auth("leader")).json()
    assert leader["total"]["pushed"] == 5
    api_error(client.get("/api/v1/supervision/stats", headers=world.auth("clerk_b")), 403)
    api_error(client.get("/api/v1/supervision/stats.xlsx", headers=world.auth("citizen")), 403)
    wrong = client.get(
        "/api/v1/supervision/stats",
        params={"date_from": "2026-10-31", "date_to": "2026-10-01"},
        headers=world.auth("admin"),
    )
    assert "开始日期" in api_error(wrong, 422)["message"]


def test_the_excel_export_opens_with_the_same_figures(client: TestClient, supervised: World, db: Session) -> None:
    world = supervised
    history(client, world, db)
    response = client.get("/api/v1/supervision/stats.xlsx", headers=world.auth("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["按监管部门", "按事项", "按月份"]
    departments = book["按监管部门"]
    assert "审管衔接统计" in str(departments["A1"].value)
    assert [c.value for c in departments[2]] == ["监管部门", "推送数", "已认领", "已反馈", "逾期", "认领率", "反馈率"]
    rows = {r[0]: r[1:] for r in departments.iter_rows(min_row=3, values_only=True)}
    assert rows["消防救援大队"] == (3, 1, 1, 0, "33.3%", "33.3%")
    assert rows["生态环境分局"] == (2, 1, 0, 1, "50.0%", "0.0%")
    assert rows["合计"] == (5, 2, 1, 1, "40.0%", "20.0%")
    months = {r[0]: r[1:5] for r in book["按月份"].iter_rows(min_row=3, values_only=True)}
    assert months == {"2026年09月": (2, 1, 1, 1), "2026年10月": (3, 1, 0, 0), "合计": (5, 2, 1, 1)}
    items = {r[0]: r[1:5] for r in book["按事项"].iter_rows(min_row=3, values_only=True)}
    assert items["建设工程验线"] == (1, 0, 0, 0)
