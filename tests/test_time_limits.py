"""Time limits across the 2026 Mid-Autumn and National Day holidays: 9/25 and 10/1–10/7 are off, Saturday
10/10 is a 调休 working day. Due dates, 正常 / 预警 (2 working days or less left; 48 hours) / 逾期, the first
overdue moment, pauses, natural days and hours — directly and through the API at fixed clock moments."""

from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core import clock
from core.calendar.service import LimitUnit, Pause, TimeState, compute_deadline, is_working_day
from core.cases.models import Case
from core.items import service as item_service
from tests.helpers import act, register
from tests.world import WORKDAY, World, item_in

NORMAL, WARNING, OVERDUE = TimeState.NORMAL, TimeState.WARNING, TimeState.OVERDUE
WD, ND, HOUR = LimitUnit.WORKING_DAY, LimitUnit.NATURAL_DAY, LimitUnit.HOUR


def at(month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second)


def test_the_2026_holiday_table() -> None:
    assert is_working_day(date(2026, 9, 24))
    assert not is_working_day(date(2026, 9, 25))  # 中秋
    assert all(not is_working_day(date(2026, 10, d)) for d in range(1, 8))  # 国庆
    assert is_working_day(date(2026, 10, 8)) and is_working_day(date(2026, 10, 9))
    assert is_working_day(date(2026, 10, 10))  # 调休 Saturday
    assert not is_working_day(date(2026, 10, 11))


@pytest.mark.parametrize(
    ("limit", "due"),
    [
        (1, date(2026, 9, 28)),  # Friday 9/25 is 中秋, then the weekend
        (3, date(2026, 9, 30)),
        (4, date(2026, 10, 8)),  # the whole National Day week is skipped
        (5, date(2026, 10, 9)),
        (6, date(2026, 10, 10)),  # the 调休 Saturday counts
        (7, date(2026, 10, 12)),
    ],
)
def test_due_date_in_working_days(limit: int, due: date) -> None:
    result = compute_deadline(WORKDAY, limit, WD, [], WORKDAY)
    assert result.due_at == datetime.combine(due, datetime.max.time()).replace(microsecond=0)
    assert result.state is (NORMAL if limit > 2 else WARNING)
    assert result.remaining == limit and result.overdue_since is None and not result.paused


@pytest.mark.parametrize(
    ("seen", "state", "remaining"),
    [
        (at(9, 24), NORMAL, 5),
        (at(9, 28), NORMAL, 4),
        (at(9, 29, 17), NORMAL, 3),
        (at(9, 30, 8), WARNING, 2),  # 10/8 and 10/9 left
        (at(10, 3), WARNING, 2),  # holidays do not eat into what is left
        (at(10, 8), WARNING, 1),
        (at(10, 9, 23, 59, 59), WARNING, 0),  # the last second of the due day is still in time
        (at(10, 10, 0, 0, 0), OVERDUE, -1),
        (at(10, 12, 9), OVERDUE, -2),
    ],
)
def test_time_state_over_the_holiday(seen: datetime, state: TimeState, remaining: int) -> None:
    result = compute_deadline(WORKDAY, 5, WD, [], seen)
    assert result.due_at == at(10, 9, 23, 59, 59)
    assert (result.state, result.remaining) == (state, remaining)
    assert result.overdue_since == (at(10, 10, 0) if state is OVERDUE else None)


def test_closed_pause_is_not_counted() -> None:
    # counted: 9/28; paused 9/29–10/9; then 10/10 (调休), 10/12, 10/13, 10/14
    pause = Pause(at(9, 28), at(10, 9, 11))
    result = compute_deadline(WORKDAY, 5, WD, [pause], at(10, 9, 12))
    assert result.due_at == at(10, 14, 23, 59, 59)
    assert result.state is NORMAL and result.remaining == 4 and not result.paused
    assert compute_deadline(WORKDAY, 5, WD, [pause], at(10, 13)).state is WARNING
    late = compute_deadline(WORKDAY, 5, WD, [pause], at(10, 15, 8))
    assert late.state is OVERDUE and late.overdue_since == at(10, 15, 0)


def test_open_pause_moves_the_due_date_while_it_lasts() -> None:
    pause = Pause(at(9, 28), None)
    on_holiday = compute_deadline(WORKDAY, 5, WD, [pause], at(10, 9))
    assert on_holiday.paused and on_holiday.state is NORMAL and on_holiday.due_at == at(10, 14, 23, 59, 59)
    much_later = compute_deadline(WORKDAY, 5, WD, [pause], at(10, 20))
    assert much_later.paused and much_later.state is not OVERDUE
    assert much_later.due_at == at(10, 26, 23, 59, 59)  # 9/28 + 10/21, 10/22, 10/23, 10/26


def test_two_pauses_both_count() -> None:
    pauses = [Pause(at(9, 24, 11), at(9, 28, 15)), Pause(at(10, 8, 9), at(10, 9, 9))]
    # 9/25–9/28 paused, 9/29 (1), 9/30 (2), 10/8 (3), 10/9 paused, 10/10 (4), 10/12 (5)
    result = compute_deadline(WORKDAY, 5, WD, pauses, at(10, 9, 10))
    assert result.due_at == at(10, 12, 23, 59, 59)


def test_natural_days_count_holidays() -> None:
    result = compute_deadline(WORKDAY, 10, ND, [], WORKDAY)
    assert result.due_at == at(10, 4, 23, 59, 59)
    start = at(11, 2, 9)  # an ordinary fortnight
    due = compute_deadline(start, 10, ND, [], start)
    assert due.due_at == at(11, 12, 23, 59, 59) and due.state is NORMAL
    assert compute_deadline(start, 10, ND, [], at(11, 9)).state is NORMAL
    assert compute_deadline(start, 10, ND, [], at(11, 10)).state is WARNING
    assert compute_deadline(start, 10, ND, [], at(11, 12, 23, 59, 59)).state is WARNING
    over = compute_deadline(start, 10, ND, [], at(11, 13, 0))
    assert over.state is OVERDUE and over.overdue_since == at(11, 13, 0)


def test_hour_limits_warn_48_hours_ahead() -> None:
    start = at(9, 30, 9)
    limit = compute_deadline(start, 72, HOUR, [], start)
    assert limit.due_at == at(10, 3, 9) and limit.state is NORMAL  # hours run through the holiday
    assert compute_deadline(start, 72, HOUR, [], at(10, 1, 8, 59)).state is NORMAL
    assert compute_deadline(start, 72, HOUR, [], at(10, 1, 9)).state is WARNING
    assert compute_deadline(start, 72, HOUR, [], at(10, 3, 9)).state is WARNING
    over = compute_deadline(start, 72, HOUR, [], at(10, 3, 9, 0, 1))
    assert over.state is OVERDUE and over.overdue_since == at(10, 3, 9)
    paused = compute_deadline(start, 72, HOUR, [Pause(at(10, 1, 9), at(10, 1, 11, 30))], at(10, 3, 10))
    assert paused.due_at == at(10, 3, 11, 30) and paused.state is WARNING


# ---------------------------------------------------------------- through the API


def view(client: TestClient, world: World, cid: int, moment: datetime) -> dict:
    clock.freeze(moment)
    response = client.get(f"/api/v1/cases/{cid}", headers=world.auth("clerk_a"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_case_goes_normal_warning_overdue_and_keeps_its_first_overdue_moment(
    client: TestClient, world: World, db
) -> None:
    clock.freeze(WORKDAY)
    new = register(client, world)
    cid = new["case_id"]
    assert view(client, world, cid, WORKDAY)["time_state"] is None  # not accepted yet: no clock
    act(client, world, cid, "accept")
    states = [
        (at(9, 24, 10, 5), "正常"),
        (at(9, 29, 16), "正常"),
        (at(9, 30, 9), "预警"),
        (at(10, 5, 12), "预警"),
        (at(10, 9, 23, 59, 59), "预警"),
        (at(10, 10, 0, 0, 1), "逾期"),
    ]
    for moment, state in states:
        case = view(client, world, cid, moment)
        assert (moment, case["time_state"]) == (moment, state)
        assert case["due_at"] == "2026-10-09T23:59:59"
        assert case["first_overdue_at"] == ("2026-10-10T00:00:00" if state == "逾期" else None)
    progress = client.post("/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]})
    assert progress.json()["time_state"] == "逾期"
    # handled late: the first overdue moment is stored with the case and stays after conclusion
    clock.freeze(at(10, 12, 9))
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    done = act(client, world, cid, "conclude", who="officer_a", result=0)
    assert done["time_state"] == "逾期" and done["first_overdue_at"] == "2026-10-10T00:00:00"
    db.expire_all()
    stored = db.scalar(select(Case).where(Case.id == cid))
    assert stored is not None
    assert stored.first_overdue_at == at(10, 10, 0) and stored.time_state == "逾期"
    later = view(client, world, cid, at(10, 30))
    assert later["time_state"] == "逾期" and later["first_overdue_at"] == "2026-10-10T00:00:00"
    publicity = client.get("/api/v1/publicity").json()["items"]
    assert [(row["case_no"], row["on_time"]) for row in publicity] == [(new["case_no"], False)]


def test_case_concluded_in_time_stays_on_time(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    new = register(client, world)
    cid = new["case_id"]
    act(client, world, cid, "accept")
    clock.freeze(at(9, 28, 15))
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    later = view(client, world, cid, at(10, 30))  # long after the due date: the clock stopped at conclusion
    assert later["time_state"] == "正常" and later["first_overdue_at"] is None
    publicity = client.get("/api/v1/publicity").json()["items"]
    assert [(row["case_no"], row["on_time"]) for row in publicity] == [(new["case_no"], True)]


def test_supplement_pause_keeps_a_case_from_going_overdue(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    clock.freeze(at(9, 28))
    act(client, world, cid, "supplement", reason="施工方案缺少签章", materials=["施工方案"])
    waiting = view(client, world, cid, at(10, 12))
    assert waiting["clock_paused"] and waiting["time_state"] != "逾期" and waiting["first_overdue_at"] is None
    assert waiting["due_at"] == "2026-10-16T23:59:59"  # 9/28, then 10/13–10/16 while the pause lasts


def test_hour_limit_item_through_the_api(client: TestClient, world: World, db) -> None:
    item = item_service.save(
        db,
        None,
        item_in(
            world.dept_a,
            name="临时占道审批",
            statutory_limit=72,
            statutory_unit="小时",
            promised_limit=72,
            promised_unit="小时",
            materials=[],
        ),
    )
    db.commit()
    clock.freeze(at(9, 30, 9))
    body = {
        "service_item_id": item.id,
        "applicant": {"kind": "personal", "name": "孙市民", "id_number": "11010519491231002X", "phone": "13800000001"},
    }
    created = client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))
    assert created.status_code == 201, created.text
    cid = created.json()["case_id"]
    accepted = act(client, world, cid, "accept")
    assert accepted["due_at"] == "2026-10-03T09:00:00" and accepted["limit_unit"] == "小时"
    assert view(client, world, cid, at(10, 1, 8, 59))["time_state"] == "正常"
    assert view(client, world, cid, at(10, 1, 9))["time_state"] == "预警"
    overdue = view(client, world, cid, at(10, 3, 9, 0, 1))
    assert overdue["time_state"] == "逾期" and overdue["first_overdue_at"] == "2026-10-03T09:00:00"
