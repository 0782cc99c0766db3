"""The Official Account callback: ``GET /channels/wechat`` verifies the URL, ``POST`` receives messages.

Every request must carry WeChat's signature over the token; in safe mode the message is encrypted and
signed as well. The answer goes back in the callback's reply when the bot is done within the reply window;
otherwise the callback answers ``success`` (so WeChat does not retry) and the answer follows as a
customer-service message. One answer per message, however often WeChat delivers it.
"""

import asyncio
import logging
import time
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from channels import gateway, worker
from channels.messages import InboundMessage, OutboundMessage
from channels.wechat import adapter, sender
from core.settings import Settings, get_settings

log = logging.getLogger("tongban.channels")

router = APIRouter(prefix="/channels/wechat", include_in_schema=False)


def _text(message: str, status: int) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status)


def _signed(settings: Settings, request: Request) -> bool:
    params = request.query_params
    token = settings.wechat_token.get_secret_value()
    signature, timestamp, nonce = params.get("signature"), params.get("timestamp"), params.get("nonce")
    if not (token and signature and timestamp and nonce):
        return False
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        return False
    return True


@router.get("")
def verify(request: Request) -> Response:
    """URL verification when the callback address is saved in the Official Account's settings."""
    settings = get_settings()
    if not settings.wechat_token.get_secret_value():
        return _text("微信公众号接入尚未配置", 503)
    if not _signed(settings, request):
        return _text("签名校验失败，请求不是来自微信服务器", 403)
    return _text(request.query_params.get("echostr", ""), 200)


class _Refused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _decrypt(settings: Settings, request: Request, body: str) -> str:
    """The plain XML of a safe-mode message, after checking its message signature."""
    key = settings.wechat_encoding_aes_key.get_secret_value()
    if not key:
        raise _Refused("本公众号未启用安全模式，无法解密消息", 400)
    try:
        envelope = xmltodict.parse(body).get("xml")
    except (ExpatError, ValueError) as exc:
        raise _Refused("消息不是有效的 XML", 400) from exc
    encrypted = envelope.get("Encrypt") if isinstance(envelope, dict) else None
    if not isinstance(encrypted, str) or not encrypted:
        raise _Refused("加密消息缺少必填字段 Encrypt", 400)
    params = request.query_params
    crypto = WeChatCrypto(settings.wechat_token.get_secret_value(), key, settings.wechat_app_id)
    try:
        return str(
            crypto.decrypt_message(
                {"Encrypt": encrypted}, params.get("msg_signature", ""), params["timestamp"], params["nonce"]
            )
        )
    except InvalidSignatureException as exc:
        raise _Refused("消息签名校验失败，请求不是来自微信服务器", 403) from exc
    except InvalidAppIdException as exc:
        raise _Refused("消息不是发给本公众号的", 403) from exc
    except Exception as exc:  # the cipher, padding and length checks fail in many ways on forged content
        raise _Refused("消息解密失败", 400) from exc


def _reply(settings: Settings, request: Request, inbound: InboundMessage, text: str, safe: bool) -> Response:
    reply = TextReply(source=inbound.raw.get("ToUserName", ""), target=inbound.sender_id, content=text)
    xml = reply.render()
    if safe:
        crypto = WeChatCrypto(
            settings.wechat_token.get_secret_value(),
            settings.wechat_encoding_aes_key.get_secret_value(),
            settings.wechat_app_id,
        )
        xml = crypto.encrypt_message(xml, request.query_params["nonce"])
    return Response(xml, media_type="application/xml")


@router.post("")
async def receive(request: Request) -> Response:
    """A message or event from a WeChat user."""
    started = time.perf_counter()
    settings = get_settings()
    if not settings.wechat_token.get_secret_value():
        return _text("微信公众号接入尚未配置", 503)
    if not _signed(settings, request):
        return _text("签名校验失败，请求不是来自微信服务器", 403)
    if int(request.headers.get("content-length") or 0) > adapter.MAX_BODY_BYTES:
        return _text("消息过大", 413)
    raw = await request.body()
    if len(raw) > adapter.MAX_BODY_BYTES:
        return _text("消息过大", 413)
    safe = request.query_params.get("encrypt_type") == "aes"
    try:
        body = raw.decode()
        xml = _decrypt(settings, request, body) if safe else body
        inbound = adapter.parse(xml)
    except UnicodeDecodeError:
        return _text("消息不是 UTF-8 编码的文本", 400)
    except _Refused as exc:
        return _text(exc.message, exc.status)
    except adapter.BadPayload as exc:
        return _text(exc.message, 400)

    deadline = time.monotonic() + settings.wechat_reply_window_seconds - (time.perf_counter() - started)
    answer = await _answer_within(inbound, deadline)
    response = await run_in_threadpool(_respond, settings, request, answer, inbound, safe)
    response.headers["Server-Timing"] = f"callback;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


async def _answer_within(inbound: InboundMessage, deadline: float) -> list[OutboundMessage] | None:
    """The answer when this delivery is to send it in its reply (ready in time); None otherwise — another
    delivery of the message answers, or the turn goes on and its answer is pushed when it is ready."""
    future, first = worker.submit(inbound, reply_by=deadline)
    waiting = asyncio.wrap_future(future)
    try:
        turn = await asyncio.wait_for(asyncio.shield(waiting), max(deadline - time.monotonic(), 0.05))
    except TimeoutError:
        if await run_in_threadpool(gateway.claim_delivery, inbound, "push"):
            worker.after(future, lambda answer: _push(inbound, answer))
            return None
        if not first:
            return None
        try:  # the turn itself took the reply at the last moment: it is about to return
            turn = await asyncio.wait_for(asyncio.shield(waiting), 0.5)
        except Exception:
            return None
    except Exception:
        log.exception("处理微信消息失败")
        return None
    return turn.answer if first and turn.reply else None


def _respond(
    settings: Settings, request: Request, answer: list[OutboundMessage] | None, inbound: InboundMessage, safe: bool
) -> Response:
    """The callback's reply: the answer's first part (the rest follows as customer-service messages), or
    ``success`` when there is nothing to say here."""
    parts = adapter.answer_texts(answer) if answer else []
    if not parts:
        return _text("success", 200)
    if len(parts) > 1:
        worker.run_later(_send_after_reply, inbound.sender_id, parts[1:])
    return _reply(settings, request, inbound, parts[0], safe)


def _send_after_reply(openid: str, parts: list[str]) -> None:
    time.sleep(0.3)  # let the passive reply reach the user first, so the parts arrive in order
    _send(openid, parts)


def _push(inbound: InboundMessage, answer: list[OutboundMessage]) -> None:
    _send(inbound.sender_id, adapter.answer_texts(answer))


def _send(openid: str, parts: list[str]) -> Any:
    try:
        sender.send_texts(openid, parts)
    except sender.DeliveryFailed as exc:
        log.warning("微信客服消息未送达 %s：%s", openid, exc.message)
