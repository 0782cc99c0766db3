"""A cap on request bodies: a body larger than ``request_max_bytes`` is refused with a Chinese 413 before any part
of the app reads, parses or stores it — anonymous callers included, since forms are parsed before anyone is known.

A declared ``Content-Length`` over the cap is answered at once; a body sent without one (chunked) is counted as
it arrives and cut off at the cap.
"""

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import get_settings

_MACHINE_PATHS = ("/api/", "/channels/", "/healthz", "/readyz")


class BodyTooLarge(HTTPException):
    """The body went past the cap while it was being read (a route's handlers answer it as any 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    """What the person is told, with the cap in MB."""
    return f"提交的内容超过 {limit / (1024 * 1024):g} MB 的上限，请压缩或减少文件后重试"


class BodySizeLimitMiddleware:
    """Refuses request bodies over ``Settings.request_max_bytes`` (read per request, so tests may lower it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = get_settings().request_max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:  # the server refuses malformed ones
            await _refuse(scope, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            # Read outside the routes (the retry middleware keeps the body to replay it), so no handler saw it.
            if started:
                raise
            await _refuse(scope, send, limit)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    message = too_large_message(limit)
    if str(scope.get("path", "")).startswith(_MACHINE_PATHS):
        body = json.dumps({"error": {"code": "too_large", "message": message}}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        body = f"<!doctype html><meta charset=utf-8><title>提交的内容过大</title><p>{message}</p>".encode()
        content_type = b"text/html; charset=utf-8"
    # The unread body is left behind: the connection is closed rather than kept alive for a next request.
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
