"""Web chat on the portal: the panel on every page, messages only from our own pages, history per browser
session, buttons that send their payload."""

from fastapi.testclient import TestClient

from tests.channels.conftest import FakeRasa, panel_csrf, webchat_say
from tests.helpers import api_error
from tests.world import World


def test_every_portal_page_has_the_panel_and_the_admin_site_does_not(client: TestClient, world: World) -> None:
    for page in ("/", "/guides", "/knowledge", "/progress", "/login"):
        html = client.get(page).text
        assert 'id="webchat"' in html and "/static/webchat.js" in html and "/static/webchat.css" in html, page
    assert client.get("/static/webchat.js").status_code == 200


def test_a_message_gets_the_bots_answer_with_buttons_and_links(client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.answer = lambda sender, text: [
        {"text": "请提供办件编号。", "buttons": [{"title": "我不知道编号", "payload": "/no_case_number"}]},
        {
            "custom": {
                "links": [{"title": "进度查询页面", "url": "/progress"}, {"title": "坏链接", "url": "javascript:x"}]
            }
        },
    ]
    answer = webchat_say(client, "查进度")
    user, bot = answer["messages"]
    assert (user["direction"], user["author"], user["text"]) == ("in", "user", "查进度")
    assert (bot["author"], bot["text"]) == ("bot", "请提供办件编号。")
    assert bot["buttons"] == [{"title": "我不知道编号", "payload": "/no_case_number"}]
    assert bot["links"] == []  # only http(s) links from the bot are kept; the page's own paths come as absolute URLs
    assert fake_rasa.calls[0]["sender"].startswith("webchat:")

    chosen = webchat_say(client, "我不知道编号", after=bot["id"], payload="/no_case_number")
    assert fake_rasa.calls[-1]["message"] == "/no_case_number"
    assert chosen["messages"][0]["text"] == "我不知道编号"  # the person sees the title, the bot gets the payload


def test_a_post_without_after_answers_with_this_turn_only(client: TestClient, fake_rasa: FakeRasa) -> None:
    """The panel names the last message it shows; a client that names none gets its own turn, not the whole
    conversation again with every message."""
    for text in ("你好", "施工许可要什么材料", "多久能办好"):
        webchat_say(client, text)
    response = client.post(
        "/channels/webchat/messages",
        json={"text": "在哪里办"},
        headers={"X-CSRF-Token": panel_csrf(client)},
    )
    assert [m["text"] for m in response.json()["messages"]] == ["在哪里办", "您问的是：在哪里办"]
    whole = webchat_say(client, "谢谢", after=0)  # naming 0 still asks for everything
    assert [m["text"] for m in whole["messages"]][:2] == ["你好", "您问的是：你好"] and len(whole["messages"]) == 10


def test_history_belongs_to_the_browser_session(client: TestClient, fake_rasa: FakeRasa) -> None:
    first = webchat_say(client, "你好")
    history = client.get("/channels/webchat/messages").json()
    assert [m["text"] for m in history["messages"]] == ["你好", "您问的是：你好"]
    assert (
        client.get("/channels/webchat/messages", params={"after": first["messages"][-1]["id"]}).json()["messages"] == []
    )
    stranger = TestClient(client.app)
    assert stranger.get("/channels/webchat/messages").json() == {"status": "bot", "messages": []}
    webchat_say(stranger, "另一个人")
    assert {c["sender"] for c in fake_rasa.calls}.__len__() == 2


def test_posts_without_the_pages_token_or_from_another_site_are_refused(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    body = {"text": "你好"}
    api_error(client.post("/channels/webchat/messages", json=body), 403)
    token = panel_csrf(client)
    api_error(client.post("/channels/webchat/messages", json=body, headers={"X-CSRF-Token": "forged"}), 403)
    cross = {"X-CSRF-Token": token, "Origin": "https://evil.example.com"}
    assert (
        "页面已过期" in api_error(client.post("/channels/webchat/messages", json=body, headers=cross), 403)["message"]
    )
    assert fake_rasa.calls == []
    ok = client.post(
        "/channels/webchat/messages", json=body, headers={"X-CSRF-Token": token, "Origin": "http://testserver"}
    )
    assert ok.status_code == 200


def test_empty_or_overlong_messages_are_refused_in_chinese(client: TestClient, fake_rasa: FakeRasa) -> None:
    headers = {"X-CSRF-Token": panel_csrf(client)}
    assert (
        "不能为空"
        in api_error(client.post("/channels/webchat/messages", json={"text": ""}, headers=headers), 422)["message"]
    )
    too_long = client.post("/channels/webchat/messages", json={"text": "长" * 4001}, headers=headers)
    assert "不能超过4000个字符" in api_error(too_long, 422)["message"]
    assert fake_rasa.calls == []


def test_a_2000_character_message_and_emoji_work(client: TestClient, fake_rasa: FakeRasa) -> None:
    assert webchat_say(client, "问" * 2000)["messages"][-1]["text"] == "您问的是：" + "问" * 2000
    assert webchat_say(client, "🙂🙂")["messages"][-1]["text"] == "您问的是：🙂🙂"


def test_whitespace_only_text_is_answered_without_the_bot(client: TestClient, fake_rasa: FakeRasa) -> None:
    assert "请用文字描述" in webchat_say(client, "   ")["messages"][-1]["text"]
    assert fake_rasa.calls == []
