"""The Official Account callback: signatures, one answer per message however often WeChat delivers it, the
5-second window, the byte limit, bad input, and the bot being down."""

import threading
import time

import pytest
import xmltodict
from fastapi.testclient import TestClient
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from channels import gateway
from channels.models import Conversation, MessageReceipt
from channels.scheduled import answer_kept_messages
from core.db import get_sessionmaker
from core.settings import get_settings
from tests.channels.conftest import (
    AES_KEY,
    APP_ID,
    NONCE,
    OPENID,
    TIMESTAMP,
    FakeRasa,
    FakeWeChat,
    post_plain,
    post_safe,
    reply_content,
    signature,
    stored,
    text_xml,
)


def message_signature(encrypt: str) -> str:
    """The safe-mode signature over the token, timestamp, nonce and ciphertext."""
    signer = WeChatSigner()
    signer.add_data("spamtest", TIMESTAMP, NONCE, encrypt)
    return str(signer.signature)


NOTHING = {"conversation": 0, "conversation_message": 0, "message_receipt": 0, "audit_log": 0}


def test_a_forged_signature_is_refused_and_nothing_is_recorded(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    response = post_plain(chat_client, text_xml("你好", "1001"), sign="0123456789abcdef0123456789abcdef01234567")
    assert response.status_code == 403 and "签名校验失败" in response.text
    unsigned = chat_client.post("/channels/wechat", content=text_xml("你好", "1002"))
    assert unsigned.status_code == 403
    assert stored() == NOTHING and fake_rasa.calls == []


def test_a_forged_message_signature_in_safe_mode_is_refused(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    forger = WeChatCrypto("not-our-token", AES_KEY, APP_ID)  # knows the key, not the token
    envelope = xmltodict.parse(forger.encrypt_message(text_xml("你好", "1003"), NONCE, TIMESTAMP))["xml"]
    params = {
        "signature": signature(),
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": envelope["MsgSignature"],
    }
    body = f"<xml><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    response = chat_client.post("/channels/wechat", params=params, content=body)
    assert response.status_code == 403 and "签名" in response.text
    assert stored() == NOTHING and fake_rasa.calls == []


def test_safe_mode_round_trip_answers_encrypted(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    response = post_safe(chat_client, text_xml("施工许可证要什么材料", "1004"))
    assert "施工许可证" not in response.text
    assert reply_content(response, safe=True) == "您问的是：施工许可证要什么材料"


def test_callback_is_closed_until_the_account_is_configured(chat_client: TestClient, fake_rasa: FakeRasa) -> None:
    response = post_plain(chat_client, text_xml("你好", "1005"))
    assert response.status_code == 503 and "尚未配置" in response.text
    assert stored() == NOTHING


# ---------------------------------------------------------------- one turn, one answer


def test_the_same_msgid_delivered_three_times_gets_one_bot_turn_and_one_answer(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    xml = text_xml("户外广告审批多久", "2001")
    responses = [post_plain(chat_client, xml) for _ in range(3)]
    assert len(fake_rasa.calls) == 1
    assert reply_content(responses[0]) == "您问的是：户外广告审批多久"
    assert [r.text for r in responses[1:]] == ["success", "success"]
    assert wechat_account.sent == []
    with get_sessionmaker()() as db:
        receipt = db.scalars(select(MessageReceipt)).one()
    assert (receipt.attempts, receipt.delivery, receipt.status) == (3, "reply", "answered")
    assert stored()["conversation_message"] == 2  # the question and the answer, once each


def test_three_simultaneous_deliveries_of_a_slowish_turn_give_one_answer(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    fake_rasa.delay = 0.5
    xml = text_xml("建设工程验线要多久", "2002")
    responses: list[str] = []

    def deliver() -> None:
        responses.append(post_plain(chat_client, xml).text)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.3)
    answers = [r for r in responses if "您问的是" in r] + wechat_account.texts()
    assert len(fake_rasa.calls) == 1
    assert len(answers) == 1 and sorted(responses).count("success") == 2


def test_a_slow_bot_gets_success_then_a_customer_service_message(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "wechat_reply_window_seconds", 0.4)
    fake_rasa.delay = 3
    xml = text_xml("我的办件到哪一步了", "2003")
    first = post_plain(chat_client, xml)
    assert first.text == "success" and wechat_account.sent == []  # answered before the bot had finished
    retry = post_plain(chat_client, xml)  # WeChat would not retry after success; if it did, no second answer
    assert retry.text == "success"
    assert wechat_account.wait_for(1) == ["您问的是：我的办件到哪一步了"]
    assert wechat_account.sent[0]["touser"] == OPENID and wechat_account.token_fetches == 1
    time.sleep(0.3)
    assert len(fake_rasa.calls) == 1 and len(wechat_account.sent) == 1


def test_a_long_answer_is_split_at_the_byte_limit_on_sentence_ends(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    sentence = "申请人应当提交建设工程规划许可证、施工图审查合格书和质量安全监督手续。"  # 105 bytes
    long_text = sentence * 60  # 6,300 bytes
    fake_rasa.answer = lambda sender, text: [{"text": long_text}]
    first = reply_content(post_plain(chat_client, text_xml("施工许可证要什么材料", "2004")))
    rest = wechat_account.wait_for(3)
    parts = [first, *rest]
    assert len(parts) == 4
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert all(p.endswith("。") for p in parts)
    assert "".join(parts) == long_text


def test_buttons_become_numbered_choices_and_a_number_chooses(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    fake_rasa.answer = lambda sender, text: [
        {
            "text": "您想了解哪一项？",
            "buttons": [
                {"title": "所需材料", "payload": '/ask_guide{"aspect":"materials"}'},
                {"title": "办理时限", "payload": '/ask_guide{"aspect":"time_limit"}'},
                {"title": "在线申报", "payload": "https://zwfw.example.gov.cn/apply/12"},
            ],
        },
        {"custom": {"links": [{"title": "办事指南全文", "url": "https://zwfw.example.gov.cn/guides/12"}]}},
    ]
    answer = reply_content(post_plain(chat_client, text_xml("户外广告", "2005")))
    assert answer == (
        "您想了解哪一项？\n请回复数字选择：\n1. 所需材料\n2. 办理时限\n"
        '<a href="https://zwfw.example.gov.cn/guides/12">办事指南全文</a>\n'
        '<a href="https://zwfw.example.gov.cn/apply/12">在线申报</a>'
    )
    post_plain(chat_client, text_xml("2", "2006"))
    assert fake_rasa.calls[-1]["message"] == '/ask_guide{"aspect":"time_limit"}'
    post_plain(chat_client, text_xml("7", "2007"))  # not a choice: the text itself goes to the bot
    assert fake_rasa.calls[-1]["message"] == "7"


def test_a_2000_character_message_is_answered(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    text = "我想咨询一下关于企业投资项目备案的问题" * 105  # 2,100 characters
    fake_rasa.answer = lambda sender, message: [{"text": f"收到{len(message)}字"}]
    assert reply_content(post_plain(chat_client, text_xml(text, "2008"))) == f"收到{len(text)}字"
    assert fake_rasa.calls[0]["message"] == text


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("这不是XML", "不是有效的 XML"),
        ("", "不是有效的 XML"),
        ("<xml><ToUserName>gh</ToUserName>", "不是有效的 XML"),
        ("<root><a>1</a></root>", "缺少 <xml> 根元素"),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
            "<Content>你好</Content><MsgId>9</MsgId></xml>",
            "缺少必填字段 MsgType",
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>text</MsgType><Content>你好</Content></xml>",
            "缺少必填字段 MsgId",
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>昨天</CreateTime>"
            "<MsgType>text</MsgType><Content>你好</Content><MsgId>9</MsgId></xml>",
            "CreateTime 不是时间戳",
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>text</MsgType><Content><b>粗</b></Content><MsgId>9</MsgId></xml>",
            "Content 不是文本",
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>event</MsgType></xml>",
            "缺少必填字段 Event",
        ),
        (
            f"<xml><ToUserName>gh</ToUserName><FromUserName>{'o' * 65}</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>text</MsgType><Content>你好</Content><MsgId>10</MsgId></xml>",
            "FromUserName 过长",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>text</MsgType><Content>&b;</Content><MsgId>9</MsgId></xml>",
            "不是有效的 XML",
        ),
    ],
)
def test_bad_xml_is_refused_with_a_chinese_message_and_nothing_recorded(
    body: str, message: str, chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    response = post_plain(chat_client, body)
    assert response.status_code == 400 and message in response.text
    assert stored() == NOTHING and fake_rasa.calls == []


def test_undecryptable_safe_mode_content_is_refused(chat_client: TestClient, wechat_account: FakeWeChat) -> None:
    encrypt = "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0IGF0IGFsbA=="
    params = {
        "signature": signature(),
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": message_signature(encrypt),
    }
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    response = chat_client.post("/channels/wechat", params=params, content=body)
    assert response.status_code == 400 and "解密失败" in response.text
    missing = chat_client.post("/channels/wechat", params=params, content="<xml><ToUserName>gh</ToUserName></xml>")
    assert missing.status_code == 400 and "Encrypt" in missing.text
    assert stored() == NOTHING


def test_huge_xml_is_refused(chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa) -> None:
    response = post_plain(chat_client, text_xml("很长" * 40_000, "3001"))
    assert response.status_code == 413 and "过大" in response.text
    assert stored() == NOTHING and fake_rasa.calls == []


# ---------------------------------------------------------------- the bot down


def test_bot_down_apologises_offers_a_person_and_keeps_the_message(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_rasa.close()  # nothing listens there any more
    answer = reply_content(post_plain(chat_client, text_xml("施工许可证要什么材料", "4001")))
    assert "稍后再试" in answer and "1. 转人工服务" in answer
    with get_sessionmaker()() as db:
        assert db.scalars(select(MessageReceipt.status)).all() == ["bot_down"]

    handed = reply_content(post_plain(chat_client, text_xml("1", "4002")))  # chooses 转人工 while the bot is down
    assert "已为您转接人工服务" in handed
    with get_sessionmaker()() as db:
        conversation = db.scalars(select(Conversation)).one()
    assert conversation.status == "waiting" and "智能客服暂不可用" in conversation.handoff_reason


def test_a_message_kept_while_the_bot_was_down_is_answered_when_it_is_back(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "rasa_url", "http://127.0.0.1:9/webhooks/rest/webhook")
    post_plain(chat_client, text_xml("户外广告审批多久", "4003"))
    assert gateway.retry_unanswered() == []  # still down: nothing answered, nothing lost

    monkeypatch.setattr(get_settings(), "rasa_url", fake_rasa.url)
    assert answer_kept_messages() == 1
    assert wechat_account.texts() == ["您问的是：户外广告审批多久"]
    assert answer_kept_messages() == 0  # answered once


def test_a_customer_service_message_wechat_refuses_is_logged_not_crashed(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    wechat_account.errcode = 45015  # the user's 48 hours are over
    monkeypatch.setattr(get_settings(), "wechat_reply_window_seconds", 0.2)
    fake_rasa.delay = 0.6
    assert post_plain(chat_client, text_xml("你好", "4004")).text == "success"
    deadline = time.monotonic() + 30
    while wechat_account.attempts == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wechat_account.attempts == 1 and wechat_account.sent == []  # refused (45015): logged, nothing retried
