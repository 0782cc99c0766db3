"""WeCom (企业微信) app messages: text cards and template cards to one member, and updating a clicked card.

The client is wechatpy's ``enterprise.WeChatClient`` with two changes: its HTTP session sends
``https://qyapi.weixin.qq.com`` to ``settings.wecom_api_base_url`` (a fake server on 127.0.0.1 in tests and
benchmarks), and its access token lives in :mod:`notifications.providers.tokens` (Redis when configured).
wechatpy's own automatic retry on token errors is off: it retries without end; here a refused token is
fetched anew and the call repeated once, then reported as :class:`TokenExpired`.

Every ``message/send`` asks WeCom to drop a repeat of the same request body (``enable_duplicate_check``,
for ``duplicate_check_interval`` seconds, at most 4 hours). The outbox stores each rendered message and sends
it byte for byte the same on every attempt, and every message names its notification (the card's link or
task id), so a resend after a crash between "WeCom took it" and "we marked it" is dropped by WeCom, while two
different notifications are never mistaken for one.
"""

from functools import lru_cache
from typing import Any

import requests
from wechatpy.enterprise import WeChatClient

from core.settings import get_settings
from notifications.providers import calls, tokens
from notifications.providers.errors import Permanent
from notifications.providers.session import RewritingSession

WECOM_API = "https://qyapi.weixin.qq.com"
DUPLICATE_CHECK_SECONDS = 4 * 3600
"""WeCom's longest duplicate-check window; retries and the lease sweeper resend well within it."""
TIMEOUT_SECONDS = 10

RETRYABLE_ERRORS = {
    -1: "企业微信系统繁忙，稍后重试",
    45009: "调用企业微信接口过于频繁（45009），稍后重试",
    45033: "企业微信接口并发调用超过限制（45033），稍后重试",
    6000: "企业微信数据版本冲突（6000），稍后重试",
}
PERMANENT_ERRORS = {
    81013: "企业微信中找不到该成员，或成员不在应用的可见范围内（81013），请核对成员的企业微信账号",
    60111: "企业微信中找不到该成员账号（60111），请核对成员的企业微信账号",
    40003: "企业微信成员账号不合法（40003），请核对成员的企业微信账号",
    43004: "该成员未关注企业微信应用或未激活（43004）",
    82001: "消息没有有效的接收人（82001）",
    40056: "企业微信应用编号（agentid）不正确（40056），请检查平台设置",
    40013: "企业编号（corpid）不正确（40013），请检查平台设置",
    40091: "企业微信应用密钥不正确（40091），请检查平台设置",
    48002: "该企业微信应用无权调用消息接口（48002），请在企业微信管理后台开通",
    60020: "服务器地址不在企业微信应用的可信 IP 列表中（60020），请在企业微信管理后台添加",
    301002: "企业微信应用无权向该成员发送消息（301002）",
    44004: "消息内容为空（44004）",
    45002: "消息内容超过企业微信的长度限制（45002）",
}
WECOM = calls.Platform("企业微信", "消息", RETRYABLE_ERRORS, PERMANENT_ERRORS)


class _WeComSession(RewritingSession):
    """Sends WeCom's API addresses to the configured base URL."""

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Rewrites the address, then sends as usual."""
        if isinstance(url, str) and url.startswith(WECOM_API):
            url = self.base_url + url[len(WECOM_API) :]
        return super().request(method, url, *args, **kwargs)


@lru_cache(maxsize=4)
def _client(corp_id: str, secret: str, base_url: str, redis_url: str | None) -> WeChatClient:
    client = WeChatClient(corp_id, secret, session=tokens.storage(), timeout=TIMEOUT_SECONDS, auto_retry=False)
    client._http = _WeComSession(base_url)  # the client has no public way to give it a session
    return client


def configured() -> bool:
    """Whether WeCom sending is set up (corp id and app secret)."""
    settings = get_settings()
    return bool(settings.wecom_corp_id and settings.wecom_secret.get_secret_value())


def client() -> WeChatClient:
    """The WeCom API client for the configured app (the access token cached in Redis or memory)."""
    settings = get_settings()
    if not configured():
        raise Permanent("平台未配置企业微信应用（企业编号和应用密钥），无法发送企业微信消息")
    return _client(
        settings.wecom_corp_id,
        settings.wecom_secret.get_secret_value(),
        settings.wecom_api_base_url,
        settings.redis_url,
    )


def _post(endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
    return calls.post(WECOM, client(), endpoint, data)


def refresh_token() -> None:
    """Fetches a new access token into the shared storage."""
    calls.refresh(WECOM, client())


def send(userid: str, message: dict[str, Any]) -> str:
    """Sends one app message (``{"msgtype": ..., <msgtype>: {...}}``) to a member and returns WeCom's msgid.

    Raises :class:`Retryable` (including :class:`TokenExpired`) or :class:`Permanent` with a Chinese reason.
    """
    data: dict[str, Any] = {"touser": userid, "agentid": get_settings().wecom_agent_id}
    data |= message
    data |= {"enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_CHECK_SECONDS}
    result = _post("message/send", data)
    if result.get("invaliduser"):
        raise Permanent(PERMANENT_ERRORS[81013], 81013)
    return str(result.get("msgid") or "")


def update_template_card(payload: dict[str, Any]) -> None:
    """Updates a template card after a button click (``response_code`` from the click event, usable once)."""
    data = {"agentid": get_settings().wecom_agent_id} | payload
    _post("message/update_template_card", data)
