"""The callback speaks WeCom's protocol (Tencent's published vectors) and refuses everything else with a clear
Chinese message, changing nothing: forged signatures, broken or huge bodies, and requests while it is off."""

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from core.settings import get_settings
from tests.channels.test_wechat_vectors import WECOM_ENCRYPT
from tests.channels.wecom.conftest import CORP_ID, NONCE, TIMESTAMP, counts, fixture_xml, post, reply_text
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import has_chinese

ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
VERIFY = {"msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "timestamp": "1409659589", "nonce": "263014780"}


def test_url_verification_with_the_official_vector_answers_the_decrypted_echostr(
    wecom_client: TestClient, wecom_app: FakeWeCom
) -> None:
    response = wecom_client.get("/channels/wecom", params={**VERIFY, "echostr": ECHO})
    assert response.status_code == 200 and response.text == "1616140317555161061"


def test_url_verification_with_a_forged_signature_is_refused(wecom_client: TestClient, wecom_app: FakeWeCom) -> None:
    response = wecom_client.get("/channels/wecom", params={**VERIFY, "msg_signature": "0" * 40, "echostr": ECHO})
    assert response.status_code == 403 and "签名校验失败" in response.text
    assert "1616140317555161061" not in response.text


def test_the_official_message_vector_is_decrypted_and_answered_encrypted(
    wecom_client: TestClient, wecom_app: FakeWeCom
) -> None:
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{WECOM_ENCRYPT}]]></Encrypt>"
        "<AgentID><![CDATA[218]]></AgentID></xml>"
    )
    params = {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6", "timestamp": TIMESTAMP, "nonce": NONCE}
    response = wecom_client.post("/channels/wecom", params=params, content=body)
    assert "<Encrypt>" in response.text
    assert "未绑定通办工作人员账号" in reply_text(response)  # “mycreate” is nobody's WeCom account here


def test_a_forged_message_signature_is_refused_and_nothing_is_recorded(
    wecom_client: TestClient, wecom_app: FakeWeCom
) -> None:
    before = counts()
    response = post(wecom_client, fixture_xml("text.xml"), signature="f" * 40)
    assert response.status_code == 403 and "签名校验失败" in response.text
    assert counts() == before


def test_a_request_without_signature_parameters_is_refused(wecom_client: TestClient, wecom_app: FakeWeCom) -> None:
    response = wecom_client.post("/channels/wecom", content="<xml><Encrypt>x</Encrypt></xml>")
    assert response.status_code == 403 and "缺少 msg_signature" in response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not xml at all <", "不是有效的 XML"),
        ("<xml><ToUserName>x</ToUserName></xml>", "缺少必填字段 Encrypt"),
        ("<xml><Encrypt><a>1</a></Encrypt></xml>", "缺少必填字段 Encrypt"),
    ],
)
def test_a_broken_envelope_is_refused_with_400(
    wecom_client: TestClient, wecom_app: FakeWeCom, body: str, message: str
) -> None:
    params = {"msg_signature": "0" * 40, "timestamp": TIMESTAMP, "nonce": NONCE}
    response = wecom_client.post("/channels/wecom", params=params, content=body)
    assert response.status_code == 400 and message in response.text


def test_a_signed_ciphertext_that_is_not_wecom_encrypted_is_refused_with_400(
    wecom_client: TestClient, wecom_app: FakeWeCom
) -> None:
    from wechatpy.crypto import _get_signature  # the signature WeCom would compute over this ciphertext

    garbage = "bm90IGVuY3J5cHRlZCBhdCBhbGw="
    params = {
        "msg_signature": _get_signature("QDG6eK", TIMESTAMP, NONCE, garbage),
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
    }
    response = wecom_client.post("/channels/wecom", params=params, content=f"<xml><Encrypt>{garbage}</Encrypt></xml>")
    assert response.status_code == 400 and "解密失败" in response.text


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("hello", "不是有效的 XML"),
        ("<xml><MsgType>text</MsgType></xml>", "缺少必填字段"),
        (fixture_xml("text.xml").replace("<MsgId>4561255354251345929</MsgId>", ""), "缺少必填字段 MsgId"),
        (fixture_xml("event_template_card.xml").replace("<TaskId><![CDATA[c1-e1-u1]]></TaskId>", ""), "TaskId"),
        (fixture_xml("text.xml").replace("1409659813", "yesterday"), "CreateTime"),
        ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml><Content>&a;&a;</Content></xml>', "XML"),
    ],
)
def test_a_decrypted_payload_that_is_not_a_wecom_message_is_refused_with_400(
    wecom_client: TestClient, wecom_app: FakeWeCom, xml: str, message: str
) -> None:
    before = counts()
    response = post(wecom_client, xml)
    assert response.status_code == 400 and message in response.text and has_chinese(response.text)
    assert counts() == before


def test_a_huge_body_is_refused_without_being_read(wecom_client: TestClient, wecom_app: FakeWeCom) -> None:
    params = {"msg_signature": "0" * 40, "timestamp": TIMESTAMP, "nonce": NONCE}
    body = "<xml><Encrypt>" + "A" * 200_000 + "</Encrypt></xml>"
    response = wecom_client.post("/channels/wecom", params=params, content=body)
    assert response.status_code == 400 and "消息过大" in response.text


def test_the_callback_is_off_without_a_token(
    wecom_client: TestClient, wecom_app: FakeWeCom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "wecom_token", SecretStr(""))
    response = wecom_client.get("/channels/wecom", params={**VERIFY, "echostr": ECHO})
    assert response.status_code == 404 and "尚未配置企业微信的 Token" in response.text
    assert post(wecom_client, fixture_xml("text.xml")).status_code == 404


def test_a_half_configured_callback_says_what_is_missing(
    wecom_client: TestClient, wecom_app: FakeWeCom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "wecom_encoding_aes_key", SecretStr("too-short"))
    response = wecom_client.get("/channels/wecom", params={**VERIFY, "echostr": ECHO})
    assert response.status_code == 503 and "EncodingAESKey" in response.text
