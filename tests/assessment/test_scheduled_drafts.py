"""The periodic job computes the last period's draft by itself on the first working day of the month (and of the
quarter for quarterly schemes), by the calendar with its holidays and 调休: after National Day 2026 that is Thursday
10/8, after New Year 2026 the worked Sunday 1/4. Running again makes no second draft, a day missed is made up, and
a period that has a version — a published one above all — is left as it was."""

from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock, jobs
from core.assessment.models import Assessment
from core.audit.models import AuditLog
from tests.assessment.conftest import S1, compute, post, scheme, table
from tests.assessment.test_compute import S1_TABLE
from tests.helpers import api_error
from tests.world import World


def run_on(moment: datetime) -> int:
    """The job as the scheduler and Celery beat run it, with the clock at ``moment``."""
    clock.freeze(moment)
    made = jobs.run("assessment-drafts")
    assert isinstance(made, int)
    return made


def stored(db: Session) -> list[tuple[str, date, int, str, int | None]]:
    """Every assessment version: scheme kind, period start, version, status, who computed it."""
    db.rollback()
    rows = db.scalars(select(Assessment).order_by(Assessment.period_kind, Assessment.period_start, Assessment.version))
    return [(a.period_kind, a.period_start, a.version, a.status, a.computed_by_id) for a in rows]


def two_schemes(client: TestClient, world: World) -> None:
    scheme(client, world, S1)
    body = {
        "name": "部门进度考核（季度）",
        "period_kind": "quarter",
        "indicators": [{"code": k, "weight": v} for k, v in S1.items()],
    }
    made = client.post("/api/v1/assessment/schemes", json=body, headers=world.auth("admin"))
    assert made.status_code == 201, made.text


def test_septembers_draft_and_the_third_quarters_appear_on_the_first_working_day_after_national_day(
    client: TestClient, world: World, db: Session
) -> None:
    two_schemes(client, world)
    for day in range(1, 8):  # 10/1–10/7: the National Day holiday (with 中秋)
        assert run_on(datetime(2026, 10, day, 0, 30)) == 0
    assert stored(db) == []

    assert run_on(datetime(2026, 10, 8, 0, 30)) == 2

    assert stored(db) == [
        ("month", date(2026, 9, 1), 1, "draft", None),
        ("quarter", date(2026, 7, 1), 1, "draft", None),
    ]
    assert [run_on(datetime(2026, 10, 8, 9)), run_on(datetime(2026, 10, 9, 0, 30))] == [0, 0]
    assert len(stored(db)) == 2
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "assessment.compute_scheduled")).all()
    assert audit and {(a.actor_kind, a.actor_name) for a in audit} == {("system", "系统")}

    assert run_on(datetime(2026, 11, 1, 0, 30)) == 0  # a Sunday
    assert run_on(datetime(2026, 11, 2, 0, 30)) == 1  # October's; no quarter starts in November
    assert stored(db)[1] == ("month", date(2026, 10, 1), 1, "draft", None)


def test_after_new_year_the_worked_sunday_is_the_first_working_day(
    client: TestClient, world: World, db: Session
) -> None:
    two_schemes(client, world)
    assert [run_on(datetime(2026, 1, day, 0, 30)) for day in (1, 2, 3)] == [0, 0, 0]  # 元旦, Friday and Saturday
    assert run_on(datetime(2026, 1, 4, 0, 30)) == 2  # Sunday 1/4, a 调休 working day
    assert stored(db) == [
        ("month", date(2025, 12, 1), 1, "draft", None),
        ("quarter", date(2025, 10, 1), 1, "draft", None),
    ]


def test_a_missed_day_is_made_up_with_the_same_result_as_computed_by_hand(
    client: TestClient, world: World, november: dict[str, Any], db: Session
) -> None:
    made = scheme(client, world, S1)
    assert run_on(datetime(2026, 12, 5, 10)) == 1  # 12/1 was the first working day; the machine was off
    [draft] = db.scalars(select(Assessment)).all()
    answer = client.get(f"/api/v1/assessment/assessments/{draft.id}", headers=world.auth("admin"))
    assert answer.status_code == 200 and table(answer.json()) == S1_TABLE
    again = post(client, world, "/assessments", scheme_id=made["id"], period="2026-11")
    assert "已有考核结果（第1版，待发布）" in api_error(again, 409)["message"]


def test_a_period_computed_or_published_by_hand_is_left_as_it_was(
    client: TestClient, world: World, november: dict[str, Any], db: Session
) -> None:
    draft = compute(client, world, scheme(client, world, S1)["id"])
    done = post(client, world, f"/assessments/{draft['id']}/publish")
    assert done.status_code == 200, done.text
    before = stored(db)
    published_at = db.scalars(select(Assessment.published_at)).one()

    assert [run_on(datetime(2026, 12, 1, 0, 30)), run_on(datetime(2026, 12, 7, 0, 30))] == [0, 0]

    assert stored(db) == before == [("month", date(2026, 11, 1), 1, "published", world.users["admin"].id)]
    assert db.scalars(select(Assessment.published_at)).one() == published_at
    assert table(dict(done.json())) == S1_TABLE
