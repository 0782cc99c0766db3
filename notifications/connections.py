"""The Redis connection notifications share (token storage, rate limits), when ``redis_url`` is set."""

from functools import lru_cache

import redis

from core.settings import get_settings


@lru_cache(maxsize=4)
def redis_for(url: str) -> redis.Redis:
    """One client (with its connection pool) per Redis URL and process."""
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def shared_redis() -> redis.Redis | None:
    """The configured Redis, or ``None`` in embedded mode."""
    url = get_settings().redis_url
    return redis_for(url) if url else None
