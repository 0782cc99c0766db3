"""The public pages' cache (core/cache.py) never shows what was changed: each page is read once (cached), the data
changed the way staff change it, and the page read again shows the change at once. Also what the faster queries
must still do: publicity masks names and filters, lists show the right rows, statistics count past and present.
"""

import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import cache, clock
from core.cases.models import Case
from core.items import service as item_service
from core.items.schemas import ItemIn
from core.org import service as org_service
from core.org.models import Department
from tests.helpers import act, register
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]


def _edit_item(db: Session, world: World, **changes: object) -> None:
    item = item_service.get(db, world.item.id)
    data = ItemIn.model_validate({**ItemIn.model_validate(item, from_attributes=True).model_dump(), **changes})
    item_service.save(db, item, data)
    db.commit()


def test_a_guide_and_the_catalogue_show_an_edited_item_at_once(browser: MakeBrowser, world: World, db: Session) -> None:
    anonymous = browser()
    assert world.item.name in anonymous.get(f"/guides/{world.item.id}").text
    assert world.item.name in anonymous.get("/guides").text
    assert world.item.name in anonymous.get("/publicity").text  # the item filter list

    _edit_item(db, world, name="城市道路临时占用审批（新）")

    assert "城市道路临时占用审批（新）" in anonymous.get(f"/guides/{world.item.id}").text
    assert "城市道路临时占用审批（新）" in anonymous.get("/guides").text
    assert "城市道路临时占用审批（新）" in anonymous.get("/publicity").text


def test_a_withdrawn_guide_is_gone_at_once(browser: MakeBrowser, world: World, db: Session) -> None:
    anonymous = browser()
    assert anonymous.get(f"/guides/{world.item.id}").status_code == 200
    item = item_service.get(db, world.item.id)
    item.is_published = False
    db.commit()
    assert anonymous.get(f"/guides/{world.item.id}").status_code == 404
    assert world.item.name not in anonymous.get("/guides").text


def test_a_new_department_appears_in_the_filter_lists(client: TestClient, browser: MakeBrowser, world: World) -> None:
    anonymous = browser()
    assert "新设审批局" not in anonymous.get("/publicity").text
    assert "新设审批局" not in anonymous.get("/statistics").text
    added = client.post("/api/v1/departments", json={"code": "NEW1", "name": "新设审批局"}, headers=world.auth("admin"))
    assert added.status_code == 201
    assert "新设审批局" in anonymous.get("/publicity").text
    assert "新设审批局" in anonymous.get("/statistics").text
    assert "新设审批局" in anonymous.get("/guides").text


def _conclude(client: TestClient, world: World, case_id: int) -> None:
    act(client, world, case_id, "accept")
    act(client, world, case_id, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, case_id, "decide", who="leader", agree=True, opinion="同意")
    act(client, world, case_id, "conclude", who="officer_a", result=0)


def test_publicity_shows_a_conclusion_at_once_masked_and_filtered(
    client: TestClient, browser: MakeBrowser, world: World
) -> None:
    first = register(client, world)
    _conclude(client, world, first["case_id"])
    anonymous = browser()
    assert first["case_no"] in anonymous.get("/publicity").text
    second = register(client, world)
    assert second["case_no"] not in anonymous.get("/publicity").text  # not concluded: not public

    _conclude(client, world, second["case_id"])

    page = anonymous.get("/publicity").text
    assert second["case_no"] in page and first["case_no"] in page
    assert page.index(second["case_no"]) < page.index(first["case_no"])  # newest conclusion first
    assert "孙*" in page and "孙市民" not in page
    own = anonymous.get("/publicity", params={"department_id": str(world.item.department_id)}).text
    other = anonymous.get("/publicity", params={"department_id": str(world.dept_b.id)}).text
    assert second["case_no"] in own and second["case_no"] not in other
    by_item = anonymous.get("/publicity", params={"service_item_id": str(world.immediate_item.id)}).text
    assert second["case_no"] not in by_item
    api = client.get("/api/v1/publicity").json()
    assert api["total"] == 2 and [r["applicant_name"] for r in api["items"]] == ["孙*民", "孙*民"]


def _received(page: str, department: str) -> list[tuple[str, int]]:
    flat = re.sub(r"<td[^>]*>", "<td>", re.sub(r">\s+<", "><", page))
    found = re.findall(rf"<td>{department}</td><td>(\d{{4}}年\d{{1,2}}月)</td><td>(\d+)</td>", flat)
    return [(month, int(n)) for month, n in found]


def test_statistics_count_this_month_live_and_show_a_corrected_earlier_month(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    clock.freeze(datetime(2026, 9, 24, 10, 0))
    earlier = register(client, world)
    anonymous = browser()
    department = db.get(Department, world.item.department_id)
    assert department is not None
    assert _received(anonymous.get("/statistics").text, department.name) == [("2026年9月", 1)]

    register(client, world)  # this month: counted live, no cache to empty
    assert _received(anonymous.get("/statistics").text, department.name) == [("2026年9月", 2)]

    case = db.scalar(select(Case).where(Case.id == earlier["case_id"]))
    assert case is not None
    case.submitted_at -= timedelta(days=40)  # a correction of an earlier month (cached) shows at once
    db.commit()
    assert _received(anonymous.get("/statistics").text, department.name) == [("2026年8月", 1), ("2026年9月", 1)]


def test_the_cache_is_off_with_zero_seconds(
    browser: MakeBrowser, world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    monkeypatch.setattr(get_settings(), "public_cache_seconds", 0)
    calls: list[int] = []
    assert cache.cached("reference", "x", int, lambda: calls.append(1) or 1) == 1
    assert cache.cached("reference", "x", int, lambda: calls.append(1) or 1) == 1
    assert calls == [1, 1]


REDIS_URL = os.environ.get("TONGBAN_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="TONGBAN_TEST_REDIS_URL 未设置（scripts/test.sh 会启动 Redis 并设置）")
def test_with_redis_a_write_in_one_process_empties_every_process_cache(
    monkeypatch: pytest.MonkeyPatch, world: World, db: Session
) -> None:
    from core.settings import get_settings

    monkeypatch.setattr(get_settings(), "redis_url", REDIS_URL)
    cache.clear()
    calls: list[str] = []

    def produce() -> list[str]:
        calls.append("made")
        return [d.name for d in org_service.department_choices(db=db)]

    first = cache.cached("test-shared", "names", list[str], produce)
    assert cache.cached("test-shared", "names", list[str], produce) == first and calls == ["made"]
    # another process sees the same entry: it is in Redis, under the namespace's version there
    shared = redis.Redis.from_url(REDIS_URL)
    assert shared.get("tongban:cache-version:test-shared") is None  # version 0, never bumped
    assert any(k.startswith(b"tongban:cache:test-shared:0:") for k in shared.scan_iter("tongban:cache:*"))

    cache.invalidate("test-shared")  # what a committed write does, from any process
    assert cache.cached("test-shared", "names", list[str], produce) == first and calls == ["made", "made"]

    assert "共享缓存局" not in [d.name for d in org_service.department_choices(db=db)]
    org_service.save_department(db=db, department=None, values={"code": "NEW2", "name": "共享缓存局"})
    db.commit()  # bumps the reference version in Redis
    assert shared.get("tongban:cache-version:reference") is not None
    assert "共享缓存局" in [d.name for d in org_service.department_choices(db=db)]
    cache.clear()


def test_handling_today_an_earlier_months_case_keeps_the_cached_months(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    clock.freeze(datetime(2026, 9, 24, 10, 0))
    case = register(client, world)
    clock.freeze(datetime(2026, 10, 9, 10, 0))
    department = db.get(Department, world.item.department_id)
    assert department is not None
    anonymous = browser()
    assert _received(anonymous.get("/statistics").text, department.name) == [("2026年9月", 1)]
    version = cache._backend().version("statistics")

    _conclude(client, world, case["case_id"])  # figures of October only: September's stay cached

    assert cache._backend().version("statistics") == version
    page = anonymous.get("/statistics").text
    assert _received(page, department.name) == [("2026年9月", 1), ("2026年10月", 0)]


def test_publicity_rows_show_a_renamed_item(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    case = register(client, world)
    _conclude(client, world, case["case_id"])
    anonymous = browser()
    assert world.item.name in anonymous.get("/publicity").text
    _edit_item(db, world, name="道路占用审批（更名）")
    rows = anonymous.get("/api/v1/publicity").json()["items"]
    assert [r["service_item_name"] for r in rows] == ["道路占用审批（更名）"]


def test_requests_that_miss_together_compute_the_value_once() -> None:
    import threading
    import time as timing

    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        timing.sleep(0.2)
        return 7

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.cached("t", "k", int, slow))) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [7] * 5 and calls == [1]


def _overdue(client: TestClient, month: str) -> int:
    """The overdue cases of ``month`` (``2026-09``) in the public statistics, all departments."""
    return sum(int(row["overdue"]) for row in client.get("/api/v1/statistics").json() if row["month"] == month)


def test_staff_handling_an_overdue_case_of_an_earlier_month_keeps_the_cached_months(
    client: TestClient, world: World, db: Session
) -> None:
    """The suspicion of issue 17 (staff actions on old months empty the statistics cache) checked on the case that
    would do it: accepted and overdue in September, handled in October. The deadline scan records the September
    overdue (a real change of September's figures, shown at once although the scan writes by statements); the
    review, decision and conclusion in October leave September's cached figures alone."""
    from core.cases.scheduled import refresh_open_cases

    clock.freeze(datetime(2026, 9, 1, 10, 0))
    case = register(client, world)
    act(client, world, case["case_id"], "accept")
    clock.freeze(datetime(2026, 10, 9, 10, 0))
    assert _overdue(client, "2026-09") == 0  # September cached, the case not yet marked overdue

    refresh_open_cases(db)
    assert _overdue(client, "2026-09") == 1
    version = cache._backend().version("statistics")

    act(client, world, case["case_id"], "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, case["case_id"], "decide", who="leader", agree=True, opinion="同意")
    act(client, world, case["case_id"], "conclude", who="officer_a", result=0)

    assert cache._backend().version("statistics") == version
    assert _overdue(client, "2026-09") == 1
