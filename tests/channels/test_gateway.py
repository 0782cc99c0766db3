"""The gateway on its own: Rasa's replies as outbound messages, counting turns the bot could not answer,
and the split of long texts."""

from fastapi.testclient import TestClient

from channels import rasa
from channels.messages import OutboundMessage
from channels.wechat.adapter import render, split_text
from tests.channels.conftest import FakeRasa, webchat_say


def test_rasa_replies_become_outbound_messages() -> None:
    reply = rasa.convert(
        [
            {"recipient_id": "u", "text": "您的办件正在审查。"},
            {"recipient_id": "u", "buttons": [{"title": "评价", "payload": "/rate"}]},
            {"recipient_id": "u", "image": "https://example.gov.cn/flow.png"},
            {
                "recipient_id": "u",
                "custom": {"text": "相关政策", "links": [{"title": "政策原文", "url": "https://example.gov.cn/p/3"}]},
            },
            {"recipient_id": "u", "custom": {"fallback": True}},
            "garbage",
        ]
    )
    assert reply.fallback is True
    assert reply.messages == [
        OutboundMessage(
            text="您的办件正在审查。",
            buttons=[{"title": "评价", "payload": "/rate"}],
            files=[{"title": "图片", "url": "https://example.gov.cn/flow.png"}],
        ),
        OutboundMessage(text="相关政策", links=[{"title": "政策原文", "url": "https://example.gov.cn/p/3"}]),
    ]


def test_three_fallbacks_in_a_row_offer_a_person(client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.answer = lambda sender, text: [{"text": "抱歉，我没有理解您的意思。", "custom": {"fallback": True}}]
    seen = 0

    def say(text: str) -> list[dict[str, object]]:
        nonlocal seen
        new = webchat_say(client, text, after=seen)["messages"]
        seen = max(int(str(m["id"])) for m in new)
        return [m for m in new if m["direction"] == "out"]

    for _ in range(2):
        assert [m["text"] for m in say("嗯嗯嗯")] == ["抱歉，我没有理解您的意思。"]
    third = say("嗯嗯嗯")
    assert third[-1]["text"].startswith("抱歉，我好像没能帮上您")
    assert third[-1]["buttons"] == [{"title": "转人工服务", "payload": "转人工"}]
    fake_rasa.answer = lambda sender, text: [{"text": "好的"}]
    assert [m["text"] for m in say("施工许可")] == ["好的"]


def test_long_text_splits_at_sentence_ends_within_the_byte_limit() -> None:
    text = "第一句话。" * 200 + "这一句没有句号而且非常长" * 300
    parts = split_text(text, 2048)
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "".join(parts) == text
    assert parts[0].endswith("。")


def test_links_in_wechat_text_are_escaped() -> None:
    text = render([OutboundMessage(text="见", links=[{"title": "<b>指南</b>", "url": 'https://x.cn/?a=1&b="2"'}])])
    assert text == '见\n<a href="https://x.cn/?a=1&amp;b=&quot;2&quot;">&lt;b&gt;指南&lt;/b&gt;</a>'
