"""A short-lived cache for what public pages show (the catalogue, guides, publicity, past months' statistics),
emptied when what it holds changes.

Each cached value belongs to a namespace ("reference", "publicity", …) with a version number; a value is stored
under its namespace's current version, so bumping the version empties the namespace at once for every app
process (old entries are never read again and expire). Versions bump on write, by themselves: a domain declares
which of its models feed a namespace (``watch``), and the session hook below bumps those namespaces after a
commit that inserted, changed or deleted such a row — after the commit, so a page produced meanwhile cannot
store the old data under the new version. Nothing has to remember to invalidate.

With TONGBAN_REDIS_URL the values and versions live in Redis (shared by all app processes); otherwise in this
process's memory (the embedded default is one process). Values are stored as JSON of a pydantic type, never
pickled. If Redis fails, pages are produced uncached: the cache never takes the site down.
``public_cache_seconds`` (0 turns the cache off) bounds how long an entry lives whatever happens.
"""

import logging
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import redis
from pydantic import TypeAdapter
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_MEMORY_ENTRIES = 5000
_PENDING = "cache_namespaces"
"""Session.info key: the namespaces a transaction's writes touched, bumped when it commits."""


class _Backend(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl: float) -> None: ...
    def version(self, namespace: str) -> int: ...
    def bump(self, namespace: str) -> None: ...
    def clear(self) -> None: ...


class _Memory:
    """This process's cache (the embedded default): a bounded dict of (expiry, JSON)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[float, bytes]] = {}
        self.versions: dict[str, int] = {}

    def get(self, key: str) -> bytes | None:
        found = self.entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def set(self, key: str, value: bytes, ttl: float) -> None:
        with self.lock:
            if len(self.entries) >= MAX_MEMORY_ENTRIES:
                moment = time.monotonic()
                self.entries = {k: v for k, v in self.entries.items() if v[0] >= moment}
                if len(self.entries) >= MAX_MEMORY_ENTRIES:
                    self.entries.clear()
            self.entries[key] = (time.monotonic() + ttl, value)

    def version(self, namespace: str) -> int:
        return self.versions.get(namespace, 0)

    def bump(self, namespace: str) -> None:
        with self.lock:
            self.versions[namespace] = self.versions.get(namespace, 0) + 1
            prefix = f"{namespace}:"
            self.entries = {k: v for k, v in self.entries.items() if not k.startswith(prefix)}

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.versions.clear()


class _Redis:
    """The cache shared by every app process."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str) -> bytes | None:
        value = self.redis.get(f"tongban:cache:{key}")
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self.redis.set(f"tongban:cache:{key}", value, px=max(1, int(ttl * 1000)))

    def version(self, namespace: str) -> int:
        value = self.redis.get(f"tongban:cache-version:{namespace}")
        return int(value) if value else 0

    def bump(self, namespace: str) -> None:
        self.redis.incr(f"tongban:cache-version:{namespace}")

    def clear(self) -> None:
        for pattern in ("tongban:cache:*", "tongban:cache-version:*"):
            for key in self.redis.scan_iter(pattern):
                self.redis.delete(key)


_memory = _Memory()


@lru_cache(maxsize=4)
def _redis(url: str) -> _Redis:
    return _Redis(url)


def _backend() -> _Backend:
    url = get_settings().redis_url
    return _redis(url) if url else _memory


def cached(namespace: str, key: str, kind: Any, produce: Callable[[], T], *, ttl: float | None = None) -> T:
    """The value cached under ``namespace``/``key``, or ``produce()``'s, stored as JSON of ``kind`` (a pydantic
    model or a type such as ``list[ItemSummary]``) for ``ttl`` seconds (default ``public_cache_seconds``).
    A value ``produce`` raises for (not found, bad input) is not cached."""
    seconds = get_settings().public_cache_seconds if ttl is None else min(ttl, get_settings().public_cache_seconds)
    if seconds <= 0:
        return produce()
    adapter = _adapter(kind)
    backend = _backend()
    try:
        full_key = f"{namespace}:{backend.version(namespace)}:{key}"
        stored = backend.get(full_key)
    except redis.RedisError as error:
        log.warning("缓存不可用，直接生成：%s", error)
        return produce()
    if stored is not None:
        result: T = adapter.validate_json(stored)
        return result
    # One producer per key in this process: when an entry expires under load, the requests that missed it wait
    # for the first one's value instead of all computing it at once (ten 0.1 s statistics at once took 1 s each).
    with _producing_guard:
        lock = _producing.setdefault(full_key, threading.Lock())
    with lock:
        try:
            stored = backend.get(full_key)
        except redis.RedisError:
            stored = None
        if stored is not None:
            made: T = adapter.validate_json(stored)
            return made
        value = produce()
        try:
            backend.set(full_key, adapter.dump_json(value), seconds)
        except redis.RedisError as error:
            log.warning("缓存写入失败：%s", error)
    with _producing_guard:
        _producing.pop(full_key, None)
    return value


_producing: dict[str, threading.Lock] = {}
_producing_guard = threading.Lock()


@lru_cache(maxsize=64)
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def invalidate(*namespaces: str) -> None:
    """Empties these namespaces now, for every process (writes made through a session do it by themselves)."""
    backend = _backend()
    for namespace in namespaces:
        try:
            backend.bump(namespace)
        except redis.RedisError as error:
            log.warning("缓存失效通知失败（条目将在过期后更新）：%s", error)


def clear() -> None:
    """Forgets everything (tests, between cases that empty the tables)."""
    _backend().clear()


# ---------------------------------------------------------------- which writes empty which namespaces

Watcher = Callable[[Any], bool]
_WATCHED: dict[type, list[tuple[str, Watcher | None]]] = {}


def watch(model: type, namespace: str, when: Watcher | None = None) -> None:
    """A committed insert, change or delete of a ``model`` row empties ``namespace`` (only when ``when(row)`` is
    true, if given: e.g. only cases that publicity shows)."""
    _WATCHED.setdefault(model, []).append((namespace, when))


def invalidate_after_commit(session: Session, *namespaces: str) -> None:
    """Empties these namespaces when ``session`` commits: for writes made by statements (``insert()``,
    ``update()``), which the row hooks below do not see."""
    session.info.setdefault(_PENDING, set()).update(namespaces)


def _touched(session: Session, _context: Any, _instances: Any) -> None:
    pending: set[str] = session.info.setdefault(_PENDING, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        for model in type(row).__mro__:
            for namespace, when in _WATCHED.get(model, ()):
                if namespace not in pending and (when is None or when(row)):
                    pending.add(namespace)


def _committed(session: Session) -> None:
    namespaces = session.info.pop(_PENDING, None)
    if namespaces:
        invalidate(*sorted(namespaces))


def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "before_flush", _touched)
event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_soft_rollback", lambda session, _tx: _rolled_back(session))
