"""Sending to a WeChat user outside a callback: the customer-service message API (48 hours after the user's
last message). The client's HTTP session sends ``https://api.weixin.qq.com`` to the configured base URL,
so tests and benchmarks talk to a fake server on 127.0.0.1."""

import logging
from functools import lru_cache
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from channels.messages import OutboundMessage
from channels.wechat.adapter import answer_texts, split_text
from core.settings import get_settings
from notifications.providers import tokens
from notifications.providers.session import RewritingSession

log = logging.getLogger("tongban.channels")

_ERRORS = {
    45015: "用户超过48小时未与公众号互动，微信不允许再发送客服消息",
    45047: "客服消息条数超过微信的限制（用户未回复前最多20条）",
    43004: "用户已取消关注公众号",
    40003: "用户标识（openid）不正确",
    45009: "调用微信接口过于频繁，请稍后再试",
}


class DeliveryFailed(Exception):
    """WeChat did not take the message; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=4)
def _client(app_id: str, secret: str, base_url: str, redis_url: str | None) -> Any:
    client = WeChatClient(app_id, secret, session=tokens.storage(), timeout=5)
    client._http = RewritingSession(base_url)  # the client has no public way to give it a session
    return client


def client() -> Any:
    """The Official Account API client for the configured account. Its access token is kept where the
    notifications' template messages keep theirs (Redis when configured, shared by every process; else
    memory), so customer-service and template messages fetch one token, not one each."""
    settings = get_settings()
    return _client(
        settings.wechat_app_id,
        settings.wechat_app_secret.get_secret_value(),
        settings.wechat_api_base_url,
        settings.redis_url,
    )


def send_texts(openid: str, texts: list[str]) -> None:
    """Sends texts as customer-service messages, in order; raises ``DeliveryFailed`` on the first refusal."""
    for text in texts:
        try:
            client().message.send_text(openid, text)
        except WeChatClientException as exc:
            code = int(exc.errcode) if isinstance(exc.errcode, int | str) and str(exc.errcode).isdigit() else None
            log.warning("微信客服消息发送失败：%s %s", exc.errcode, exc.errmsg)
            raise DeliveryFailed(_ERRORS.get(code or 0, f"微信拒绝了消息（错误码 {exc.errcode}）")) from exc
        except requests.RequestException as exc:
            log.warning("无法连接微信接口：%s", exc)
            raise DeliveryFailed("无法连接微信服务器，请稍后再试") from exc


def push(openid: str, messages: list[OutboundMessage]) -> None:
    """Sends an answer as customer-service messages, split at the byte limit."""
    send_texts(openid, answer_texts(messages))


def push_text(openid: str, text: str) -> None:
    """Sends one text (a member of staff's reply), split at the byte limit."""
    send_texts(openid, split_text(text))
