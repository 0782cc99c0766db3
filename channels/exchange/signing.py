"""Signed requests: HMAC-SHA256 over the method, the path with its query, a timestamp, a nonce and the body's SHA-256.

Headers: ``X-App-Id`` (who we are at the counterpart), ``X-Timestamp`` (Unix seconds), ``X-Nonce`` (random, never
reused), ``X-Body-SHA256`` (hex) and ``X-Signature`` (hex HMAC of the five lines ``METHOD``, ``path?query``,
timestamp, nonce, body hash, joined by newlines). A receiver recomputes the body hash and the signature, refuses a
timestamp outside its window and a nonce it has seen inside the window — a captured request cannot be replayed.
"""

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from typing import Protocol

HEADERS = ("X-App-Id", "X-Timestamp", "X-Nonce", "X-Body-SHA256", "X-Signature")


def body_hash(body: bytes) -> str:
    """SHA-256 of the body, hex."""
    return hashlib.sha256(body).hexdigest()


def signature(secret: str, method: str, target: str, timestamp: str, nonce: str, digest: str) -> str:
    """The HMAC of one request."""
    message = "\n".join((method.upper(), target, timestamp, nonce, digest)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(app_id: str, secret: str, method: str, target: str, body: bytes, *, at: float | None = None) -> dict[str, str]:
    """The headers that sign a request to ``target`` (path and query)."""
    timestamp = str(int(at if at is not None else time.time()))
    nonce = secrets.token_hex(16)
    digest = body_hash(body)
    return {
        "X-App-Id": app_id,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Body-SHA256": digest,
        "X-Signature": signature(secret, method, target, timestamp, nonce, digest),
    }


class Nonces(Protocol):
    """Where a receiver remembers the nonces it has accepted (this process's :class:`NonceCache`, or one shared by
    every app process: channels/exchange/push.py)."""

    def first_time(self, nonce: str, now: float, window: float) -> bool:
        """True the first time a nonce is seen within the window (and remembers it)."""


class NonceCache:
    """Nonces seen within the window (bounded), for receivers."""

    def __init__(self, size: int = 100_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, nonce: str, now: float, window: float) -> bool:
        """True the first time a nonce is seen within the window."""
        with self._lock:
            while self._seen and (len(self._seen) > self._size or next(iter(self._seen.values())) < now - window):
                self._seen.popitem(last=False)
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


def verify(
    secret: str,
    method: str,
    target: str,
    body: bytes,
    headers: dict[str, str],
    *,
    window: float,
    nonces: Nonces,
    now: float | None = None,
) -> str:
    """Why a signed request is refused, in Chinese; empty when it is genuine."""
    lower = {k.lower(): v for k, v in headers.items()}
    missing = [h for h in HEADERS if h.lower() not in lower]
    if missing:
        return f"请求缺少签名头：{'、'.join(missing)}"
    moment = now if now is not None else time.time()
    try:
        timestamp = int(lower["x-timestamp"])
    except ValueError:
        return "签名时间戳格式不对"
    if abs(moment - timestamp) > window:
        return "签名已过期或时间不同步（时间戳超出允许范围）"
    digest = body_hash(body)
    if not hmac.compare_digest(digest, lower["x-body-sha256"]):
        return "请求内容与签名中的摘要不一致"
    expected = signature(secret, method, target, lower["x-timestamp"], lower["x-nonce"], digest)
    if not hmac.compare_digest(expected, lower["x-signature"]):
        return "签名不正确"
    if not nonces.first_time(lower["x-nonce"], moment, window):
        return "重复的请求（随机数已使用过）"
    return ""
