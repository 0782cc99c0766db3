"""Hall windows: a staff account's window (checked against its department's sign, in Chinese when wrong) and the
window a case records — the registering clerk's at the window, the accepting clerk's for an online application,
set once and never taken from the request."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.db import get_sessionmaker
from core.org import service as org_service
from core.org import windows
from core.org.models import User
from tests.helpers import PERSON, act, api_error, paper_materials, register, submit_online
from tests.world import World


def seat(db: Session, world: World, window: str | None, who: str = "clerk_a") -> None:
    """A's sign lists A12-A14; ``who`` sits at ``window`` (None: at none)."""
    world.dept_a.windows = "A12-A14"
    org_service.update_user(db=db, user=world.users[who], window=window or "")
    db.commit()


def case_window(db: Session, case_id: int) -> str | None:
    db.rollback()  # ends the test session's read snapshot: the app's writes since are seen
    return db.scalar(select(Case.window).where(Case.id == case_id))


def test_a_departments_sign_reads_as_its_windows() -> None:
    assert windows.names("A12-A14") == ["A12", "A13", "A14"]
    assert windows.names("A01-A03、B9-B10, C30") == ["A01", "A02", "A03", "B9", "B10", "C30"]
    assert windows.names("二楼东侧") == [] and windows.names("") == []
    assert windows.names("A1-A100000") == []  # not a sign: no list of a hundred thousand windows


def test_a_case_registered_at_the_window_records_the_clerks_window_whatever_the_request_says(
    client: TestClient, world: World, db: Session
) -> None:
    seat(db, world, "a12")
    body: dict[str, Any] = {
        "service_item_id": world.item.id,
        "applicant": PERSON,
        "materials": paper_materials(world),
        "window": "C30",  # not a field of a registration: the clerk's own window is recorded
    }
    response = client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    assert case_window(db, case_id) == "A12"
    shown = client.get(f"/api/v1/cases/{case_id}", headers=world.auth("clerk_a")).json()
    assert shown["window"] == "A12"

    seat(db, world, "A13")  # the clerk moves on; the case stays where it was registered, also when accepted there
    act(client, world, case_id, "accept", window="A14")
    assert case_window(db, case_id) == "A12"


def test_an_online_application_takes_the_window_that_accepts_it_once(
    client: TestClient, world: World, db: Session
) -> None:
    seat(db, world, "A13")
    case_id = submit_online(client, world)["case_id"]
    assert case_window(db, case_id) is None  # nobody at a window has seen it yet
    act(client, world, case_id, "accept")
    assert case_window(db, case_id) == "A13"
    seat(db, world, "A14")
    act(client, world, case_id, "review", who="officer_a", agree=True, opinion="符合条件")
    assert case_window(db, case_id) == "A13"


def test_a_clerk_at_no_window_leaves_the_case_to_the_window_that_accepts_it(
    client: TestClient, world: World, db: Session
) -> None:
    case_id = register(client, world)["case_id"]  # the world's clerk sits at no window
    assert case_window(db, case_id) is None
    seat(db, world, "A12")
    act(client, world, case_id, "accept")
    assert case_window(db, case_id) == "A12"


def test_the_api_gives_a_staff_account_a_window_and_refuses_a_wrong_one_in_chinese(
    client: TestClient, world: World, db: Session
) -> None:
    world.dept_a.windows = "A12-A14"
    db.commit()
    admin = world.auth("admin")
    body = {"username": "clerk_y", "name": "新窗口", "password": "Window2026!", "roles": ["clerk"]}
    body |= {"department_id": world.dept_a.id}
    for window, words in (
        ("A 12", "只能由字母、数字"),
        ("A15", "不是城管的窗口（A12-A14）"),
        ("A12345678901234567", "不超过16个字符"),
    ):
        error = api_error(client.post("/api/v1/users", json={**body, "window": window}, headers=admin), 422)
        assert words in error["message"] and error["field"] == "window"
    assert db.scalar(select(User).where(User.username == "clerk_y")) is None  # nothing saved
    made = client.post("/api/v1/users", json={**body, "window": "a013"}, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["window"] == "A13"  # as the sign spells it
    user_id = made.json()["id"]

    moved = client.patch(f"/api/v1/users/{user_id}", json={"department_id": world.dept_b.id}, headers=admin)
    assert moved.status_code == 200, moved.text  # B's sign lists no windows: any well-formed one is kept
    db.rollback()  # the test session's snapshot ends before it writes after the app
    world.dept_b.windows = "B01-B02"
    db.commit()
    api_error(client.patch(f"/api/v1/users/{user_id}", json={"window": "A13"}, headers=admin), 422)
    cleared = client.patch(f"/api/v1/users/{user_id}", json={"window": ""}, headers=admin)
    assert cleared.status_code == 200 and cleared.json()["window"] is None
    citizen = world.users["citizen"].id
    error = api_error(client.patch(f"/api/v1/users/{citizen}", json={"window": "A12"}, headers=admin), 422)
    assert "只有工作人员" in error["message"]
    leader = world.users["leader"].id  # staff of no department
    error = api_error(client.patch(f"/api/v1/users/{leader}", json={"window": "A12"}, headers=admin), 422)
    assert "请先选择所属部门" in error["message"]
    api_error(client.patch(f"/api/v1/users/{user_id}", json={"window": "B01"}, headers=world.auth("clerk_a")), 403)


def test_a_departments_new_window_list_must_still_hold_its_staffs_windows(
    client: TestClient, world: World, db: Session
) -> None:
    seat(db, world, "A13")
    seat(db, world, "A14", who="officer_a")
    admin = world.auth("admin")
    department = {"code": world.dept_a.code, "name": world.dept_a.name, "short_name": world.dept_a.short_name}
    url = f"/api/v1/departments/{world.dept_a.id}"

    error = api_error(client.put(url, json={**department, "windows": "A12-A13"}, headers=admin), 422)
    assert "不在新的窗口列表中" in error["message"] and "（A14）" in error["message"]
    assert world.users["officer_a"].name in error["message"] and error["field"] == "windows"
    db.rollback()
    assert db.get(type(world.dept_a), world.dept_a.id).windows == "A12-A14"  # nothing saved

    widened = client.put(url, json={**department, "windows": "A012-A016"}, headers=admin)
    assert widened.status_code == 200, widened.text
    with get_sessionmaker()() as fresh:
        seated = {u.username: u.window for u in fresh.scalars(select(User).where(User.window.is_not(None)))}
    assert seated == {"clerk_a": "A013", "officer_a": "A014"}  # as the new sign spells them
