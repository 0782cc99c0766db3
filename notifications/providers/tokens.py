"""Where the WeChat and WeCom access tokens are kept: Redis when ``redis_url`` is set (shared by every worker,
so a token is fetched once for all of them), the process's memory otherwise."""

from functools import lru_cache

from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from core.settings import get_settings
from notifications.connections import redis_for

_memory = MemoryStorage()


@lru_cache(maxsize=4)
def _in_redis(url: str) -> SessionStorage:
    return RedisStorage(redis_for(url), prefix="tongban:token")


def storage() -> SessionStorage:
    """The token storage for the configured Redis (or memory)."""
    url = get_settings().redis_url
    return _in_redis(url) if url else _memory
