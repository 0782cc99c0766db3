"""Case numbers stay unique and consecutive when many windows register at the same moment, and a window's
registration survives the database's lock conflicts: a deadlock or lock-wait timeout is retried whole, and
one that keeps coming ends in a Chinese message with nothing written."""

import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import MySQLdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from core import clock
from core.audit.models import AuditLog
from core.cases.models import Applicant, Case, CaseNumberCounter
from core.db import get_engine
from core.events.models import DomainEvent
from core.jobs import prepare_case_numbers
from tests.conftest import IS_MYSQL
from tests.helpers import PERSON, paper_materials, register, valid_id_number
from tests.web import conftest as web_fixtures
from tests.web.conftest import Browser
from tests.world import WORKDAY, World

browser = web_fixtures.browser  # the window form, through the real login
WINDOWS = 20


def registration(world: World, serial: int) -> dict[str, Any]:
    """What a window clerk sends for applicant number ``serial``."""
    return {
        "service_item_id": world.item.id,
        "applicant": {
            "kind": "personal",
            "name": f"申请人{serial}",
            "id_number": valid_id_number(serial),
            "phone": f"139{serial:08d}",
        },
        "materials": paper_materials(world),
    }


def register_at_once(app: Any, world: World, windows: int, first_serial: int = 0) -> list[Any]:
    """``windows`` windows post a registration each at the same instant, each through its own HTTP client (the
    whole request is the unit of work, as in production); returns the responses."""
    start = threading.Barrier(windows)

    def window(number: int) -> Any:
        with TestClient(app) as client:
            body = registration(world, first_serial + number)
            start.wait(timeout=60)
            return client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))

    with ThreadPoolExecutor(windows) as pool:
        return list(pool.map(window, range(windows)))


def count(db: Session, model: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("prepared", [True, False], ids=["counter-made-the-evening-before", "no-counter-yet"])
def test_twenty_windows_register_the_first_case_of_each_morning_at_once(
    app: Any, world: World, db: Session, prepared: bool
) -> None:
    for day in range(3):
        morning = WORKDAY + timedelta(days=day)
        if prepared:
            clock.freeze(morning - timedelta(hours=14))  # the job's round the evening before
            assert prepare_case_numbers() >= 1
        clock.freeze(morning)
        responses = register_at_once(app, world, WINDOWS, first_serial=day * WINDOWS)
        assert [r.status_code for r in responses] == [201] * WINDOWS, [
            r.text for r in responses if r.status_code != 201
        ]
        prefix = f"KF{morning:%Y%m%d}"
        numbers = sorted(r.json()["case_no"] for r in responses)
        assert numbers == [f"{prefix}{seq:04d}" for seq in range(1, WINDOWS + 1)], (day, numbers)
    assert count(db, Case) == 3 * WINDOWS


def test_the_counters_are_made_two_weeks_ahead_and_only_once(db: Session) -> None:
    clock.freeze(WORKDAY)
    assert prepare_case_numbers() == 14
    assert prepare_case_numbers() == 0
    clock.freeze(WORKDAY + timedelta(days=1))
    assert prepare_case_numbers() == 1
    days = list(db.scalars(select(CaseNumberCounter.day).order_by(CaseNumberCounter.day)))
    assert days[0] == f"{WORKDAY:%Y%m%d}" and days[-1] == f"{WORKDAY + timedelta(days=14):%Y%m%d}" and len(days) == 15


def test_numbering_continues_through_the_day_and_restarts_the_next(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    first = register(client, world)["case_no"]
    second = register(client, world)["case_no"]
    assert (first, second) == ("KF202609240001", "KF202609240002")
    clock.freeze(WORKDAY.replace(day=28))
    assert register(client, world)["case_no"] == "KF202609280001"
    clock.freeze(WORKDAY)
    assert register(client, world)["case_no"] == "KF202609240003"


# ---------------------------------------------------------------- deadlocks and lock-wait timeouts


def deadlock() -> MySQLdb.OperationalError:
    """The error MySQL/MariaDB gives the victim of a deadlock."""
    return MySQLdb.OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")


class ForcedDeadlocks:
    """Fails the next ``times`` statements on the case-number counter as MySQL fails a deadlock's victim."""

    def __init__(self, times: int) -> None:
        self.left = times
        self.raised = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.left and "case_number_counter" in statement and not statement.lstrip().upper().startswith("SELECT"):
            self.left -= 1
            self.raised += 1
            raise deadlock()


@contextmanager
def deadlocks(times: int) -> Iterator[ForcedDeadlocks]:
    forced = ForcedDeadlocks(times)
    event.listen(get_engine(), "before_cursor_execute", forced)
    try:
        yield forced
    finally:
        event.remove(get_engine(), "before_cursor_execute", forced)


def test_a_deadlock_is_retried_and_the_window_gets_its_case(client: TestClient, world: World, db: Session) -> None:
    clock.freeze(WORKDAY)
    with deadlocks(2) as forced:
        response = client.post("/api/v1/cases/window", json=registration(world, 1), headers=world.auth("clerk_a"))
    assert forced.raised == 2
    assert response.status_code == 201, response.text
    assert response.json()["case_no"] == "KF202609240001"
    assert count(db, Case) == 1 and count(db, Applicant) == 1


def test_a_deadlock_at_commit_is_retried_before_the_window_is_answered(
    client: TestClient, world: World, db: Session
) -> None:
    clock.freeze(WORKDAY)
    failed = []

    def deadlock_once(_conn: Any) -> None:
        if not failed:
            failed.append(True)
            raise deadlock()

    event.listen(get_engine(), "commit", deadlock_once)
    try:
        response = client.post("/api/v1/cases/window", json=registration(world, 1), headers=world.auth("clerk_a"))
    finally:
        event.remove(get_engine(), "commit", deadlock_once)
    assert failed and response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=world.auth("clerk_a")).status_code == 200
    assert count(db, Case) == 1


def test_a_third_deadlock_in_a_row_answers_in_chinese_and_writes_nothing(
    client: TestClient, world: World, db: Session
) -> None:
    clock.freeze(WORKDAY)
    audit_before, events_before = count(db, AuditLog), count(db, DomainEvent)
    with deadlocks(3) as forced:
        response = client.post("/api/v1/cases/window", json=registration(world, 1), headers=world.auth("clerk_a"))
    assert forced.raised == 3
    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "database_busy",
        "message": "系统繁忙，本次操作没有保存，请稍后再试一次",
    }
    assert (count(db, Case), count(db, Applicant)) == (0, 0)
    assert (count(db, AuditLog), count(db, DomainEvent)) == (audit_before, events_before)
    assert register(client, world)["case_no"] == "KF202609240001"  # no number was used up


def test_a_busy_window_form_answers_with_a_chinese_page_and_registers_nothing(
    browser: Callable[[str | None], Browser], world: World, db: Session
) -> None:
    clock.freeze(WORKDAY)
    clerk = browser("clerk_a")
    page = f"/admin/cases/new?item_id={world.item.id}"
    data = {"item_id": str(world.item.id), **PERSON, "paper": [str(m.id) for m in world.item.materials]}
    with deadlocks(3):
        response = clerk.submit(page, "/admin/cases/new", data)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "系统繁忙" in response.text and "请返回上一页" in response.text
    assert count(db, Case) == 0
    again = clerk.submit(page, "/admin/cases/new", data)
    assert "已登记，办件编号 KF202609240001" in again.text


def test_the_periodic_job_is_retried_too(db: Session) -> None:
    clock.freeze(WORKDAY)
    with deadlocks(1) as forced:
        assert prepare_case_numbers() == 14
    assert forced.raised == 1 and count(db, CaseNumberCounter) == 14


@contextmanager
def lock_wait_timeout(seconds: int) -> Iterator[None]:
    """The app's connections wait ``seconds`` for a row lock instead of InnoDB's 50."""
    engine = get_engine()

    def shorter(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {seconds}")

    engine.dispose()
    event.listen(engine, "connect", shorter)
    try:
        yield
    finally:
        event.remove(engine, "connect", shorter)
        engine.dispose()


@contextmanager
def counter_locked(day: datetime, for_seconds: float) -> Iterator[None]:
    """Another transaction holds the day's counter row for ``for_seconds`` (a real lock on the real server)."""
    connection = get_engine().connect()
    transaction = connection.begin()
    connection.execute(
        text("SELECT last FROM case_number_counter WHERE day = :day FOR UPDATE"), {"day": f"{day:%Y%m%d}"}
    )
    release = threading.Timer(for_seconds, transaction.rollback)
    release.start()
    try:
        yield
    finally:
        release.join()
        connection.close()


@pytest.mark.mysql_only
@pytest.mark.skipif(not IS_MYSQL, reason="InnoDB row locks")
def test_a_real_lock_wait_timeout_on_mariadb_is_retried_until_the_row_is_free(
    client: TestClient, world: World, db: Session
) -> None:
    clock.freeze(WORKDAY)
    prepare_case_numbers()
    with lock_wait_timeout(1), counter_locked(WORKDAY, for_seconds=1.6):
        started = time.monotonic()
        response = client.post("/api/v1/cases/window", json=registration(world, 1), headers=world.auth("clerk_a"))
        waited = time.monotonic() - started
    assert response.status_code == 201, response.text
    assert response.json()["case_no"] == "KF202609240001"
    assert waited > 1  # the first try did time out; a later one got the row
    assert count(db, Case) == 1


@pytest.mark.mysql_only
@pytest.mark.skipif(not IS_MYSQL, reason="InnoDB row locks")
def test_a_row_held_past_three_tries_on_mariadb_ends_in_chinese_with_nothing_written(
    client: TestClient, world: World, db: Session
) -> None:
    clock.freeze(WORKDAY)
    prepare_case_numbers()
    with lock_wait_timeout(1), counter_locked(WORKDAY, for_seconds=6):
        response = client.post("/api/v1/cases/window", json=registration(world, 1), headers=world.auth("clerk_a"))
    assert response.status_code == 503
    assert "系统繁忙" in response.json()["error"]["message"]
    assert (count(db, Case), count(db, Applicant)) == (0, 0)
    assert register(client, world)["case_no"] == "KF202609240001"
    assert re.fullmatch(r"KF\d{12}", register(client, world)["case_no"])
