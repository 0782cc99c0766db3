"""The 帮办预约 pages through the real login and forms: a citizen books from the portal (the booking then shows in
the 帮办员's list), a full half-day is shown as 已约满 and refused with the form kept, the citizen cancels; the
helper records the service and the citizen rates it; another citizen's booking page is refused."""

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from core import clock
from tests.guidance.conftest import MONDAY, Centre
from tests.web.conftest import Browser, browser

_ = browser  # the fixture

Make = Callable[[str | None], Browser]


def _booking_id(html: str) -> int:
    found = re.search(r'action="/my/guidance/(\d+)/cancel"', html)
    assert found, html[:2000]
    return int(found.group(1))


def test_a_citizen_books_cancels_and_rates_on_the_portal(browser: Make, centre: Centre, db: Session) -> None:
    citizen = browser("citizen")
    subject = f"item:{centre.world.item.id}"
    form = citizen.get(f"/my/guidance/new?subject={subject}")
    assert form.status_code == 200 and "余 2 个名额" in form.text and "上门服务" not in form.text
    slot = f"{MONDAY.isoformat()}|am"
    data = {"subject": subject, "mode": "window", "slot": slot, "question": "材料怎么准备"}
    done = citizen.submit(f"/my/guidance/new?subject={subject}", "/my/guidance/new", data)
    assert done.status_code == 200 and "预约成功" in done.text and "何帮办" in done.text, done.text[:3000]
    first = _booking_id(done.text)
    assert "帮办预约已确认" in citizen.get("/my/inbox").text
    helper = browser("helper_a")
    assert "材料怎么准备" in helper.get("/admin/guidance").text
    other = browser("citizen2")
    other.submit(f"/my/guidance/new?subject={subject}", "/my/guidance/new", data)
    full = citizen.get(f"/my/guidance/new?subject={subject}")
    assert "已约满" in full.text
    again = citizen.submit(f"/my/guidance/new?subject={subject}", "/my/guidance/new", {**data, "question": "再约"})
    assert again.status_code == 409 and "已有帮办预约" in again.text and "再约" in again.text
    assert "材料怎么准备" not in browser("citizen2").get(f"/my/guidance/{first}").text
    cancelled = citizen.submit(f"/my/guidance/{first}", f"/my/guidance/{first}/cancel", {"reason": "改期"})
    assert "预约已取消" in cancelled.text and "已取消" in cancelled.text
    booked = citizen.submit(f"/my/guidance/new?subject={subject}", "/my/guidance/new", {**data, "slot": f"{MONDAY}|pm"})
    second = _booking_id(booked.text)
    clock.freeze(datetime(2026, 9, 21, 15, 0))
    helper = browser(
        "helper_a"
    )  # a staff session ends after its idle time: the helper signs in on the day (and so does the citizen below)
    record = {"record": "讲解了申请材料，核对了施工方案", "close": "1", "back": "/admin/guidance?when=today"}
    recorded = helper.submit("/admin/guidance?when=today", f"/admin/guidance/bookings/{second}/record", record)
    assert "已保存" in recorded.text and "核对了施工方案" in recorded.text
    citizen = browser("citizen")
    page = citizen.get(f"/my/guidance/{second}")
    assert "满意度" in page.text and "核对了施工方案" in page.text
    rated = citizen.submit(f"/my/guidance/{second}", f"/my/guidance/{second}/rate", {"rating": "5", "comment": "好"})
    assert "感谢您的评价" in rated.text and "5 分" in rated.text
