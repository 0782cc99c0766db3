"""Chasing (催办) fires exactly when the configured working-day thresholds pass — counted with the State
Council's calendar across the 2026 Mid-Autumn and National Day holidays — and once per level."""

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.events.models import DomainEvent
from core.supervision.scheduled import scan_escalations
from tests.supervision.conftest import claim, concluded, configure, feed_back, push_to, pushes
from tests.world import WORKDAY, World


def scan_at(db: Session, moment: datetime) -> int:
    """Runs the chasing scan with the clock at ``moment``; how many escalations it made."""
    clock.freeze(moment)
    return scan_escalations(db)


def escalation_events(db: Session) -> list[DomainEvent]:
    db.rollback()
    return list(
        db.scalars(select(DomainEvent).where(DomainEvent.kind == "supervision.escalated").order_by(DomainEvent.id))
    )


def test_unclaimed_then_unanswered_pushes_escalate_on_their_working_day_thresholds(
    client: TestClient, world: World, db: Session
) -> None:
    configure(client, world, [world.dept_c.id], claim_days=2, feedback_days=3)
    clock.freeze(WORKDAY)  # Thursday 24 September 2026, 10:00
    concluded(client, world)
    push = push_to(client, world, world.dept_c.id)
    # 2 working days: Fri 25 (Mid-Autumn) and the weekend are off → Mon 28, Tue 29
    assert push["claim_due_at"] == "2026-09-29T23:59:59"

    assert scan_at(db, datetime(2026, 9, 29, 23, 59, 59)) == 0
    assert scan_at(db, datetime(2026, 9, 30, 0, 0, 1)) == 1
    assert scan_at(db, datetime(2026, 9, 30, 9, 0)) == 0  # once per level
    assert push_to(client, world, world.dept_c.id)["overdue"] is True
    # level 2 after 4 working days: Wed 30 September, then 1–7 October are off → Thu 8 October
    assert scan_at(db, datetime(2026, 10, 7, 23, 0)) == 0
    assert scan_at(db, datetime(2026, 10, 8, 23, 59, 59)) == 0
    assert scan_at(db, datetime(2026, 10, 9, 0, 0, 1)) == 1
    assert scan_at(db, datetime(2026, 10, 9, 8, 0)) == 0

    clock.freeze(datetime(2026, 10, 9, 10, 0))
    claimed = claim(client, world, push["id"], "officer_c").json()
    # 3 working days after Friday 9 October: Saturday 10 (a 调休 working day), Monday 12, Tuesday 13
    assert claimed["feedback_due_at"] == "2026-10-13T23:59:59" and claimed["overdue"] is False
    assert scan_at(db, datetime(2026, 10, 13, 23, 59, 59)) == 0
    assert scan_at(db, datetime(2026, 10, 14, 0, 0, 1)) == 1
    assert scan_at(db, datetime(2026, 10, 16, 23, 59, 59)) == 0
    assert scan_at(db, datetime(2026, 10, 17, 0, 0, 1)) == 1
    assert scan_at(db, datetime(2026, 10, 20, 9, 0)) == 0

    clock.freeze(datetime(2026, 10, 20, 10, 0))
    assert feed_back(client, world, push["id"], "officer_c", inspected_on="2026-10-19").status_code == 200
    assert scan_at(db, datetime(2026, 11, 20, 9, 0)) == 0  # nothing waits any more

    response = client.get("/api/v1/supervision/escalations", headers=world.auth("officer_c"))
    assert response.status_code == 200, response.text
    listed = response.json()
    assert [(e["stage"], e["level"], e["escalated_at"]) for e in listed] == [
        ("feedback", 2, "2026-10-17T00:00:01"),
        ("feedback", 1, "2026-10-14T00:00:01"),
        ("claim", 2, "2026-10-09T00:00:01"),
        ("claim", 1, "2026-09-30T00:00:01"),
    ]
    assert listed[-1]["stage_label"] == "逾期未认领" and listed[-1]["due_at"] == "2026-09-29T23:59:59"
    assert client.get("/api/v1/supervision/escalations", headers=world.auth("officer_a")).json() == []


def test_escalations_tell_the_department_and_at_level_two_the_leaders(
    client: TestClient, world: World, db: Session
) -> None:
    configure(client, world, [world.dept_c.id], claim_days=1)
    clock.freeze(WORKDAY)
    new = concluded(client, world)
    assert scan_at(db, datetime(2026, 10, 20, 9, 0)) == 2  # both levels are long past: each recorded once
    first, second = escalation_events(db)
    supervisors = {
        "user_id": None,
        "department_id": world.dept_c.id,
        "permission": "supervision.handle",
        "applicant_id": None,
        "role": "supervisor",
    }
    assert first.recipients == [supervisors]
    assert first.data["level"] == 1 and first.data["stage_label"] == "逾期未认领"
    assert first.data["case_no"] == new["case_no"] and first.data["department_name"] == "消防救援大队"
    assert first.data["threshold_at"] == "2026-09-28T23:59"
    leaders = {r["user_id"] for r in second.recipients if r["role"] == "leader"}
    assert leaders == {world.users["leader"].id, world.users["admin"].id}
    assert second.recipients[0] == supervisors and second.data["level_label"] == "二级催办（报告领导）"


def test_a_push_claimed_in_time_is_never_chased_for_its_claim(client: TestClient, world: World, db: Session) -> None:
    configure(client, world, [world.dept_c.id], claim_days=2, feedback_days=5)
    clock.freeze(WORKDAY)
    concluded(client, world)
    push = pushes(client, world)[0]
    clock.freeze(datetime(2026, 9, 29, 17, 0))
    claim(client, world, push["id"], "officer_c")
    assert scan_at(db, datetime(2026, 10, 9, 9, 0)) == 0
    assert escalation_events(db) == []
