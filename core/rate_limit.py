"""Rate limits shared by every app process: in memory for one process, Redis when configured."""

from functools import lru_cache

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.errors import TooManyRequests
from core.settings import get_settings


@lru_cache
def _limiter() -> MovingWindowRateLimiter:
    url = get_settings().redis_url
    storage = storage_from_string(url) if url else MemoryStorage()
    assert isinstance(storage, Storage)
    return MovingWindowRateLimiter(storage)


def client_ip(request: Request) -> str:
    """The caller's address (the proxy in front sets X-Forwarded-For in production)."""
    forwarded = request.headers.get("x-forwarded-for", "")
    if forwarded:
        return forwarded.split(",")[0].strip()[:45]
    return request.client.host if request.client else ""


def hit(rate: str, *keys: str, message: str = "操作过于频繁，请稍后再试") -> None:
    """Counts one attempt against ``rate`` for the key; raises 429 with a Chinese message when exceeded."""
    if not _limiter().hit(parse(rate), *keys):
        raise TooManyRequests(message)


def try_hit(rate: str, *keys: str) -> bool:
    """Counts one attempt if the key still has room; False (nothing counted) when it has used ``rate``."""
    return bool(_limiter().hit(parse(rate), *keys))


def ensure_available(rate: str, *keys: str, message: str) -> None:
    """Raises 429 when the key has used up ``rate`` already, without counting this call."""
    if not _limiter().test(parse(rate), *keys):
        raise TooManyRequests(message)


def count(rate: str, *keys: str) -> None:
    """Counts one event against ``rate`` (for limits on failures only)."""
    _limiter().hit(parse(rate), *keys)


def reset() -> None:
    """Forgets all counts (tests)."""
    _limiter().storage.reset()
