"""A database or Redis that cannot be reached — the primary restarting, a network cut — answers a Chinese 503,
not a 500.

While MariaDB restarts, new connections are refused (error 2002 from MariaDB's client library, 2003 from others)
and the connections a request held are lost mid-statement (2013, 2006). Such a request did not complete: its
transaction was never committed (InnoDB rolls back whatever a lost connection had begun), so nothing of it is
saved, and the person is told so in Chinese and may simply try again. Requests after the restart get a fresh
connection (core/db.py: ``pool_pre_ping``).

One caveat is in the nature of any database: a connection lost *during* COMMIT leaves the outcome unknown to the
app — the commit may have landed. The app then still answers 503; a person who tries again meets the usual
duplicate checks (a case number, an idempotency key) rather than a half-done write.

Redis holds the login records (core/org/sessions.py) and the rate limits when it is configured: while it
restarts, a signed-in request or a login cannot be checked and is refused the same way (pages that need neither
keep working); the records come back with Redis's append-only file, so people stay signed in.

Deadlocks and lock-wait timeouts are not this: they pass through to core/retry.py, which tries the work again.
"""

import json
import logging

import redis
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import AppError
from core.mysql import connection_closed, error_code

log = logging.getLogger("tongban")

_UNREACHABLE = {
    1053: "服务器正在关闭",
    1927: "连接被服务器终止",
    2002: "无法连接",  # MariaDB Connector/C (mysqlclient's) says so for a refused TCP connection too
    2003: "无法连接",
    2006: "服务器已断开",
    2013: "连接中断",
    2055: "连接中断",
    4031: "服务器断开了空闲连接",
}
"""MySQL/MariaDB client and server errors that mean the server is gone, not that the work was wrong."""


class DatabaseUnavailable(AppError):
    """The database could not be reached; nothing of the request was saved."""

    status_code = 503
    code = "database_unavailable"

    def __init__(self) -> None:
        super().__init__("系统正在恢复数据库连接，本次操作没有完成，也没有保存任何内容，请稍后再试一次")


class SessionStoreUnavailable(DatabaseUnavailable):
    """Redis (login records, rate limits) could not be reached; nothing of the request was saved."""

    code = "session_store_unavailable"

    def __init__(self) -> None:
        AppError.__init__(self, "系统正在恢复登录与缓存服务，本次操作没有完成，也没有保存任何内容，请稍后再试一次")


def redis_unreachable(error: BaseException) -> bool:
    """True when Redis could not be reached (refused, cut off, or no answer in time)."""
    return isinstance(error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError))


def is_unreachable(error: BaseException) -> bool:
    """True when the error, or one it was raised while handling, says the database server cannot be reached (a
    connection lost mid-query is followed by SQLAlchemy's "rollback first" error when the request's clean-up
    uses the session again)."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        if _unreachable(link):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def _unreachable(error: BaseException) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return connection_closed(error) or error_code(error) in _UNREACHABLE


class DatabaseUnavailableMiddleware:
    """Answers 503 with a Chinese message (JSON for the API and the channels, a short page for the site) when a
    request failed because the database could not be reached and nothing of its answer was sent yet. The page
    is built without the database (the usual error page looks up who is signed in)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = message["type"] == "http.response.start" or started
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started or not (is_unreachable(error) or redis_unreachable(error)):
                raise
            what = "Redis" if redis_unreachable(error) else "数据库"
            log.warning("%s无法连接，请求 %s %s 以 503 结束：%s", what, scope["method"], scope["path"], error)
            await answer_unavailable(
                scope, send, SessionStoreUnavailable() if redis_unreachable(error) else DatabaseUnavailable()
            )


async def answer_unavailable(scope: Scope, send: Send, error: AppError) -> None:
    """Sends the 503 answer for a request whose database or Redis could not be reached."""
    if scope["path"].startswith(("/api/", "/channels/", "/readyz", "/healthz")):
        content_type, payload = b"application/json", json.dumps(error.to_dict(), ensure_ascii=False).encode()
    else:
        content_type, payload = b"text/html; charset=utf-8", _page(error.message).encode()
    headers = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode()), (b"retry-after", b"5")]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _page(message: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>系统暂时不可用</title></head>'
        '<body style="font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em"><h1>系统暂时不可用</h1>'
        f"<p>{message}。</p></body></html>"
    )
