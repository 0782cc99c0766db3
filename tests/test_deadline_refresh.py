"""The periodic deadline refresh (core/cases/scheduled.py): running cases move between 正常 / 预警 / 逾期 set-based
from their stored due moment, once per change, keeping the first overdue moment; a paused case has its due date
moved while the clock stands still and never goes overdue meanwhile — as the case page computes them."""

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.cases.models import Case
from core.cases.scheduled import refresh_open_cases
from tests.helpers import act, register
from tests.world import WORKDAY, World


def stored(db: Session, case_id: int) -> tuple[str | None, datetime | None, datetime | None]:
    db.rollback()
    db.expire_all()
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None
    return case.time_state, case.due_at, case.first_overdue_at


def refresh(db: Session, moment: datetime) -> int:
    clock.freeze(moment)
    return refresh_open_cases(db, moment)


def test_running_and_paused_cases_are_refreshed_once_per_change(client: TestClient, world: World, db: Session) -> None:
    clock.freeze(WORKDAY)  # Thursday 9/24; five working days: due Friday 10/9
    running = register(client, world)["case_id"]
    act(client, world, running, "accept")
    paused = register(client, world)["case_id"]
    act(client, world, paused, "accept")
    clock.freeze(datetime(2026, 9, 28, 10))
    act(client, world, paused, "supplement", reason="施工方案缺少签章", materials=["施工方案"])

    assert refresh(db, datetime(2026, 9, 29, 10)) == 1  # the paused case's due date moved a day
    assert stored(db, running)[0] == "正常"
    assert refresh(db, datetime(2026, 9, 30, 9)) == 2  # 2 working days left (10/8, 10/9): 预警; paused moved again
    assert stored(db, running) == ("预警", datetime(2026, 10, 9, 23, 59, 59), None)
    assert refresh(db, datetime(2026, 9, 30, 15)) == 0

    assert refresh(db, datetime(2026, 10, 10, 0, 1)) == 2  # the 调休 Saturday: overdue
    assert stored(db, running) == ("逾期", datetime(2026, 10, 9, 23, 59, 59), datetime(2026, 10, 10))
    assert refresh(db, datetime(2026, 10, 12, 10)) == 1  # only the paused case's date moves now
    state, due, overdue = stored(db, paused)
    assert state != "逾期" and overdue is None
    assert due == datetime(2026, 10, 16, 23, 59, 59)  # as the case page says (tests/test_time_limits.py)
    page = client.get(f"/api/v1/cases/{paused}", headers=world.auth("clerk_a")).json()
    assert page["due_at"] == "2026-10-16T23:59:59" and page["time_state"] == state
