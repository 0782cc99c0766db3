"""The chat panel in a real headless Chromium on a 375-px phone screen: open it, send a message, get a reply
with a button, choose the button, and find the history again after moving to another page."""

from collections.abc import Iterator

import pytest

from tests.browser import chromium_page
from tests.channels.conftest import FakeRasa

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app


@pytest.fixture
def live_chat(fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    """The real app in its own process, talking to the fake Rasa."""
    monkeypatch.setenv("TONGBAN_RASA_URL", fake_rasa.url)
    yield request.getfixturevalue("live_app")


def test_chat_panel_on_a_phone_sends_and_renders_a_button_reply_in_chromium(
    live_chat: str, fake_rasa: FakeRasa
) -> None:
    def answer(sender: str, text: str) -> list[dict[str, object]]:
        if text == "/ask_progress":
            return [{"text": "请告诉我办件编号，例如 KF2026091800012。"}]
        return [
            {
                "text": "您可以查询办件进度，也可以查看办事指南。",
                "buttons": [{"title": "查询办件进度", "payload": "/ask_progress"}],
            },
            {"custom": {"links": [{"title": "办事指南", "url": f"{live_chat}/guides"}]}},
        ]

    fake_rasa.answer = answer
    with chromium_page(375, 700) as page:
        page.goto(f"{live_chat}/")
        toggle = page.locator(".webchat-toggle")
        toggle.click()
        panel = page.locator(".webchat-panel")
        panel.wait_for(state="visible")
        box = panel.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] <= 700

        page.locator(".webchat-form textarea").fill("你好，我想办事")
        page.keyboard.press("Enter")
        button = page.locator(".webchat-log .webchat-choices button", has_text="查询办件进度")
        button.wait_for(state="visible")
        assert page.locator(".webchat-log li.in .bubble").first.inner_text() == "你好，我想办事"
        link = page.locator(".webchat-log .webchat-links a", has_text="办事指南")
        assert link.get_attribute("href") == f"{live_chat}/guides" and link.get_attribute("target") == "_blank"
        assert page.locator(".webchat-log li.pending").count() == 0
        button_box = button.bounding_box()
        assert button_box is not None and button_box["x"] + button_box["width"] <= 375

        button.click()
        page.locator(".webchat-log .bubble", has_text="请告诉我办件编号").wait_for()
        assert fake_rasa.calls[-1]["message"] == "/ask_progress"
        assert page.locator(".webchat-log li.in .bubble").nth(1).inner_text() == "查询办件进度"

        page.goto(f"{live_chat}/guides")  # history kept for the session
        page.locator(".webchat-toggle").click()
        page.locator(".webchat-log .bubble", has_text="请告诉我办件编号").wait_for()
        assert page.locator(".webchat-log li.in").count() == 2
