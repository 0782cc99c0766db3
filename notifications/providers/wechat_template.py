"""Official Account template messages to citizens (受理、补正、办结、评价邀请).

The client is wechatpy's ``WeChatClient`` with the HTTP session of channels/wechat/sender.py (it sends
``https://api.weixin.qq.com`` to ``settings.wechat_api_base_url``) and the token storage of
:mod:`notifications.providers.tokens`. WeChat has no duplicate check for template messages: a crash between
"WeChat took it" and "we marked it" can send one twice (the only such window; WeCom has none, see
providers/wecom.py).
"""

import logging
from functools import lru_cache
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from channels.wechat.sender import RewritingSession
from core.settings import get_settings
from notifications.providers import tokens
from notifications.providers.errors import Permanent, Retryable, TokenExpired

log = logging.getLogger("tongban.notifications")

TIMEOUT_SECONDS = 10
TOKEN_ERRORS = {40001, 40014, 42001}
RETRYABLE_ERRORS = {
    -1: "微信系统繁忙，稍后重试",
    45009: "调用微信接口过于频繁（45009），稍后重试",
}
PERMANENT_ERRORS = {
    43004: "用户已取消关注公众号（43004），无法发送模板消息",
    43101: "用户拒收公众号的消息（43101）",
    40003: "公众号 openid 不正确（40003），请核对绑定",
    40037: "模板消息的模板编号不正确（40037），请检查平台设置",
    47003: "模板消息的字段不符合模板要求（47003），请检查模板设置",
    40013: "公众号 AppID 不正确（40013），请检查平台设置",
    40125: "公众号 AppSecret 不正确（40125），请检查平台设置",
    40164: "服务器地址不在公众号的 IP 白名单中（40164），请在公众号后台添加",
}


@lru_cache(maxsize=4)
def _client(app_id: str, secret: str, base_url: str, redis_url: str | None) -> WeChatClient:
    client = WeChatClient(app_id, secret, session=tokens.storage(), timeout=TIMEOUT_SECONDS, auto_retry=False)
    client._http = RewritingSession(base_url)  # the client has no public way to give it a session
    return client


def configured() -> bool:
    """Whether the Official Account's app id and secret are set."""
    settings = get_settings()
    return bool(settings.wechat_app_id and settings.wechat_app_secret.get_secret_value())


def client() -> WeChatClient:
    """The Official Account API client (the access token cached in Redis or memory)."""
    if not configured():
        raise Permanent("平台未配置微信公众号（AppID 和 AppSecret），无法发送模板消息")
    settings = get_settings()
    return _client(
        settings.wechat_app_id,
        settings.wechat_app_secret.get_secret_value(),
        settings.wechat_api_base_url,
        settings.redis_url,
    )


def _translate(exc: WeChatClientException) -> Exception:
    if exc.errcode is None:
        status = exc.response.status_code if exc.response is not None else None
        return Retryable(f"微信接口返回 HTTP {status}，稍后重试", status)
    code = int(exc.errcode)
    if code in TOKEN_ERRORS:
        return TokenExpired(f"微信访问令牌失效（{code}），已重新获取", code)
    if code in RETRYABLE_ERRORS:
        return Retryable(RETRYABLE_ERRORS[code], code)
    return Permanent(PERMANENT_ERRORS.get(code, f"微信拒绝了模板消息（错误码 {code}：{exc.errmsg}）"), code)


def send(openid: str, message: dict[str, Any]) -> str:
    """Sends a template message (``template_id``, ``url``, ``data``) to a follower; returns WeChat's msgid."""
    api = client()
    data = {"touser": openid} | message
    for attempt in (1, 2):
        try:
            result = api.post("message/template/send", data=data)
            return str(result.get("msgid") or "")
        except requests.RequestException as exc:
            log.warning("无法连接微信接口：%s", exc)
            raise Retryable("无法连接微信服务器，稍后重试") from exc
        except WeChatClientException as exc:
            error = _translate(exc)
            if isinstance(error, TokenExpired) and attempt == 1:
                _refresh(api)
                continue
            raise error from exc
    raise AssertionError("unreachable")


def _refresh(api: WeChatClient) -> None:
    try:
        api.fetch_access_token()
    except requests.RequestException as exc:
        raise Retryable("无法连接微信服务器获取访问令牌，稍后重试") from exc
    except WeChatClientException as exc:
        raise _translate(exc) from exc
