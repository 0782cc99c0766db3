"""A centre with two 帮办员 (one for department A, one for everything), a project of the citizen's, and the clock on
Friday 2026-09-18, before the 2026 Mid-Autumn and National Day holidays (9/20 Sunday and 10/10 Saturday are 调休
working days; 9/25 and 10/1–7 are off)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core import clock
from core.guidance import staffing
from core.guidance.schemas import StaffIn
from core.org import service as org_service
from core.projects.models import Project
from core.seed.demo import DEMO_PASSWORD
from tests.world import World

FRIDAY = datetime(2026, 9, 18, 10, 0)
MONDAY = date(2026, 9, 21)
SATURDAY_OFF = date(2026, 9, 19)
SUNDAY_WORKING = date(2026, 9, 20)
MID_AUTUMN = date(2026, 9, 25)


@dataclass
class Centre:
    """The world, its 帮办员 (roster ids) and the citizen's project."""

    world: World
    staff_a: int
    staff_all: int
    project_id: int


def add_user(db: Session, world: World, key: str, name: str, roles: list[str]) -> None:
    user = org_service.create_user(db=db, username=key, name=name, password=DEMO_PASSWORD, role_codes=roles)
    world.users[key] = user
    world.tokens[key] = org_service.issue_token(db=db, user=user, name="test")


@pytest.fixture
def centre(world: World, db: Session) -> Centre:
    add_user(db, world, "helper_a", "何帮办", ["helper"])
    add_user(db, world, "helper_all", "韩帮办", ["helper"])
    admin = world.users["admin"]
    a = staffing.save_staff(
        db, admin, None, StaffIn(user_id=world.users["helper_a"].id, department_ids=[world.dept_a.id], capacity=1)
    )
    every = staffing.save_staff(db, admin, None, StaffIn(user_id=world.users["helper_all"].id, capacity=1))
    project = Project(
        name="新能源电池产业园一期",
        enterprise_name="某某新能源有限公司",
        location="经开区纬三路18号",
        owner_user_id=world.users["citizen"].id,
        status="draft",
        indicators={},
    )
    db.add(project)
    db.commit()
    clock.freeze(FRIDAY)  # after the tokens are issued: a staff token lives a working day from its issue
    return Centre(world, a.id, every.id, project.id)


def booking_body(centre: Centre, day: date = MONDAY, period: str = "am", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_item_id": centre.world.item.id,
        "mode": "window",
        "day": day.isoformat(),
        "period": period,
        "question": "道路挖掘需要哪些材料",
    }
    body.update(extra)
    return body


def book(client: TestClient, centre: Centre, who: str = "citizen", **kwargs: Any) -> Any:
    return client.post("/api/v1/guidance/bookings", json=booking_body(centre, **kwargs), headers=centre.world.auth(who))
