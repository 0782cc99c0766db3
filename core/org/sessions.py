"""Server-side records of web logins, so that a login can be ended for good.

The signed session cookie carries a random session key; the record behind it (in the database, or in Redis
when ``TONGBAN_REDIS_URL`` is set) says whose it is and until when it is valid (absolute timeout). Logout,
a password change and an administrator revoke records; a cookie whose record is gone no longer logs anyone in,
even if someone kept a copy of it. The idle timeout is checked against the last-seen time the cookie carries:
the server signs it, so a client cannot move it forward, only replay an older one (which is idle sooner).
"""

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.org import events
from core.org.models import User, UserSession
from core.security import keyed_hash, new_token
from core.settings import get_settings


class SessionStore(Protocol):
    """Where session records live."""

    def save(self, db: Session, *, key_hash: str, user_id: int, ip: str, user_agent: str, expires_at: datetime) -> None:
        """Keeps a new record."""

    def user_id(self, db: Session, key_hash: str) -> int | None:
        """The user of a valid (unrevoked, unexpired) record, or None."""

    def revoke(self, db: Session, key_hash: str) -> None:
        """Ends one record."""

    def revoke_user(self, db: Session, user_id: int, *, keep: str | None = None) -> int:
        """Ends every record of a user except ``keep``; returns how many were ended."""


class DatabaseStore:
    """Records in the ``user_session`` table, written in the request's transaction (and so audited)."""

    def save(self, db: Session, *, key_hash: str, user_id: int, ip: str, user_agent: str, expires_at: datetime) -> None:
        """Keeps a new record."""
        db.add(UserSession(key_hash=key_hash, user_id=user_id, ip=ip, user_agent=user_agent, expires_at=expires_at))
        db.flush()

    def user_id(self, db: Session, key_hash: str) -> int | None:
        """The user of a valid record, or None."""
        row = db.scalar(select(UserSession).where(UserSession.key_hash == key_hash))
        if row is None or row.revoked_at is not None or row.expires_at <= now():
            return None
        return row.user_id

    def revoke(self, db: Session, key_hash: str) -> None:
        """Ends one record."""
        row = db.scalar(select(UserSession).where(UserSession.key_hash == key_hash))
        if row is not None and row.revoked_at is None:
            row.revoked_at = now()

    def revoke_user(self, db: Session, user_id: int, *, keep: str | None = None) -> int:
        """Ends every live record of a user except ``keep``."""
        rows = db.scalars(
            select(UserSession).where(
                UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > now()
            )
        )
        ended = 0
        for row in rows:
            if row.key_hash != keep:
                row.revoked_at = now()
                ended += 1
        return ended


class RedisStore:
    """Records as Redis keys that expire by themselves; a set per user finds them all for revocation."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, decode_responses=True)

    def save(self, db: Session, *, key_hash: str, user_id: int, ip: str, user_agent: str, expires_at: datetime) -> None:
        """Keeps a new record until its absolute expiry."""
        seconds = max(1, int((expires_at - now()).total_seconds()))
        pipe = self.redis.pipeline()
        pipe.set(f"tongban:session:{key_hash}", str(user_id), ex=seconds)
        pipe.sadd(f"tongban:user-sessions:{user_id}", key_hash)
        pipe.expire(f"tongban:user-sessions:{user_id}", seconds)
        pipe.execute()

    def user_id(self, db: Session, key_hash: str) -> int | None:
        """The user of a live record, or None."""
        value = self.redis.get(f"tongban:session:{key_hash}")
        return int(value) if isinstance(value, str) and value.isdigit() else None

    def revoke(self, db: Session, key_hash: str) -> None:
        """Ends one record."""
        self.redis.delete(f"tongban:session:{key_hash}")

    def revoke_user(self, db: Session, user_id: int, *, keep: str | None = None) -> int:
        """Ends every record of a user except ``keep``."""
        members = self.redis.smembers(f"tongban:user-sessions:{user_id}")
        ended = [m for m in members if isinstance(m, str) and m != keep]
        for key_hash in ended:
            self.redis.delete(f"tongban:session:{key_hash}")
            self.redis.srem(f"tongban:user-sessions:{user_id}", key_hash)
        return len(ended)


@lru_cache
def _redis_store(url: str) -> RedisStore:
    return RedisStore(url)


def store() -> SessionStore:
    """The configured store: Redis when configured, the database otherwise."""
    url = get_settings().redis_url
    return _redis_store(url) if url else DatabaseStore()


def _hash(key: str) -> str:
    return keyed_hash("session:" + key)


def lifetime(user: User) -> timedelta:
    """How long a login lasts at most: 8 hours for staff (等保), the session cookie's age for citizens."""
    settings = get_settings()
    if user.is_staff:
        return timedelta(hours=settings.staff_session_absolute_hours)
    return timedelta(seconds=settings.session_max_age_seconds)


def idle_limit(user: User) -> timedelta | None:
    """How long a login may go unused (staff only; a citizen filling in a long application is not cut off)."""
    return timedelta(minutes=get_settings().staff_session_idle_minutes) if user.is_staff else None


def start(db: Session, user: User, *, ip: str, user_agent: str) -> str:
    """Records a new login and returns its key for the cookie; every web sign-in (the password, the second step,
    registration) ends here, so this is where it is announced (``user.signed_in``)."""
    key = new_token(32)
    store().save(
        db,
        key_hash=_hash(key),
        user_id=user.id,
        ip=ip[:45],
        user_agent=user_agent[:200],
        expires_at=now() + lifetime(user),
    )
    events.signed_in(db, user, via="web")
    return key


def user_id_for(db: Session, key: str) -> int | None:
    """The user whose valid login the key names, or None."""
    return store().user_id(db, _hash(key))


def end(db: Session, key: str) -> None:
    """Ends one login (logout)."""
    store().revoke(db, _hash(key))


def end_all(db: Session, user: User, *, keep: str | None = None) -> int:
    """Ends every login of the user except the one whose key is ``keep``."""
    return store().revoke_user(db, user.id, keep=_hash(keep) if keep else None)
