"""Calling the WeChat and WeCom APIs the same way: errors sorted into the delivery loop's three kinds, and a
refused access token fetched anew once before the call is repeated (wechatpy's own retry has no end)."""

import logging
from dataclasses import dataclass, field
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException

from notifications.providers.errors import Permanent, Retryable, TokenExpired

log = logging.getLogger("tongban.notifications")

TOKEN_ERRORS = {40001, 40014, 42001}


@dataclass(frozen=True)
class Platform:
    """How one platform's refusals read: its name and its errcodes worth retrying or not."""

    name: str
    """As people know it: 微信 or 企业微信."""
    refused: str
    """What a refusal not listed says it refused, e.g. 模板消息."""
    retryable: dict[int, str] = field(default_factory=dict)
    permanent: dict[int, str] = field(default_factory=dict)


def translate(platform: Platform, exc: WeChatClientException) -> Exception:
    """The typed error for a refusal (or an HTTP error on the way)."""
    if exc.errcode is None:
        status = exc.response.status_code if exc.response is not None else None
        return Retryable(f"{platform.name}接口返回 HTTP {status}，稍后重试", status)
    code = int(exc.errcode)
    if code in TOKEN_ERRORS:
        return TokenExpired(f"{platform.name}访问令牌失效（{code}），已重新获取", code)
    if code in platform.retryable:
        return Retryable(platform.retryable[code], code)
    fallback = f"{platform.name}拒绝了{platform.refused}（错误码 {code}：{exc.errmsg}）"
    return Permanent(platform.permanent.get(code, fallback), code)


def post(platform: Platform, api: Any, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
    """Posts with the client, fetching a new token and repeating once when the token is refused."""
    for attempt in (1, 2):
        try:
            return dict(api.post(endpoint, data=data))
        except requests.RequestException as exc:
            log.warning("无法连接%s接口：%s", platform.name, exc)
            raise Retryable(f"无法连接{platform.name}服务器，稍后重试") from exc
        except WeChatClientException as exc:
            error = translate(platform, exc)
            if isinstance(error, TokenExpired) and attempt == 1:
                refresh(platform, api)
                continue
            raise error from exc
    raise AssertionError("unreachable")


def refresh(platform: Platform, api: Any) -> None:
    """Fetches a new access token into the client's (shared) storage."""
    try:
        api.fetch_access_token()
    except requests.RequestException as exc:
        raise Retryable(f"无法连接{platform.name}服务器获取访问令牌，稍后重试") from exc
    except WeChatClientException as exc:
        raise translate(platform, exc) from exc
