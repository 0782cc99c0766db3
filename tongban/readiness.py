"""``/readyz``: can this process serve? ``/healthz`` only says it is alive.

It checks what the process needs, each with a short timeout, and names what failed in Chinese:

- the database (``SELECT 1`` on the primary) — required;
- Redis, when ``TONGBAN_REDIS_URL`` is set (sessions' rate limits, caches, the Celery broker) — required;
- the read replica, when ``TONGBAN_DATABASE_REPLICA_URL`` is set — reported, not required: its pages then read
  the primary (core/deps.py ``ReplicaDB``);
- the bot (Rasa, ``TONGBAN_RASA_URL``), when the channels are installed — reported, not required: without it
  the channels answer "请稍后再试" and keep the messages (channels/gateway.py), and every other page works.

Only a failed required part makes it 503: a readiness check that failed on the bot would take every app
process out of a load balancer at once and the whole portal down with the bot.
"""

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from core.db import get_engine, get_replica_engine
from core.settings import get_settings

log = logging.getLogger("tongban")

router = APIRouter()
TIMEOUT_SECONDS = 2.0


def _database() -> None:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))


def _replica() -> None:
    engine = get_replica_engine()
    assert engine is not None
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _redis() -> None:
    url = get_settings().redis_url
    assert url
    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def _rasa() -> None:
    parts = urlsplit(get_settings().rasa_url)
    httpx.get(f"{parts.scheme}://{parts.netloc}/", timeout=TIMEOUT_SECONDS).raise_for_status()


def checks() -> list[tuple[str, str, bool, Callable[[], None]]]:
    """(key, what it is in Chinese, required, check) for each part this process is configured to use."""
    settings = get_settings()
    found: list[tuple[str, str, bool, Callable[[], None]]] = [("database", "数据库（主库）", True, _database)]
    if settings.database_replica_url:
        found.append(("replica", "数据库只读副本", False, _replica))
    if settings.redis_url:
        found.append(("redis", "Redis", True, _redis))
    if "channels" in settings.plugins:
        found.append(("rasa", "智能客服（Rasa）", False, _rasa))
    return found


@router.get("/readyz", tags=["运维"], summary="就绪检查（数据库、Redis、智能客服）")
def readyz() -> JSONResponse:
    """200 when the required parts answer (``status`` ``ok``, or ``degraded`` when an optional one does not);
    503 naming the failed parts otherwise. Each part: ``ok``, milliseconds, and a Chinese message when failed."""
    parts: dict[str, dict[str, object]] = {}
    failed_required: list[str] = []
    failed_optional: list[str] = []
    for key, name, required, check in checks():
        started = time.perf_counter()
        try:
            check()
            parts[key] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
        except Exception as error:
            log.warning("就绪检查：%s 不可用：%s", name, error)
            note = "" if required else "（不影响其他功能）"
            parts[key] = {"ok": False, "message": f"{name}无法连接{note}"}
            (failed_required if required else failed_optional).append(name)
    if failed_required:
        message = "、".join(failed_required) + "无法连接，本进程暂不能提供服务"
        return JSONResponse({"status": "unavailable", "message": message, "parts": parts}, status_code=503)
    if failed_optional:
        message = "、".join(failed_optional) + "无法连接，其他功能正常"
        return JSONResponse({"status": "degraded", "message": message, "parts": parts})
    return JSONResponse({"status": "ok", "parts": parts})
