"""The query password never reaches the stored transcript (nor the audit log of it), and a transcript is read
only by the departments whose cases it is about — or, about no case, by the hand-off desk (导办台)."""

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from channels.models import Conversation, ConversationMessage
from core.audit.models import AuditLog
from core.db import get_sessionmaker
from tests.channels.conftest import FakeRasa, webchat_say
from tests.channels.test_handoff import handoff
from tests.helpers import register
from tests.web.conftest import Browser
from tests.world import World

PASSWORD = "385920"
ASK_CASE = "请提供办件编号（受理通知书上以 KF 开头的编号，例如 KF202611260017）。"
ASK_PASSWORD = "请输入查询密码（受理通知书上的 6 位数字）。"


def progress_bot(sender: str, text: str) -> list[dict[str, Any]]:
    """Answers as bot/domain/cases.yml does: the password question carries ``expects: query_code``."""
    if text.startswith("查"):
        return [{"recipient_id": sender, "text": ASK_CASE}]
    if re.fullmatch(r"KF\d{12}", text):
        return [
            {"recipient_id": sender, "text": ASK_PASSWORD},
            {"recipient_id": sender, "custom": {"expects": "query_code"}},
        ]
    return [{"recipient_id": sender, "text": "办件的办理进度：状态：受理"}]


def everything_stored() -> str:
    """Every stored message (text and payload) and every audit record, as one text to search."""
    with get_sessionmaker()() as db:
        messages = [(m.text, m.payload) for m in db.scalars(select(ConversationMessage))]
        audit = [(a.before, a.after, getattr(a, "statement", None)) for a in db.scalars(select(AuditLog))]
    return json.dumps([messages, audit], ensure_ascii=False, default=str)


def the_conversation(channel: str = "webchat") -> Conversation:
    with get_sessionmaker()() as db:
        return db.scalars(select(Conversation).where(Conversation.channel == channel)).one()


def test_the_password_answering_the_bots_question_is_stored_hidden(
    client: TestClient, world: World, fake_rasa: FakeRasa
) -> None:
    case_no = register(client, world)["case_no"]
    fake_rasa.answer = progress_bot
    person = TestClient(client.app)
    webchat_say(person, "查办件进度")
    webchat_say(person, case_no)
    answer = webchat_say(person, PASSWORD)

    assert answer["messages"][-1]["text"] == "办件的办理进度：状态：受理"
    assert [c["message"] for c in fake_rasa.calls][-1] == PASSWORD  # the bot still gets it, to check it
    seen = [m["text"] for m in person.get("/channels/webchat/messages?after=0").json()["messages"]]
    assert "［查询密码已隐藏］" in seen and case_no in seen
    assert PASSWORD not in everything_stored()

    webchat_say(person, "123456")  # the bot did not ask for a password this time: an ordinary message
    assert "123456" in everything_stored()


def test_a_password_typed_beside_the_case_number_is_masked(
    client: TestClient, world: World, fake_rasa: FakeRasa
) -> None:
    case_no = register(client, world)["case_no"]
    fake_rasa.answer = progress_bot
    person = TestClient(client.app)
    webchat_say(person, f"查{case_no}，密码{PASSWORD}")
    seen = [m["text"] for m in person.get("/channels/webchat/messages?after=0").json()["messages"]]
    assert f"查{case_no}，密码******" in seen
    assert PASSWORD not in everything_stored()


def test_a_department_reads_only_the_conversations_about_its_cases(
    client: TestClient,
    world: World,
    fake_rasa: FakeRasa,
    browser: Callable[[str | None], Browser],
    desks: list[str],
) -> None:
    case_no = register(client, world)["case_no"]  # a case of department A
    fake_rasa.answer = progress_bot
    about_a = TestClient(client.app)
    webchat_say(about_a, "查办件进度")
    webchat_say(about_a, case_no)
    webchat_say(about_a, PASSWORD)
    with get_sessionmaker()() as db:
        sender = db.scalars(select(Conversation.sender_id)).one()
    about_a_id = int(str(handoff(client, world, f"webchat:{sender}", "用户要求人工")["conversation_id"]))
    no_case_id = int(str(handoff(client, world, "rest:crm-9", "连续三次未能回答")["conversation_id"]))

    def listed(who: str) -> set[int]:
        page = browser(who).get("/admin/conversations")
        assert page.status_code == 200, page.text
        return {int(n) for n in re.findall(r'href="/admin/conversations/(\d+)"', page.text)}

    assert listed("clerk_a") == {about_a_id}
    assert listed("clerk_b") == set()
    assert listed("desk_1") == {no_case_id}
    assert listed("admin") == {about_a_id, no_case_id}

    transcript = browser("clerk_a").get(f"/admin/conversations/{about_a_id}")
    assert transcript.status_code == 200 and case_no in transcript.text and "［查询密码已隐藏］" in transcript.text
    assert PASSWORD not in transcript.text
    other = browser("clerk_b")
    for url in (f"/admin/conversations/{about_a_id}", f"/admin/conversations/{about_a_id}/transcript"):
        assert other.get(url).status_code == 404
    refused = other.submit("/admin/me", f"/admin/conversations/{about_a_id}/take", {})
    assert refused.status_code == 404
    assert the_conversation().status == "waiting"  # nothing was taken
    assert browser("desk_1").get(f"/admin/conversations/{about_a_id}").status_code == 404
    assert browser("desk_1").get(f"/admin/conversations/{no_case_id}").status_code == 200
    assert browser("citizen").get("/admin/conversations").status_code == 403


def test_opening_a_transcript_is_on_record_as_a_read_of_personal_data(
    client: TestClient, world: World, browser: Callable[[str | None], Browser], desks: list[str]
) -> None:
    """The auditor can see who opened which conversation; the page's own refreshes are not counted again."""
    conversation_id = int(str(handoff(client, world, "rest:crm-7", "用户要求人工")["conversation_id"]))
    desk = browser("desk_1")
    assert desk.get(f"/admin/conversations/{conversation_id}").status_code == 200
    assert desk.get(f"/admin/conversations/{conversation_id}/transcript").status_code == 200

    def reads() -> list[AuditLog]:
        with get_sessionmaker()() as db:
            return list(
                db.scalars(
                    select(AuditLog).where(AuditLog.action == "personal_data.read", AuditLog.entity == "conversation")
                )
            )

    [read] = reads()
    assert read.entity_id == str(conversation_id) and "desk_1" in read.actor_name
    assert browser("clerk_b").get(f"/admin/conversations/{conversation_id}").status_code == 404
    assert len(reads()) == 1  # a refused look is not a read
