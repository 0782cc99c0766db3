"""Adds ``X-Accel-Expires`` to the answers nginx may keep (the rules: core/edge_cache.py), as one pure ASGI
middleware that sees the finished response — its status and whether it sets a cookie — before it leaves."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.edge_cache import HEADER, KEPT_STATUSES, marked_seconds
from web.security_headers import must_not_be_stored

_READS = ("GET", "HEAD")


def shareable(scope: Scope, status: int, headers: MutableHeaders) -> int:
    """The seconds nginx may keep this answer for every anonymous visitor; 0 when it must not keep it."""
    seconds = marked_seconds(scope.get("state"))
    if not seconds or scope.get("method") not in _READS or status not in KEPT_STATUSES or must_not_be_stored(scope):
        return 0
    if "set-cookie" in headers:
        return 0
    control = headers.get("cache-control", "").lower()
    if "no-store" in control or "private" in control:
        return 0
    return seconds


class EdgeCacheMiddleware:
    """Marks the shareable answers for nginx; takes the header off every other one (a route cannot pass it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with the routes' request.state, so their mark is seen here

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                del headers[HEADER]
                seconds = shareable(scope, int(message["status"]), headers)
                if seconds:
                    headers[HEADER] = str(seconds)
            await send(message)

        await self.app(scope, receive, send_marked)
