"""An enterprise or citizen books guidance for an item or their own project on a working day (调休 included), gets
the confirmation in their inbox, sees the free places, cancels until the day before and rates the service; a full
half-day is refused; the 帮办员 sees the booking in their list and records what was done."""

from datetime import date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.guidance.models import GuidanceBooking
from core.guidance.service import FULL_MESSAGE
from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from notifications.models import Channel, Notification
from tests.guidance.conftest import (
    MID_AUTUMN,
    MONDAY,
    SATURDAY_OFF,
    SUNDAY_WORKING,
    Centre,
    add_user,
    book,
)
from tests.helpers import api_error, db_state


def inbox(db: Session, user_id: int, kind: str) -> list[Notification]:
    db.rollback()  # a fresh read: the requests wrote through their own sessions
    query = select(Notification).where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.channel == Channel.INBOX
    )
    return list(db.scalars(query))


def free_places(client: TestClient, centre: Centre, who: str = "citizen", **params: int) -> dict[tuple[str, str], int]:
    params = params or {"service_item_id": centre.world.item.id}
    response = client.get("/api/v1/guidance/free", params=params, headers=centre.world.auth(who))
    assert response.status_code == 200, response.text
    return {(row["day"], row["period"]): row["free"] for row in response.json()}


def test_a_citizen_books_and_both_sides_are_told(client: TestClient, centre: Centre, db: Session) -> None:
    made = book(client, centre)
    assert made.status_code == 201, made.text
    booking = made.json()
    assert booking["status_label"] == "已预约" and booking["mode_label"] == "窗口导办"
    assert booking["staff_name"] == "何帮办"  # covers department A and carries no booking yet
    assert booking["booking_no"].startswith("BB")
    world = centre.world
    confirmation = inbox(db, world.users["citizen"].id, "guidance.booked")
    assert len(confirmation) == 1 and "2026-09-21" in confirmation[0].body and "何帮办" in confirmation[0].body
    assert len(inbox(db, world.users["helper_a"].id, "guidance.booked")) == 1
    mine = client.get("/api/v1/guidance/bookings/mine", headers=world.auth("citizen")).json()
    assert [b["id"] for b in mine] == [booking["id"]]
    listed = client.get("/api/v1/guidance/assigned", headers=world.auth("helper_a")).json()
    assert [b["booking_no"] for b in listed] == [booking["booking_no"]]
    assert client.get("/api/v1/guidance/assigned", headers=world.auth("helper_all")).json() == []


def test_bookings_follow_the_working_days_with_their_tiaoxiu(client: TestClient, centre: Centre) -> None:
    for day, words in ((SATURDAY_OFF, "节假日或休息日"), (MID_AUTUMN, "节假日或休息日"), (date(2026, 9, 18), "明天")):
        error = api_error(book(client, centre, day=day), 422)
        assert words in error["message"], error
    assert book(client, centre, day=SUNDAY_WORKING).status_code == 201  # 调休: the Sunday is a working day
    places = free_places(client, centre)
    assert ("2026-09-19", "am") not in places and ("2026-09-25", "am") not in places
    assert places[("2026-09-20", "am")] == 1 and places[("2026-09-20", "pm")] == 2
    assert places[("2026-09-21", "am")] == 2


def test_a_full_half_day_is_refused_in_chinese_and_nothing_is_saved(
    client: TestClient, centre: Centre, db: Session
) -> None:
    world = centre.world
    third = org_service.register_citizen(db=db, phone="13800000003", name="吴市民", password=DEMO_PASSWORD)
    world.tokens["citizen3"] = org_service.issue_token(db=db, user=third, name="test")
    db.commit()
    first, second = book(client, centre).json(), book(client, centre, who="citizen2").json()
    assert {first["staff_name"], second["staff_name"]} == {"何帮办", "韩帮办"}  # least loaded first
    assert free_places(client, centre)[("2026-09-21", "am")] == 0
    before = db_state()
    error = api_error(book(client, centre, who="citizen3"), 409)
    assert error["message"] == FULL_MESSAGE
    assert db_state() == before
    twice = api_error(book(client, centre, period="am"), 409)
    assert "已有帮办预约" in twice["message"]
    assert book(client, centre, who="citizen3", period="pm").status_code == 201


def test_a_day_off_takes_the_places_away(client: TestClient, centre: Centre) -> None:
    world = centre.world
    body = {"user_id": world.users["helper_a"].id, "department_ids": [world.dept_a.id], "days_off": ["2026-09-21"]}
    changed = client.put(f"/api/v1/guidance/staff/{centre.staff_a}", json=body, headers=world.auth("admin"))
    assert changed.status_code == 200, changed.text
    assert changed.json()["days_off"] == ["2026-09-21"]
    assert free_places(client, centre)[("2026-09-21", "am")] == 1
    assert book(client, centre).json()["staff_name"] == "韩帮办"


def test_projects_are_the_bookers_own_and_only_they_get_visits(client: TestClient, centre: Centre, db: Session) -> None:
    world = centre.world
    visit = book(client, centre, service_item_id=None, project_id=centre.project_id, mode="onsite")
    assert visit.status_code == 201, visit.text
    assert visit.json()["address"] == "经开区纬三路18号"  # the project's location when none is given
    assert visit.json()["staff_name"] == "韩帮办"  # the only one covering projects
    error = api_error(book(client, centre, mode="onsite"), 422)
    assert "上门服务仅提供给建设项目" in error["message"]
    before = db_state()
    body = {"service_item_id": None, "project_id": centre.project_id, "mode": "online"}
    api_error(book(client, centre, who="citizen2", **body), 404)
    found = client.get(
        "/api/v1/guidance/free", params={"project_id": centre.project_id}, headers=world.auth("citizen2")
    )
    api_error(found, 404)
    api_error(client.get(f"/api/v1/guidance/bookings/{visit.json()['id']}", headers=world.auth("citizen2")), 404)
    assert db_state() == before


def test_cancel_until_the_day_before_frees_the_place(client: TestClient, centre: Centre, db: Session) -> None:
    world = centre.world
    first = book(client, centre).json()
    cancelled = client.post(
        f"/api/v1/guidance/bookings/{first['id']}/cancel", json={"reason": "时间冲突"}, headers=world.auth("citizen")
    )
    assert cancelled.status_code == 200 and cancelled.json()["status_label"] == "已取消"
    told = inbox(db, world.users["helper_a"].id, "guidance.cancelled")
    assert len(told) == 1 and "时间冲突" in told[0].body
    assert free_places(client, centre)[("2026-09-21", "am")] == 2
    api_error(
        client.post(f"/api/v1/guidance/bookings/{first['id']}/cancel", json={}, headers=world.auth("citizen")), 409
    )
    second = book(client, centre).json()
    api_error(
        client.post(f"/api/v1/guidance/bookings/{second['id']}/cancel", json={}, headers=world.auth("citizen2")), 404
    )
    clock.freeze(datetime(2026, 9, 21, 8, 0))
    error = api_error(
        client.post(f"/api/v1/guidance/bookings/{second['id']}/cancel", json={}, headers=world.auth("citizen")), 422
    )
    assert "当天" in error["message"]


def test_the_helper_records_and_closes_then_the_citizen_rates(client: TestClient, centre: Centre, db: Session) -> None:
    world = centre.world
    booking = book(client, centre).json()
    path = f"/api/v1/guidance/bookings/{booking['id']}"
    api_error(client.post(f"{path}/rating", json={"rating": 5}, headers=world.auth("citizen")), 409)
    early = api_error(client.post(f"{path}/record", json={"record": "已讲解"}, headers=world.auth("helper_a")), 422)
    assert "当天及以后" in early["message"]
    clock.freeze(datetime(2026, 9, 21, 11, 0))
    today = client.get("/api/v1/guidance/assigned", params={"when": "today"}, headers=world.auth("helper_a")).json()
    assert [b["id"] for b in today] == [booking["id"]]
    api_error(client.post(f"{path}/record", json={"record": "代填"}, headers=world.auth("helper_all")), 404)
    done = client.post(
        f"{path}/record", json={"record": "讲解了材料要求，现场核对了施工方案"}, headers=world.auth("helper_a")
    )
    assert done.status_code == 200 and done.json()["status_label"] == "已服务", done.text
    api_error(client.post(f"{path}/rating", json={"rating": 4}, headers=world.auth("citizen2")), 404)
    api_error(client.post(f"{path}/rating", json={"rating": 6}, headers=world.auth("citizen")), 422)
    rated = client.post(f"{path}/rating", json={"rating": 5, "comment": "讲得很清楚"}, headers=world.auth("citizen"))
    assert rated.status_code == 200 and rated.json()["rating"] == 5
    api_error(client.post(f"{path}/rating", json={"rating": 3}, headers=world.auth("citizen")), 409)
    stats = client.get("/api/v1/guidance/stats", headers=world.auth("admin")).json()
    assert stats["done"] == 1 and stats["average_rating"] == 5 and stats["satisfied_rate"] == 1
    assert {"label": "窗口导办", "count": 1} in stats["by_mode"]
    assert {"label": "城市管理局", "count": 1} in stats["by_department"]
    assert stats["by_month"] == [{"label": "2026年09月", "count": 1}]


def test_a_manager_reassigns_to_a_helper_who_covers_and_has_room(
    client: TestClient, centre: Centre, db: Session
) -> None:
    world = centre.world
    add_user(db, world, "helper_c", "钱帮办", ["helper"])
    db.commit()
    body = {"user_id": world.users["helper_c"].id, "department_ids": [world.dept_c.id]}
    other = client.post("/api/v1/guidance/staff", json=body, headers=world.auth("admin"))
    assert other.status_code == 201, other.text
    booking = book(client, centre).json()
    path = f"/api/v1/guidance/bookings/{booking['id']}/reassign"
    refused = api_error(client.post(path, json={"staff_id": other.json()["id"]}, headers=world.auth("admin")), 422)
    assert "不负责" in refused["message"]
    moved = client.post(path, json={"staff_id": centre.staff_all}, headers=world.auth("admin"))
    assert moved.status_code == 200 and moved.json()["staff_name"] == "韩帮办", moved.text
    assert len(inbox(db, world.users["helper_all"].id, "guidance.booked")) == 1
    assert client.get("/api/v1/guidance/assigned", headers=world.auth("helper_a")).json() == []
    # the freed place of 何帮办 goes to the next booking
    assert book(client, centre, who="citizen2").json()["staff_name"] == "何帮办"


def test_only_a_user_holding_the_helper_permission_joins_the_roster(client: TestClient, centre: Centre) -> None:
    world = centre.world
    body = {"user_id": world.users["clerk_a"].id}
    error = api_error(client.post("/api/v1/guidance/staff", json=body, headers=world.auth("admin")), 422)
    assert "帮办员权限" in error["message"]
    twice = {"user_id": world.users["helper_a"].id}
    api_error(client.post("/api/v1/guidance/staff", json=twice, headers=world.auth("admin")), 409)
    roster = client.get("/api/v1/guidance/staff", headers=world.auth("admin")).json()
    assert [s["name"] for s in roster] == ["何帮办", "韩帮办"]
    assert roster[1]["department_names"] == ["全部部门和建设项目"]


def test_the_calendar_shows_tiaoxiu_and_holidays(client: TestClient, centre: Centre) -> None:
    world = centre.world
    book(client, centre)
    params = {"first": "2026-09-19", "last": "2026-10-01"}
    days = {
        d["day"]: d for d in client.get("/api/v1/guidance/calendar", params=params, headers=world.auth("admin")).json()
    }
    assert days["2026-09-19"]["working"] is False and days["2026-09-19"]["note"] == "休息日"
    assert days["2026-09-20"]["note"] == "调休上班" and days["2026-09-20"]["half_days"][0]["capacity"] == 2
    assert days["2026-09-21"]["half_days"][0] == {
        "period": "am",
        "label": "上午 9:00–12:00",
        "capacity": 2,
        "taken": 1,
        "free": 1,
    }
    assert days["2026-09-25"]["note"] == "法定节假日" and days["2026-10-01"]["staff_on_duty"] == 0


def test_the_managers_export_the_bookings(client: TestClient, centre: Centre) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    booking = book(client, centre).json()
    response = client.get("/api/v1/guidance/bookings.xlsx", headers=centre.world.auth("admin"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("预约号", "帮办内容", "部门", "服务方式")
    assert rows[1][0] == booking["booking_no"] and rows[1][8] == "孙*民"


def test_staff_accounts_do_not_book(client: TestClient, centre: Centre, db: Session) -> None:
    before = db_state()
    api_error(book(client, centre, who="clerk_a"), 403)
    api_error(book(client, centre, who="anonymous"), 401)
    assert db_state() == before
    assert db.scalar(select(GuidanceBooking.id)) is None


def test_the_bot_books_for_the_account_bound_to_its_wechat_user(
    client: TestClient, centre: Centre, db: Session
) -> None:
    from core.seed.demo import ensure_bot_user

    world = centre.world
    citizen = world.users["citizen"]
    citizen.wechat_openid = "oGuidance0001"  # the account bound its WeChat (账号设置)
    bot = {"Authorization": f"Bearer {org_service.issue_token(db=db, user=ensure_bot_user(db), name='bot')}"}
    db.commit()
    body = {"service_item_id": world.item.id, "mode": "online", "day": MONDAY.isoformat(), "period": "pm"}
    as_bound = {**bot, "X-Channel-User": "wechat:oGuidance0001"}
    free = client.get("/api/v1/guidance/free", params={"service_item_id": world.item.id}, headers=as_bound)
    assert free.status_code == 200 and free.json()[0]["free"] == 2
    made = client.post("/api/v1/guidance/bookings", json=body, headers=as_bound)
    assert made.status_code == 201, made.text
    assert made.json()["booker_name"] == "孙*民"
    mine = client.get("/api/v1/guidance/bookings/mine", headers=world.auth("citizen")).json()
    assert [b["id"] for b in mine] == [made.json()["id"]]
    before = db_state()
    stranger = {**bot, "X-Channel-User": "wechat:oSomeoneElse"}
    error = api_error(client.post("/api/v1/guidance/bookings", json=body, headers=stranger), 403)
    assert "绑定" in error["message"]
    api_error(
        client.post(
            "/api/v1/guidance/bookings",
            json=body,
            headers={**world.auth("citizen2"), "X-Channel-User": "wechat:oGuidance0001"},
        ),
        403,
    )
    assert db_state() == before
