"""Rate limits shared by every app process: in memory for one process, Redis when configured."""

import time
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

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


@lru_cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: Request) -> str:
    """The caller's address: the connection's, unless it comes from a configured proxy
    (``TONGBAN_TRUSTED_PROXIES``); then the right-most address of ``X-Forwarded-For`` that is not one of the
    proxies. Anything left of that was written by the client and could be anything, so it is never believed."""
    peer = request.client.host if request.client else ""
    networks = _trusted_networks(get_settings().trusted_proxies)
    if not networks or not _is_trusted(peer, networks):
        return peer[:45]
    chain = [a.strip() for h in request.headers.getlist("x-forwarded-for") for a in h.split(",") if a.strip()]
    for address in reversed(chain):
        if not _is_trusted(address, networks):
            return address[:45]
    return (chain[0] if chain else peer)[:45]


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


def has_room(rate: str, *keys: str) -> bool:
    """True while the key has not used up ``rate`` (nothing counted)."""
    return bool(_limiter().test(parse(rate), *keys))


def count(rate: str, *keys: str) -> None:
    """Counts one event against ``rate`` (for limits on failures only)."""
    _limiter().hit(parse(rate), *keys)


def reset() -> None:
    """Forgets all counts (tests)."""
    _limiter().storage.reset()


def guard_progress(client: str, case_no: str) -> None:
    """Before a progress query: 429 when the address has used its queries, or has failed too often on this case;
    a wait of ``progress_slowdown_seconds`` when the case has failed too often from everywhere (a distributed
    guess), which slows a guesser down without locking the applicant out."""
    settings = get_settings()
    hit(settings.progress_query_rate, "progress-ip", client, message="查询过于频繁，请一分钟后再试")
    ensure_available(
        settings.progress_address_case_rate,
        "progress-address-case-failures",
        client,
        case_no,
        message="您对该办件的查询密码输错次数过多，请一小时后再试；忘记查询密码请联系受理窗口",
    )
    if not _limiter().test(parse(settings.progress_case_rate), "progress-case-failures", case_no):
        time.sleep(settings.progress_slowdown_seconds)


def progress_failed(client: str, case_no: str) -> None:
    """Counts a wrong progress password against the address and case, and against the case."""
    settings = get_settings()
    count(settings.progress_address_case_rate, "progress-address-case-failures", client, case_no)
    count(settings.progress_case_rate, "progress-case-failures", case_no)
