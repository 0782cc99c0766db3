"""Official Account template messages to citizens (受理、补正、办结、评价邀请).

The client is wechatpy's ``WeChatClient`` with the HTTP session of channels/wechat/sender.py (it sends
``https://api.weixin.qq.com`` to ``settings.wechat_api_base_url``) and the token storage of
:mod:`notifications.providers.tokens`. WeChat has no duplicate check for template messages: a crash between
"WeChat took it" and "we marked it" can send one twice (the only such window; WeCom has none, see
providers/wecom.py).
"""

from functools import lru_cache
from typing import Any

from wechatpy import WeChatClient

from core.settings import get_settings
from notifications.providers import calls, tokens
from notifications.providers.errors import Permanent
from notifications.providers.session import RewritingSession

TIMEOUT_SECONDS = 10
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
WECHAT = calls.Platform("微信", "模板消息", RETRYABLE_ERRORS, PERMANENT_ERRORS)


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


def send(openid: str, message: dict[str, Any]) -> str:
    """Sends a template message (``template_id``, ``url``, ``data``) to a follower; returns WeChat's msgid."""
    result = calls.post(WECHAT, client(), "message/template/send", {"touser": openid} | message)
    return str(result.get("msgid") or "")
