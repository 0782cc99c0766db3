"""WeCom's per-member limit, kept on our side: at most ``wecom_member_rate_per_minute`` app messages to one
member in any window, so that WeCom never drops one silently (WECHAT.md). A message beyond the limit is not
sent but queued for the moment a slot frees up.

The window is WeCom's minute plus a margin: a slot is taken just before the message leaves, and a message can
reach WeCom a moment later (a token fetched first, a slow network) — or a second later than the whole-second
application clock says. Counts are shared by all workers in Redis (a sorted set per member, changed
atomically by a Lua script on Redis's own clock), or kept in the process in embedded mode.
"""

import threading
import uuid
from collections import defaultdict, deque

from core.clock import now
from notifications.connections import shared_redis

WINDOW_SECONDS = 60 + 5

_ACQUIRE = """
local key, limit, window, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', at - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, at, member)
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - at + 1
"""

_lock = threading.Lock()
_local: dict[str, deque[float]] = defaultdict(deque)


def acquire(key: str, limit: int, window: float = WINDOW_SECONDS) -> float:
    """Takes a slot for one message to ``key``: 0 when taken, else the seconds until one frees up."""
    client = shared_redis()
    if client is not None:
        waited = client.eval(_ACQUIRE, 1, f"tongban:rate:{key}", limit, int(window * 1000), uuid.uuid4().hex)
        return max(0.0, int(waited) / 1000)
    at = now().timestamp()
    with _lock:
        sent = _local[key]
        while sent and sent[0] <= at - window:
            sent.popleft()
        if len(sent) < limit:
            sent.append(at)
            return 0.0
        return sent[0] + window - at


def reset() -> None:
    """Forgets the in-process counts (tests)."""
    with _lock:
        _local.clear()
