"""The hall's figures by window: the refresh counts each day's registrations, acceptances and conclusions at the
window the case records, an online application at the window that accepted it, the rebuild ends where the refresh
does, and the hall endpoint lists today's windows busiest first within the reader's data scope."""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import clock
from core.cases.models import Case
from core.figures.models import FigureWindow
from core.figures.scheduled import rebuild, refresh
from core.org import service as org_service
from core.retry import in_transaction
from tests.helpers import act, register, submit_online
from tests.world import World

DAY1 = datetime(2026, 9, 22, 9, 30)  # a Tuesday
DAY2 = datetime(2026, 9, 24, 15, 0)  # the Thursday after

Row = tuple[str, str, int, int, int]


def seat(db: Session, world: World) -> None:
    """A's sign lists A12-A14: its clerk sits at A12, its officer (who may accept too) at A13."""
    world.dept_a.windows = "A12-A14"
    org_service.update_user(db=db, user=world.users["clerk_a"], window="A12")
    org_service.update_user(db=db, user=world.users["officer_a"], window="A13")
    db.commit()


def hall_windows(client: TestClient, world: World, who: str = "leader") -> list[Row]:
    response = client.get("/api/v1/boards/hall", headers=world.auth(who))
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["windows"]
    return [(w["window"], w["department_name"], w["registered"], w["accepted"], w["concluded"]) for w in rows]


def stored(db: Session) -> list[tuple[str, str, int, int, int]]:
    db.rollback()  # a fresh read: what the refresh committed
    rows = db.scalars(select(FigureWindow).order_by(FigureWindow.day, FigureWindow.window))
    return [(f"{r.day}", r.window, r.registered, r.accepted, r.concluded) for r in rows]


def test_the_refresh_counts_each_case_at_its_window_and_an_acceptance_where_it_happened(
    client: TestClient, world: World, db: Session
) -> None:
    seat(db, world)
    clock.freeze(DAY1)
    in_transaction(refresh)  # the first run builds everything (nothing yet)
    first = register(client, world)["case_id"]
    act(client, world, register(client, world)["case_id"], "accept")
    online = submit_online(client, world)["case_id"]
    assert hall_windows(client, world) == []  # the board reads the figures, not the cases
    in_transaction(refresh)
    assert hall_windows(client, world) == [("A12", "城管", 2, 1, 0)]  # the online case has no window yet

    act(client, world, online, "accept", who="officer_a")  # a new acceptance, at A13
    in_transaction(refresh)
    assert hall_windows(client, world) == [("A12", "城管", 2, 1, 0), ("A13", "城管", 1, 1, 0)]

    clock.freeze(DAY2)
    act(client, world, first, "accept")
    act(client, world, first, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, first, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, first, "conclude", who="officer_a", result=0)
    in_transaction(refresh)
    assert hall_windows(client, world) == [("A12", "城管", 0, 1, 1)]  # registered at A12: counted there
    incremental = stored(db)
    assert incremental == [
        ("2026-09-22", "A12", 2, 1, 0),
        ("2026-09-22", "A13", 1, 1, 0),
        ("2026-09-24", "A12", 0, 1, 1),
    ]
    in_transaction(rebuild)
    assert stored(db) == incremental


def test_a_department_reader_sees_their_own_departments_windows(client: TestClient, world: World, db: Session) -> None:
    seat(db, world)
    clock.freeze(DAY1)
    register(client, world)
    moved = register(client, world)["case_id"]  # then handed to B (its own item does not matter here)
    db.execute(update(Case).where(Case.id == moved).values(department_id=world.dept_b.id))
    db.commit()
    in_transaction(refresh)
    assert sorted(hall_windows(client, world)) == [("A12", "城管", 1, 0, 0), ("A12", "环保", 1, 0, 0)]
    assert hall_windows(client, world, "officer_a") == [("A12", "城管", 1, 0, 0)]
    assert hall_windows(client, world, "officer_c") == []
