"""The reminder goes out through the outbox on the working day before (across the National Day holiday and a 调休
Saturday), once; two bookings racing for the last place of a half-day: exactly one gets it (SQLite and MariaDB)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.guidance.models import GuidanceBooking, GuidancePlace
from core.guidance.service import FULL_MESSAGE
from core.jobs import periodic_jobs, send_guidance_reminders
from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from notifications.models import Notification
from tests.guidance.conftest import FRIDAY, Centre, book, booking_body

AFTER_HOLIDAY = date(2026, 10, 8)  # Thursday: the first working day after 10/1–7
TIAOXIU_SATURDAY = date(2026, 10, 10)


def reminders(db: Session, user_id: int) -> list[Notification]:
    db.rollback()  # a fresh read: the job wrote through its own session
    query = select(Notification).where(Notification.user_id == user_id, Notification.kind == "guidance.reminder")
    return list(db.scalars(query.order_by(Notification.id)))


def test_the_reminder_goes_out_the_working_day_before_and_once(client: TestClient, centre: Centre, db: Session) -> None:
    assert "guidance-reminders" in {job.name for job in periodic_jobs()}
    citizen = centre.world.users["citizen"].id
    clock.freeze(datetime(2026, 9, 18, 10, 0))
    assert book(client, centre, day=AFTER_HOLIDAY).status_code == 201
    assert book(client, centre, day=TIAOXIU_SATURDAY, period="pm").status_code == 201
    cancelled = book(client, centre, who="citizen2", day=AFTER_HOLIDAY).json()
    cancel = f"/api/v1/guidance/bookings/{cancelled['id']}/cancel"
    assert client.post(cancel, json={}, headers=centre.world.auth("citizen2")).status_code == 200
    clock.freeze(datetime(2026, 9, 29, 16, 0))  # Tuesday: the next working day is 9/30, nothing to remind
    assert send_guidance_reminders() == 0
    clock.freeze(datetime(2026, 10, 3, 9, 0))  # a holiday: no reminders on days off
    assert send_guidance_reminders() == 0
    clock.freeze(datetime(2026, 9, 30, 16, 0))  # Wednesday, the last working day before 10/8
    assert send_guidance_reminders() == 1
    assert send_guidance_reminders() == 0  # run again (or late): nobody reminded twice
    sent = reminders(db, citizen)
    assert len(sent) == 1 and "2026-10-08" in sent[0].body and "下一个工作日" in sent[0].body
    clock.freeze(datetime(2026, 10, 9, 8, 0))  # Friday before the 调休 Saturday
    assert send_guidance_reminders() == 1
    assert sorted(n.title.split("：")[1] for n in reminders(db, citizen)) == ["2026-10-08 上午", "2026-10-10 下午"]
    assert reminders(db, centre.world.users["citizen2"].id) == []  # the cancelled booking is not reminded


def race(app: Any, centre: Centre, who: list[str]) -> list[Any]:
    """Each booker posts the same half-day at the same instant, through their own client."""
    start = threading.Barrier(len(who))

    def one(name: str) -> Any:
        with TestClient(app) as client:
            start.wait(timeout=60)
            return client.post("/api/v1/guidance/bookings", json=booking_body(centre), headers=centre.world.auth(name))

    with ThreadPoolExecutor(len(who)) as pool:
        return list(pool.map(one, who))


def test_bookings_racing_for_the_last_places_never_overbook(
    app: Any, client: TestClient, centre: Centre, db: Session
) -> None:
    world = centre.world
    racers = []
    for n in range(6):
        user = org_service.register_citizen(db=db, phone=f"1370000000{n}", name=f"赛{n}", password=DEMO_PASSWORD)
        world.tokens[f"racer{n}"] = org_service.issue_token(db=db, user=user, name="test")
        racers.append(f"racer{n}")
    db.commit()
    clock.freeze(FRIDAY)
    answers = race(app, centre, racers)
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 201, 409, 409, 409, 409], [a.text for a in answers]
    assert {a.json()["error"]["message"] for a in answers if a.status_code == 409} == {FULL_MESSAGE}
    db.expire_all()
    assert db.scalar(select(func.count(GuidanceBooking.id))) == 2
    assert sorted(db.scalars(select(GuidancePlace.taken))) == [1, 1]
