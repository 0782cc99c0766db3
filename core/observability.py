"""Logs a person or a log collector can follow across processes: every record carries the request id of the work
it belongs to, and ``TONGBAN_LOG_FORMAT=json`` writes one JSON object a line.

The id comes from ``X-Request-ID`` when the caller may set it — a configured proxy (nginx) or a configured
source (``TONGBAN_REQUEST_ID_SOURCES``: the bot's action servers) — and is made here otherwise. It travels on:
the channels send it to Rasa (header and message metadata), the bot's actions send it back to the API as
``X-Request-ID``, and Celery tasks carry it in their headers (tongban/celery.py). Every response names it.
"""

import contextvars
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import get_settings

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("tongban_request_id", default="")
access_log = logging.getLogger("tongban.access")
_HANDLER_MARK = "_tongban_handler"


def request_id() -> str:
    """The id of the request (or task, or bot turn) this code runs for; empty outside of one."""
    return _current.get()


def new_request_id() -> str:
    """A fresh id (32 hex digits)."""
    return uuid.uuid4().hex


def valid_request_id(value: str | None) -> str | None:
    """The value if it is a well-formed id (letters, digits, ``._:-``, at most 64), else None."""
    return value if value and _VALID.match(value) else None


@contextmanager
def request_context(value: str | None) -> Iterator[str]:
    """Runs the block under ``value`` (or a fresh id when there is none); yields the id in use."""
    used = valid_request_id(value) or new_request_id()
    token = _current.set(used)
    try:
        yield used
    finally:
        _current.reset(token)


def enter(value: str | None) -> contextvars.Token[str]:
    """Starts work under ``value`` (or a fresh id) outside a ``with`` block (a Celery task's start signal);
    ``leave`` with the token ends it."""
    return _current.set(valid_request_id(value) or new_request_id())


def leave(token: contextvars.Token[str]) -> None:
    """Ends the work ``enter`` started."""
    _current.reset(token)


_factory = logging.getLogRecordFactory()


def _record(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _factory(*args, **kwargs)
    record.request_id = _current.get() or "-"
    return record


if getattr(_factory, "__name__", "") != "_record":
    logging.setLogRecordFactory(_record)  # every record of every logger, whatever handler writes it


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def formatter(kind: str) -> logging.Formatter:
    """The formatter of ``TONGBAN_LOG_FORMAT``: ``json`` or ``text``."""
    if kind == "json":
        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(celery_root: logging.Logger | None = None) -> None:
    """Writes the platform's records to stderr in the configured format: through one handler of this module on
    the root logger (replaced when called again), or, in a Celery process, through the handlers Celery set up
    (``celery_root``). Only the ``tongban`` loggers log below WARNING; libraries keep the root's level."""
    settings = get_settings()
    shape = formatter(settings.log_format)
    if celery_root is not None:
        for existing in celery_root.handlers:
            existing.setFormatter(shape)
    else:
        root = logging.getLogger()
        for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
            root.removeHandler(old)
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _HANDLER_MARK, True)
        handler.setFormatter(shape)
        root.addHandler(handler)
    logging.getLogger("tongban").setLevel(settings.log_level.upper())


@lru_cache
def _networks(addresses: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(a, strict=False) for a in addresses)


def may_set_request_id(peer: str) -> bool:
    """Whether a connection from ``peer`` may name the request id (a configured proxy or source)."""
    settings = get_settings()
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in n for n in _networks(settings.trusted_proxies + settings.request_id_sources))


class RequestIdMiddleware:
    """Sets the request id for the request's work, names it in the response and writes the access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = scope["client"][0] if scope.get("client") else ""
        given = None
        if may_set_request_id(peer):
            for name, value in scope.get("headers", []):
                if name == b"x-request-id":
                    given = value.decode("latin-1")
        status = 500
        began = time.perf_counter()
        with request_context(given) as used:

            async def named(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"x-request-id", used.encode())]
                await send(message)

            try:
                await self.app(scope, receive, named)
            finally:
                access_log.info(
                    "%s %s %s %.1fms",
                    scope.get("method", ""),
                    scope.get("path", ""),
                    status,
                    (time.perf_counter() - began) * 1000,
                )
