"""Where the WeChat and WeCom access tokens are kept: Redis when ``redis_url`` is set (shared by every worker,
so a token is fetched once for all of them), the process's memory otherwise."""

from functools import lru_cache

from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from core.settings import get_settings


@lru_cache(maxsize=4)
def _storage(redis_url: str | None) -> SessionStorage:
    if not redis_url:
        return MemoryStorage()
    import redis

    return RedisStorage(redis.Redis.from_url(redis_url), prefix="tongban:token")


def storage() -> SessionStorage:
    """The token storage for the configured Redis (or memory)."""
    return _storage(get_settings().redis_url)
