"""Tencent's published WXBizMsgCrypt samples (WECHAT.md): passing them shows the callback speaks the real
protocol — the URL signature, the message signature and the AES decryption of both platforms."""

import pytest
from fastapi.testclient import TestClient
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from tests.channels.conftest import (
    AES_KEY,
    APP_ID,
    NONCE,
    OPENID,
    TIMESTAMP,
    TOKEN,
    FakeRasa,
    FakeWeChat,
    reply_content,
)

OA_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrX"
    "pbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzj"
    "lpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI"
    "1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
OA_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
OA_URL_SIGNATURE = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"

WECOM_TOKEN, WECOM_KEY, WECOM_CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
WECOM_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TU"
    "UkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff"
    "0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLV"
    "MNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2"
    "pDBS8R07+qN+E7Q=="
)


def test_official_account_vector_verifies_and_decrypts() -> None:
    check_signature(TOKEN, OA_URL_SIGNATURE, TIMESTAMP, NONCE)
    xml = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        {"Encrypt": OA_ENCRYPT}, OA_MSG_SIGNATURE, TIMESTAMP, NONCE
    )
    for part in (
        "<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>",
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>",
        "<CreateTime>1409735668</CreateTime>",
        "<Content><![CDATA[abcdteT]]></Content>",
        "<MsgId>6054768590064713728</MsgId>",
    ):
        assert part in xml


def test_a_changed_signature_fails_the_vector() -> None:
    with pytest.raises(InvalidSignatureException):
        check_signature(TOKEN, OA_URL_SIGNATURE.replace("1", "2"), TIMESTAMP, NONCE)
    with pytest.raises(InvalidSignatureException):
        WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message({"Encrypt": OA_ENCRYPT}, "0" * 40, TIMESTAMP, NONCE)


def test_wecom_vector_verifies_the_url_and_decrypts_the_message() -> None:
    crypto = WeComCrypto(WECOM_TOKEN, WECOM_KEY, WECOM_CORP)
    echo = crypto.check_signature(
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        "1409659589",
        "263014780",
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
    )
    assert echo == "1616140317555161061"
    xml = crypto.decrypt_message(
        {"Encrypt": WECOM_ENCRYPT}, "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149"
    )
    for part in ("<FromUserName><![CDATA[mycreate]]>", "<Content><![CDATA[hello]]>", "4561255354251345929", "218"):
        assert part in xml


def test_the_official_encrypted_message_posted_to_the_callback_gets_an_encrypted_answer(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    body = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{OA_ENCRYPT}]]></Encrypt></xml>"
    params = {
        "signature": OA_URL_SIGNATURE,
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "openid": OPENID,
        "encrypt_type": "aes",
        "msg_signature": OA_MSG_SIGNATURE,
    }
    response = chat_client.post("/channels/wechat", params=params, content=body)
    assert "<Encrypt>" in response.text and "abcdteT" not in response.text
    assert reply_content(response, safe=True) == "您问的是：abcdteT"
    assert fake_rasa.calls == [{"sender": f"wechat:{OPENID}", "message": "abcdteT"}]


def test_url_verification_echoes_only_a_signed_request(chat_client: TestClient, wechat_account: FakeWeChat) -> None:
    signed = {"signature": OA_URL_SIGNATURE, "timestamp": TIMESTAMP, "nonce": NONCE, "echostr": "5927782289439063254"}
    response = chat_client.get("/channels/wechat", params=signed)
    assert response.status_code == 200 and response.text == "5927782289439063254"
    forged = chat_client.get("/channels/wechat", params={**signed, "signature": "f" * 40})
    assert forged.status_code == 403 and "签名" in forged.text and "5927782289439063254" not in forged.text
