"""The WeCom app's callback: ``GET /channels/wecom`` verifies the URL, ``POST`` receives messages and events.

WeCom always encrypts: every request carries a signature over the token, timestamp, nonce and ciphertext,
checked before anything is read (a forged one gets 403 and changes nothing). A message is handled once per
MsgId (an event once per member and CreateTime); the callback answers within WeCom's 5 seconds — a text
reply passively, encrypted; a clicked card is updated through the API after the answer has gone out.
"""

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.enterprise.replies import TextReply
from wechatpy.exceptions import InvalidSignatureException

from channels.wechat.adapter import BadPayload
from channels.wecom import adapter, decisions, delivery
from core.settings import Settings, get_settings

log = logging.getLogger("tongban.channels")

router = APIRouter(prefix="/channels/wecom", include_in_schema=False)

NOT_CONFIGURED = "企业微信应用回调未启用：平台尚未配置企业微信的 Token"
INCOMPLETE = "企业微信应用回调配置不完整：请同时配置 Token、EncodingAESKey 和企业 ID（CorpID）"
FORGED = "签名校验失败，请求不是来自企业微信服务器"


def _text(message: str, status: int) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status)


class _Refused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _crypto(settings: Settings) -> WeChatCrypto:
    """The app's WXBizMsgCrypt; raises ``_Refused`` when the callback is off or half configured."""
    token = settings.wecom_token.get_secret_value()
    if not token:
        raise _Refused(NOT_CONFIGURED, 404)
    key = settings.wecom_encoding_aes_key.get_secret_value()
    if not key or not settings.wecom_corp_id:
        raise _Refused(INCOMPLETE, 503)
    try:
        return WeChatCrypto(token, key, settings.wecom_corp_id)
    except Exception as exc:  # wechatpy asserts the key decodes to 32 bytes
        raise _Refused("企业微信应用回调配置有误：EncodingAESKey 应为43位字符", 503) from exc


def _signed_params(request: Request) -> tuple[str, str, str]:
    params = request.query_params
    signature, timestamp, nonce = params.get("msg_signature"), params.get("timestamp"), params.get("nonce")
    if not (signature and timestamp and nonce):
        raise _Refused(f"{FORGED}（缺少 msg_signature、timestamp 或 nonce）", 403)
    return signature, timestamp, nonce


def _open(call: Any, *args: Any) -> str:
    """Runs a signature check and decryption of wechatpy, turning its failures into refusals."""
    try:
        return str(call(*args))
    except InvalidSignatureException as exc:
        raise _Refused(FORGED, 403) from exc
    except InvalidCorpIdException as exc:
        raise _Refused("消息不是发给本企业的（企业 ID 不符）", 403) from exc
    except Exception as exc:  # the cipher, padding and length checks fail in many ways on broken content
        raise _Refused("消息解密失败，内容不是企业微信加密的消息", 400) from exc


@router.get("")
def verify(request: Request) -> Response:
    """URL verification when the callback address is saved in the WeCom admin console: the decrypted echostr."""
    try:
        crypto = _crypto(get_settings())
        signature, timestamp, nonce = _signed_params(request)
        echo = request.query_params.get("echostr")
        if not echo:
            raise _Refused("缺少 echostr 参数", 400)
        return _text(_open(crypto.check_signature, signature, timestamp, nonce, echo), 200)
    except _Refused as exc:
        return _text(exc.message, exc.status)


async def _body(request: Request) -> bytes:
    """The posted body, refused beyond ``MAX_BODY_BYTES`` without reading the rest."""
    too_big = _Refused(f"消息过大（超过 {adapter.MAX_BODY_BYTES // 1024} KB），不是企业微信的回调", 400)
    if int(request.headers.get("content-length") or 0) > adapter.MAX_BODY_BYTES:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > adapter.MAX_BODY_BYTES:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("")
async def receive(request: Request) -> Response:
    """A message, a menu event or a card click from a WeCom member."""
    try:
        crypto = _crypto(get_settings())
        signature, timestamp, nonce = _signed_params(request)
        raw = await _body(request)
        try:
            body = raw.decode()
        except UnicodeDecodeError as exc:
            raise _Refused("消息不是 UTF-8 编码的文本", 400) from exc
        encrypted = adapter.envelope(body)
        xml = _open(crypto.decrypt_message, {"Encrypt": encrypted}, signature, timestamp, nonce)
        message = adapter.parse(xml)
    except _Refused as exc:
        return _text(exc.message, exc.status)
    except BadPayload as exc:
        return _text(exc.message, 400)
    answer = await run_in_threadpool(decisions.handle, message)
    background = None
    if answer.card is not None and message.response_code:
        background = BackgroundTask(
            delivery.update_card, answer.click_id, message.sender, message.response_code, answer.card
        )
    if not answer.reply:
        return Response(b"", status_code=200, background=background)
    reply = TextReply(
        source=message.raw.get("ToUserName", ""), target=message.sender, content=adapter.reply_text(answer.reply)
    )
    xml = crypto.encrypt_message(reply.render(), nonce, timestamp)
    return Response(xml, media_type="application/xml", background=background)
