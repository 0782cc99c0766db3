"""One retry policy for a unit of work that meets a deadlock or a lock-wait timeout.

MySQL/MariaDB may end a transaction with 1213 (deadlock: InnoDB rolled the whole transaction back) or 1205
(lock-wait timeout: the statement waited ``innodb_lock_wait_timeout`` for a row another transaction held).
Both are the server saying "try the whole transaction again", and a hot row (a day's case counter, a
popular item) can meet them at any time on a busy morning. So the unit of work, not the statement, is
retried: a whole request (``RetryTransactionsMiddleware``) or a whole task (``in_transaction``), at most
``ATTEMPTS`` times, after a pause with full jitter so that the transactions that collided do not collide
again. The last failure becomes ``DatabaseBusy``: a Chinese message, and nothing of the work was written.

SQLite never deadlocks here: writers take the lock at BEGIN and wait their turn (core/db.py).
"""

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db import session_scope
from core.errors import AppError
from core.mysql import error_code

log = logging.getLogger("tongban")

ATTEMPTS = 3
"""Tries of one unit of work in all: the first and two more."""

_TRANSIENT = {1205: "锁等待超时", 1213: "死锁"}
"""MySQL/MariaDB error codes after which the whole transaction may simply be tried again."""

_WRITE_METHODS = {b"POST", b"PUT", b"PATCH", b"DELETE"}

T = TypeVar("T")


class DatabaseBusy(AppError):
    """The database kept refusing the work for lock conflicts; nothing was saved."""

    status_code = 503
    code = "database_busy"

    def __init__(self) -> None:
        super().__init__("系统繁忙，本次操作没有保存，请稍后再试一次")


def is_transient(error: BaseException) -> bool:
    """True for a deadlock or lock-wait timeout, as the driver raised it or as SQLAlchemy wrapped it."""
    return error_code(error) in _TRANSIENT


def pause_before(attempt: int) -> float:
    """Seconds to wait before try ``attempt + 1``: up to 50 ms, 100 ms, … (doubling), chosen at random."""
    return random.uniform(0.0, 0.05 * 2 ** (attempt - 1))


def _note(error: BaseException, attempt: int) -> None:
    log.warning("数据库%s，整个事务第 %s 次重试", _TRANSIENT.get(error_code(error) or 0, "冲突"), attempt)


def in_transaction(work: Callable[[Session], T]) -> T:
    """Runs ``work`` in a session that commits at the end; the whole of it again after a deadlock or a
    lock-wait timeout. ``work`` must not have effects outside the session (they would happen twice)."""
    attempt = 1
    while True:
        try:
            with session_scope() as session:
                return work(session)
        except Exception as error:
            if not is_transient(error):
                raise
            if attempt == ATTEMPTS:
                raise DatabaseBusy() from error
            _note(error, attempt)
            time.sleep(pause_before(attempt))
            attempt += 1


class RetryTransactionsMiddleware:
    """Tries a writing request again, whole, when its transaction meets a deadlock or lock-wait timeout.

    The request body is kept so that each try reads it from the start. A request is tried again only while
    nothing of its response has been sent; a route's database session commits before its response starts
    (core/deps.py), so a failed commit is retried too. After the last try the caller gets ``DatabaseBusy``
    (503): JSON for the API and the channels, a short page for the site's forms.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"].encode() not in _WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        attempt = 1
        while True:
            started = replayed = False

            async def replay(body: bytes = body) -> Message:
                # the kept body once; after it, what the client does next (a disconnect), as the server tells it
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def watch(message: Message) -> None:
                nonlocal started
                started = True
                await send(message)

            try:
                await self.app(dict(scope), replay, watch)
                return
            except Exception as error:
                if started or not is_transient(error):
                    raise
                if attempt == ATTEMPTS:
                    log.error("数据库持续锁冲突，请求 %s %s 已放弃", scope["method"], scope["path"])
                    await _busy(scope, send)
                    return
                _note(error, attempt)
                await asyncio.sleep(pause_before(attempt))
                attempt += 1


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _busy(scope: Scope, send: Send) -> None:
    error = DatabaseBusy()
    if not scope["path"].startswith(("/api/", "/channels/")):  # a page's form
        content_type, payload = b"text/html; charset=utf-8", _page(error.message).encode()
    else:
        content_type, payload = b"application/json", json.dumps(error.to_dict(), ensure_ascii=False).encode()
    response_headers: list[tuple[bytes, bytes]] = [
        (b"content-type", content_type),
        (b"content-length", str(len(payload)).encode()),
        (b"retry-after", b"5"),
    ]
    await send({"type": "http.response.start", "status": error.status_code, "headers": response_headers})
    await send({"type": "http.response.body", "body": payload})


def _page(message: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>系统繁忙</title></head>'
        f'<body style="font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em"><h1>系统繁忙</h1>'
        f"<p>{message}：请返回上一页，核对后再提交一次。</p></body></html>"
    )
