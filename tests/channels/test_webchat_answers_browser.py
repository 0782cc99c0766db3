"""The bot's answers in the chat panel, in Chromium at 375 px and 1366 px (issue 16): the web addresses in an
answer are links (and nothing the answer says becomes markup), the choices it offers are buttons, and a query
password the person typed is shown hidden once the bot has it."""

from collections.abc import Iterator

import pytest

from tests.browser import SCREENSHOTS, check_page, chromium_page
from tests.channels.conftest import FakeRasa

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app

PASSWORD = "385920"


@pytest.fixture
def live_chat(fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    """The real app in its own process, talking to the fake Rasa."""
    monkeypatch.setenv("TONGBAN_RASA_URL", fake_rasa.url)
    yield request.getfixturevalue("live_app")


def answers(base: str):  # type: ignore[no-untyped-def]
    """A bot that answers like bot/actions/knowledge.py (links in the text, three choices) and asks for the
    password like bot/domain/cases.yml (``expects: query_code``)."""

    def answer(sender: str, text: str) -> list[dict[str, object]]:
        if text == "施工许可证要什么材料":
            return [
                {
                    "text": f"【建筑工程施工许可证核发】办事指南\n完整指南：{base}/guides/17\n"
                    f"在线申报：{base}/apply/17。<img src=x onerror=alert(1)>",
                }
            ]
        if text == "树":
            titles = ["城市树木砍伐审批", "临时占用城市绿地审批", "古树名木迁移审批"]
            return [
                {
                    "text": "您的问题可能涉及以下几项，请选择您想了解的一项：\n"
                    + "\n".join(f"{n}. {t} {base}/guides/{n}" for n, t in enumerate(titles, 1)),
                    "buttons": [{"title": t, "payload": t} for t in titles],
                }
            ]
        if text == "楼下那棵树快倒了能直接锯吗":  # possible matches, none sure (knowledge.py MAYBE), and a person
            titles = ["小区里的树影响采光或有安全隐患，能申请砍伐或移植吗？", "哪些情况砍树不需要办林木采伐许可证？"]
            return [
                {
                    "text": "没有找到确切的答案。您想了解的可能是下面几项，请选择（也可以换个说法再问，或转人工）：\n"
                    + "\n".join(f"{n}. {t} {base}/knowledge/faqs/{n}" for n, t in enumerate(titles, 1)),
                    "buttons": [{"title": t, "payload": t} for t in titles]
                    + [{"title": "转人工", "payload": "转人工"}],
                }
            ]
        if text == "查进度":
            return [
                {"text": "请输入查询密码（受理通知书上的 6 位数字）。"},
                {"custom": {"expects": "query_code"}},
            ]
        return [{"text": "办件的办理进度：状态：受理"}]

    return answer


@pytest.mark.parametrize("width", [375, 1366])
def test_answers_have_clickable_links_choices_and_a_hidden_password(
    live_chat: str, fake_rasa: FakeRasa, width: int
) -> None:
    fake_rasa.answer = answers(live_chat)
    with chromium_page(width, 800) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{live_chat}/")
        page.locator(".webchat-toggle").click()
        textarea = page.locator(".webchat-form textarea")

        textarea.fill("施工许可证要什么材料")
        page.keyboard.press("Enter")
        guide = page.locator(".webchat-log li.out .bubble a", has_text="/guides/17")
        guide.wait_for()
        assert guide.get_attribute("href") == f"{live_chat}/guides/17"
        assert guide.get_attribute("target") == "_blank" and guide.get_attribute("rel") == "noopener noreferrer"
        apply = page.locator(".webchat-log li.out .bubble a", has_text="/apply/17")
        assert apply.get_attribute("href") == f"{live_chat}/apply/17"  # the full stop after it is not in the link
        bubble = page.locator(".webchat-log li.out .bubble").last
        assert "<img src=x onerror=alert(1)>" in bubble.inner_text()  # shown as text, never as markup
        assert page.locator(".webchat-log img").count() == 0 and not dialogs

        textarea.fill("树")
        page.keyboard.press("Enter")
        choices = page.locator(".webchat-log .webchat-choices").last.locator("button")
        choices.first.wait_for()
        assert choices.all_inner_texts() == ["城市树木砍伐审批", "临时占用城市绿地审批", "古树名木迁移审批"]
        assert page.locator(".webchat-log li.out").last.locator(".bubble a").count() == 3

        textarea.fill("楼下那棵树快倒了能直接锯吗")
        page.keyboard.press("Enter")
        page.locator(".webchat-log .bubble", has_text="没有找到确切的答案").wait_for()
        offered = page.locator(".webchat-log .webchat-choices").last.locator("button")
        assert offered.all_inner_texts()[-1] == "转人工" and offered.count() == 3
        log = page.locator(".webchat-log").bounding_box()
        assert log is not None
        for box in (offered.nth(n).bounding_box() for n in range(3)):  # long titles wrap inside the panel
            assert box is not None and log["x"] <= box["x"] and box["x"] + box["width"] <= log["x"] + log["width"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"webchat-possible-matches-{width}.png"))

        textarea.fill("查进度")
        page.keyboard.press("Enter")
        page.locator(".webchat-log .bubble", has_text="请输入查询密码").wait_for()
        textarea.fill(PASSWORD)
        page.keyboard.press("Enter")
        page.locator(".webchat-log .bubble", has_text="办件的办理进度").wait_for()
        page.wait_for_function("document.querySelectorAll('.webchat-log li.pending').length === 0")
        typed = page.locator(".webchat-log li.in .bubble").all_inner_texts()
        assert PASSWORD not in "".join(typed) and "［查询密码已隐藏］" in typed
        panel = page.locator(".webchat-panel").bounding_box()
        assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= width
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"webchat-answers-open-{width}.png"))  # the panel as a person sees it
        page.locator(".webchat-close").click()  # the open panel covers the page by design; closed, nothing may
        check_page(page, "webchat-answers", allow={"img", "src", "onerror", "alert", "x"}, verbatim="code, a")

        page.reload()  # the history from the server: the password hidden there too
        page.locator(".webchat-toggle").click()
        page.locator(".webchat-log .bubble", has_text="办件的办理进度").wait_for()
        assert PASSWORD not in page.locator(".webchat-log").inner_text()
        assert page.locator(".webchat-log li.out .bubble a", has_text="/guides/17").count() == 1
