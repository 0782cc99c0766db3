"""Hand-off to a person: the bot's action puts the conversation in the staff queue; the hand-off desk (导办台:
these conversations are about no department's case) takes it in the admin site and replies; the reply reaches
the person on their channel; the bot stays quiet meanwhile."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from channels.models import Conversation
from core.audit.models import AuditLog
from core.db import get_sessionmaker
from tests.channels.conftest import OPENID, FakeRasa, FakeWeChat, post_plain, reply_content, text_xml, webchat_say
from tests.helpers import api_error
from tests.web.conftest import Browser
from tests.world import World


def handoff(client: TestClient, world: World, who: str, reason: str = "用户要求人工服务") -> dict[str, object]:
    response = client.post(
        "/api/v1/handoffs", json={"reason": reason}, headers={**world.auth("admin"), "X-Channel-User": who}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def conversation_of(channel: str, sender_id: str) -> Conversation:
    with get_sessionmaker()() as db:
        return db.scalars(
            select(Conversation).where(Conversation.channel == channel, Conversation.sender_id == sender_id)
        ).one()


def staff_post(staff: Browser, conversation_id: int, action: str, **data: str) -> str:
    page = f"/admin/conversations/{conversation_id}"
    response = staff.submit(page, f"{page}/{action}", data)
    assert response.status_code == 200, response.text
    return response.text


RELAYED = "您的消息已转给人工客服，工作人员会在这里回复您，请稍候。"


def test_handoff_api_needs_a_service_client_and_a_channel_user(client: TestClient, world: World) -> None:
    api_error(client.post("/api/v1/handoffs", json={}, headers={"X-Channel-User": "wechat:o1"}), 403)
    api_error(client.post("/api/v1/handoffs", json={}), 401)
    clerk = {**world.auth("clerk_a"), "X-Channel-User": "wechat:o1"}
    api_error(client.post("/api/v1/handoffs", json={}, headers=clerk), 403)
    assert (
        api_error(client.post("/api/v1/handoffs", json={}, headers=world.auth("admin")), 422)["field"]
        == "X-Channel-User"
    )
    bad = {**world.auth("admin"), "X-Channel-User": "fax:123"}
    api_error(client.post("/api/v1/handoffs", json={}, headers=bad), 422)


def test_queue_lists_waiting_people_first_with_their_transcript(
    client: TestClient,
    world: World,
    browser: Callable[[str | None], Browser],
    fake_rasa: FakeRasa,
    desks: list[str],
) -> None:
    person = TestClient(client.app)
    webchat_say(person, "我要投诉窗口办事慢")
    sender = conversation_of_any("webchat")
    first = handoff(client, world, f"webchat:{sender.sender_id}", "用户要求投诉")
    second = handoff(client, world, "rest:crm-42", "连续三次未能回答")
    assert first["status"] == "waiting" and first["waiting_ahead"] == 0 and second["waiting_ahead"] == 1
    assert handoff(client, world, "rest:crm-42")["status"] == "waiting"  # asked again: still one place in the queue

    clerk = browser("desk_1")
    queue = clerk.get("/admin/conversations").text
    assert queue.index("用户要求投诉") < queue.index("连续三次未能回答")
    page = clerk.get(f"/admin/conversations/{first['conversation_id']}").text
    assert "我要投诉窗口办事慢" in page and "您问的是：我要投诉窗口办事慢" in page and "接入" in page
    assert browser("citizen").get("/admin/conversations").status_code == 403


def conversation_of_any(channel: str) -> Conversation:
    with get_sessionmaker()() as db:
        return db.scalars(select(Conversation).where(Conversation.channel == channel)).one()


def test_staff_reply_reaches_the_web_chat_poll_and_the_bot_stays_quiet(
    client: TestClient,
    world: World,
    browser: Callable[[str | None], Browser],
    fake_rasa: FakeRasa,
    desks: list[str],
) -> None:
    person = TestClient(client.app)
    webchat_say(person, "转人工")
    sender = conversation_of_any("webchat")
    conversation_id = int(str(handoff(client, world, f"webchat:{sender.sender_id}")["conversation_id"]))

    quiet = webchat_say(person, "有人吗？")  # the bot is not asked; the person hears that the staff have it
    assert [m["text"] for m in quiet["messages"]][-2:] == [
        "有人吗？",
        "您的消息已转给人工客服，工作人员会在这里回复您，请稍候。",
    ]
    again = webchat_say(person, "今天天气怎么样")  # said once per run of messages, not after each one
    assert [m["text"] for m in again["messages"]][-1] == "今天天气怎么样"
    assert [c["message"] for c in fake_rasa.calls] == ["转人工"]

    clerk = browser("desk_1")
    staff_post(clerk, conversation_id, "take")
    page = staff_post(clerk, conversation_id, "reply", text="您好，我是窗口张工，请问办理什么业务？")
    assert "未能送达" not in page
    seen = person.get("/channels/webchat/messages?after=0").json()
    texts = [(m["author"], m["text"]) for m in seen["messages"]]
    assert ("system", "您好，人工客服已接入，请问有什么可以帮您？") in texts
    assert texts[-1] == ("staff", "您好，我是窗口张工，请问办理什么业务？")
    assert seen["status"] == "human"

    staff_post(clerk, conversation_id, "release")
    assert conversation_of_any("webchat").status == "closed"
    again = webchat_say(person, "施工许可证要什么材料")
    assert again["messages"][-1]["text"] == "您问的是：施工许可证要什么材料"  # the bot is back
    assert conversation_of_any("webchat").status == "bot"
    with get_sessionmaker()() as db:
        actions = set(db.scalars(select(AuditLog.actor_name).where(AuditLog.entity == "conversation")))
    assert any("desk_1" in name for name in actions)  # the desk's writes are audited under their name


def test_staff_reply_reaches_wechat_through_the_customer_service_api(
    chat_client: TestClient,
    world: World,
    browser: Callable[[str | None], Browser],
    wechat_account: FakeWeChat,
    fake_rasa: FakeRasa,
    desks: list[str],
) -> None:
    reply_content(post_plain(chat_client, text_xml("我要找人工", "5001")))
    conversation_id = int(str(handoff(chat_client, world, f"wechat:{OPENID}")["conversation_id"]))
    # the bot is not asked while the person waits; they hear that their message reached the staff
    assert reply_content(post_plain(chat_client, text_xml("在吗", "5002"))) == RELAYED
    assert post_plain(chat_client, text_xml("有人吗", "5004")).text == "success"  # once, not after each message
    assert len(fake_rasa.calls) == 1

    clerk = browser("desk_1")
    staff_post(clerk, conversation_id, "take")
    staff_post(clerk, conversation_id, "reply", text="您好，请问需要办理什么业务？")
    assert wechat_account.texts() == ["您好，人工客服已接入，请问有什么可以帮您？", "您好，请问需要办理什么业务？"]
    # bot quiet while a person has it (who has answered since: the person hears once that this one reached them)
    assert reply_content(post_plain(chat_client, text_xml("占道施工审批", "5003"))) == RELAYED
    assert len(fake_rasa.calls) == 1

    wechat_account.errcode = 45015
    page = staff_post(clerk, conversation_id, "reply", text="还在吗？")
    assert "未能送达" in page and "48小时" in page


def test_only_the_clerk_who_took_it_replies(
    client: TestClient,
    world: World,
    browser: Callable[[str | None], Browser],
    fake_rasa: FakeRasa,
    desks: list[str],
) -> None:
    conversation_id = int(str(handoff(client, world, "rest:crm-7")["conversation_id"]))
    clerk_a, clerk_b = browser("desk_1"), browser("desk_2")
    refused = clerk_a.submit(
        f"/admin/conversations/{conversation_id}", f"/admin/conversations/{conversation_id}/reply", {"text": "你好"}
    )
    assert refused.status_code == 409 and "请先接入" in refused.text
    staff_post(clerk_a, conversation_id, "take")
    other = clerk_b.submit(
        f"/admin/conversations/{conversation_id}", f"/admin/conversations/{conversation_id}/reply", {"text": "你好"}
    )
    assert other.status_code == 409 and "其他工作人员" in other.text
    staff_post(clerk_b, conversation_id, "take")  # takes it over, on purpose
    staff_post(clerk_b, conversation_id, "reply", text="我来处理")
    pending = client.get(
        "/channels/rest/messages", params={"sender": "crm-7", "after": 0}, headers=world.auth("admin")
    ).json()
    assert [m["text"] for m in pending["messages"]][-1] == "我来处理"


def test_the_bots_handoff_action_puts_the_person_in_the_queue_and_the_bot_goes_quiet(
    client: TestClient, world: World, fake_rasa: FakeRasa
) -> None:
    """The Rasa action answers with ``custom.handoff`` (as bot/actions/common.py does); the gateway queues them."""
    fake_rasa.answer = lambda sender, text: [
        {"recipient_id": sender, "text": "好的，正在为您转接人工客服，请稍候。"},
        {"recipient_id": sender, "custom": {"handoff": {"reason": "user_request", "last_message": text}}},
    ]
    person = TestClient(client.app)
    first = webchat_say(person, "我要找工作人员")
    assert first["messages"][-1]["text"] == "好的，正在为您转接人工客服，请稍候。"
    conversation = conversation_of_any("webchat")
    assert conversation.status == "waiting" and conversation.handoff_reason == "用户请求人工服务"
    quiet = webchat_say(person, "在吗")
    assert [m["text"] for m in quiet["messages"]][-2:] == ["在吗", RELAYED] and len(fake_rasa.calls) == 1
