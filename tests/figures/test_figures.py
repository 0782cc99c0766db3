"""The boards' figures: counted when the refresh runs (the boards read them, not the cases), an earlier day recounted
when one of its cases changes, the incremental refresh ending where a rebuild does, and each reader limited to what
their data scope reaches."""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import clock
from core.cases.models import Case
from core.evaluation import service as evaluation_service
from core.figures.models import FigureDay, FigureMonth
from core.figures.scheduled import rebuild, refresh
from core.retry import in_transaction
from tests.helpers import act, api_error, register
from tests.world import World

DAY1 = datetime(2026, 9, 22, 9, 30)  # a Tuesday
DAY2 = datetime(2026, 9, 24, 15, 0)  # the Thursday after


def board(client: TestClient, world: World, who: str, name: str = "hall") -> dict[str, Any]:
    response = client.get(f"/api/v1/boards/{name}", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def concluded(client: TestClient, world: World) -> dict[str, Any]:
    """A case of A taken from registration to 办结 (result 出证办结)."""
    new = register(client, world)
    cid = new["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    return new


def run_refresh() -> int:
    return in_transaction(refresh)


def test_the_hall_shows_todays_cases_once_the_figures_are_refreshed(client: TestClient, world: World) -> None:
    clock.freeze(DAY1)
    run_refresh()  # the first run builds everything (nothing yet)
    accepted = register(client, world)
    act(client, world, accepted["case_id"], "accept")
    register(client, world)
    done = concluded(client, world)
    before = board(client, world, "leader")
    assert before["today"]["registered"] == 0  # the board reads the figures, not the cases
    run_refresh()
    hall = board(client, world, "leader")
    assert hall["today"] == {
        "registered": 3,
        "accepted": 2,
        "concluded": 1,
        "on_time": 1,
        "overdue": 0,
        "rating_good": 0,
        "rating_bad": 0,
        "on_time_rate_pct": 100.0,
        "good_rate_pct": None,
    }
    assert hall["open"] == {"waiting": 1, "in_hand": 1, "warning": 0, "overdue": 0}
    assert [(d["name"], d["registered"], d["in_hand"]) for d in hall["departments"]] == [("城管", 3, 1)]
    assert [i["count"] for i in hall["busiest_items"]] == [3]
    latest = hall["just_concluded"]
    assert [c["case_no"] for c in latest] == [done["case_no"]]
    assert latest[0]["applicant_name"] == "孙*民"  # masked on a public screen
    assert hall["appointments"]["total"] == 0  # no bookings (tests/guidance/test_hall_appointments.py has some)


def test_an_earlier_day_is_recounted_when_its_case_changes(client: TestClient, world: World, db: Session) -> None:
    clock.freeze(DAY1)
    new = register(client, world)
    run_refresh()
    clock.freeze(DAY2)
    cid = new["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    case = db.scalar(select(Case).where(Case.id == cid))
    assert case is not None
    evaluation_service.rate(db, case, level=1, comment="跑了三趟", channel="web")
    db.commit()
    run_refresh()

    def days() -> dict[str, tuple[int, ...]]:
        rows = db.scalars(select(FigureDay).order_by(FigureDay.day)).all()
        fields = ("registered", "accepted", "concluded", "rating_bad")
        return {f"{r.day}": tuple(getattr(r, f) for f in fields) for r in rows}

    db.expire_all()
    assert days() == {"2026-09-22": (1, 0, 0, 0), "2026-09-24": (0, 1, 1, 1)}
    incremental = days(), [(m.month, m.registered, m.concluded) for m in db.scalars(select(FigureMonth))]
    in_transaction(rebuild)
    db.expire_all()
    assert (days(), [(m.month, m.registered, m.concluded) for m in db.scalars(select(FigureMonth))]) == incremental
    rated = board(client, world, "leader", "ratings")
    assert rated["month"]["rating_bad"] == 1
    assert rated["follow_up_pending"] == 1
    assert [b["case_no"] for b in rated["latest_bad"]] == [new["case_no"]]


def test_the_rebuild_counts_months_as_it_goes(client: TestClient, world: World, db: Session) -> None:
    clock.freeze(datetime(2026, 7, 15, 10))
    register(client, world)
    clock.freeze(DAY2)
    seen: list[tuple[str, int, int]] = []
    days = in_transaction(
        lambda session: rebuild(session, lambda month, done, total: seen.append((month, done, total)))
    )
    assert seen == [("2026年07月", 1, 3), ("2026年08月", 2, 3), ("2026年09月", 3, 3)]
    assert days == 72
    trend = board(client, world, "leader", "trends")["months"]
    assert len(trend) == 12 and trend[-1]["label"] == "2026年9月"
    assert [m["registered"] for m in trend if m["registered"]] == [1]


def test_a_department_reader_sees_their_own_department_only(client: TestClient, world: World, db: Session) -> None:
    clock.freeze(DAY1)
    register(client, world)
    moved = register(client, world)["case_id"]  # then handed to B (its own item does not matter here)
    db.execute(update(Case).where(Case.id == moved).values(department_id=world.dept_b.id))
    db.commit()
    run_refresh()
    everyone = board(client, world, "leader")
    assert everyone["today"]["registered"] == 2
    own = board(client, world, "officer_a")  # 审批人员 of A: stats.read over their department
    assert own["today"]["registered"] == 1
    assert {d["name"] for d in own["departments"]} == {"城管"}
    assert board(client, world, "officer_c")["today"]["registered"] == 0
    assert board(client, world, "officer_c", "trends")["months"][-1]["registered"] == 0
    api_error(client.get("/api/v1/boards/hall", headers=world.auth("clerk_a")), 403)  # no stats.read
    api_error(client.get("/api/v1/boards/hall"), 401)
