"""“我想预约帮办”: the action finds the item, offers its free half-days as buttons, and a button books that half-day
through /api/v1/guidance; the API's refusals (not bound, full) are relayed in its words. The API is stubbed at the
client's one request method (the guidance routes are checked against the real API in the app's tests)."""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional

import pytest
from actions import guidance
from actions.client import ApiError, TongbanClient
from conftest import make_tracker, run, slot_events, texts

FREE = [
    {"day": "2026-12-07", "period": "am", "label": "12月07日 上午 9:00–12:00", "free": 0},
    {"day": "2026-12-07", "period": "pm", "label": "12月07日 下午 14:00–17:00", "free": 2},
    {"day": "2026-12-08", "period": "am", "label": "12月08日 上午 9:00–12:00", "free": 3},
]
BOOKED = {
    "booking_no": "BB261205000123",
    "subject": "建筑工程施工许可证核发",
    "mode_label": "线上帮办",
    "day": "2026-12-08",
    "period_label": "上午 9:00–12:00",
    "staff_name": "何帮办",
}


class Stub:
    """Answers the action's calls and remembers them."""

    def __init__(self, refuse: Optional[ApiError] = None) -> None:
        self.calls: List[tuple] = []
        self.refuse = refuse

    async def request(self, _client: Any, method: str, path: str, *, params: Any = None, body: Any = None) -> Any:
        self.calls.append((method, path, params, body))
        if path == "/items":
            return [{"id": 7, "name": "建筑工程施工许可证核发"}] if "施工许可" in params["q"] else []
        if self.refuse is not None:
            raise self.refuse
        if path == "/guidance/free":
            return FREE
        if path == "/guidance/bookings":
            return BOOKED
        raise AssertionError(path)


@pytest.fixture()
def stub(monkeypatch: pytest.MonkeyPatch) -> Stub:
    made = Stub()

    async def request(self: Any, method: str, path: str, **kwargs: Any) -> Any:
        return await made.request(self, method, path, **kwargs)

    monkeypatch.setattr(TongbanClient, "request", request)
    return made


def test_asking_for_guidance_offers_the_free_half_days(stub: Stub, domain: Dict[str, Any]) -> None:
    events, messages = run(guidance.ActionGuidance(), make_tracker("我想预约线上帮办 施工许可", intent="book_guidance"), domain)
    assert "近期可预约的线上帮办时段" in texts(messages)
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["预约 12月07日 下午", "预约 12月08日 上午"]  # the full half-day is not offered
    assert slot_events(events) == {"guidance_item_id": 7, "guidance_item_name": "建筑工程施工许可证核发", "guidance_mode": "online"}
    assert ("GET", "/guidance/free", {"service_item_id": 7, "days": 5}, None) in stub.calls


def test_a_button_books_that_half_day(stub: Stub, domain: Dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    real = guidance.chosen_half_day
    monkeypatch.setattr(guidance, "chosen_half_day", lambda text: real(text, date(2026, 12, 5)))  # a fixed today
    slots = {"guidance_item_id": 7, "guidance_item_name": "建筑工程施工许可证核发", "guidance_mode": "online"}
    tracker = make_tracker("预约 12月08日 上午", intent="book_guidance", slots=slots)
    events, messages = run(guidance.ActionGuidance(), tracker, domain)
    assert stub.calls[-1] == (
        "POST",
        "/guidance/bookings",
        None,
        {"service_item_id": 7, "mode": "online", "day": "2026-12-08", "period": "am"},
    )
    said = texts(messages)
    assert "预约成功" in said and "BB261205000123" in said and "何帮办" in said
    assert slot_events(events)["guidance_item_id"] is None


def test_the_half_day_named_is_the_next_such_date() -> None:
    assert guidance.chosen_half_day("预约 12月08日 上午", date(2026, 12, 5)) == (date(2026, 12, 8), "am")
    assert guidance.chosen_half_day("预约 1月5日 下午", date(2026, 12, 5)) == (date(2027, 1, 5), "pm")
    assert guidance.chosen_half_day("预约帮办", date(2026, 12, 5)) is None
    assert guidance.mode_of("我想预约帮办") == "window"


def test_without_an_item_the_bot_asks_for_one(stub: Stub, domain: Dict[str, Any]) -> None:
    _, messages = run(guidance.ActionGuidance(), make_tracker("我想预约帮办", intent="book_guidance"), domain)
    assert texts(messages) == guidance.ASK_ITEM


def test_an_unbound_user_gets_the_apis_words(stub: Stub, domain: Dict[str, Any]) -> None:
    stub.refuse = ApiError(403, "permission_denied", "预约帮办需要先绑定账号：请在门户网站登录后绑定微信")
    _, messages = run(guidance.ActionGuidance(), make_tracker("预约帮办 施工许可", intent="book_guidance"), domain)
    assert "需要先绑定账号" in texts(messages)
