"""FastAPI dependencies: a database session per request, the caller, and who the audit log names.

The caller comes from a bearer token (service clients, API logins) or from the web session cookie.
"""

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import core.audit.hooks  # noqa: F401  (installs the audit hook on every session)
from core.audit.context import Actor, set_actor
from core.clock import now
from core.db import (
    get_primary_read_sessionmaker,
    get_replica_engine,
    get_replica_sessionmaker,
    get_sessionmaker,
    mark_for_writing,
)
from core.errors import PermissionDenied, ValidationFailed
from core.metrics import route_of
from core.modules import service as modules
from core.org import service as org_service
from core.org import sessions
from core.org.models import User
from core.org.permissions import Permission
from core.rate_limit import client_ip
from core.security import constant_time_equal, new_token

log = logging.getLogger("tongban")

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def get_db(request: Request) -> Iterator[Session]:
    """A session for the request; writes commit when the handler returns without error. A route that
    declares ``ReadDB`` first only reads: its other dependencies (the current user) then read too."""
    session = get_sessionmaker()()
    writing = request.method in _WRITE_METHODS and not getattr(request.state, "read_only", False)
    try:
        if writing:
            mark_for_writing(session)
        yield session
        if writing:
            session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


DB = Annotated[Session, Depends(get_db, scope="function")]
"""Function scope: the session commits when the handler returns, before the response starts — a client never
gets a 2xx for a write whose commit then failed, and a commit that meets a deadlock is retried whole
(core/retry.py)."""


def get_read_db(request: Request) -> Iterator[Session]:
    """A session for a request that only reads, whatever its method (a POST that keeps a secret out of
    the URL, such as the progress query): on SQLite it then takes no write lock, and neither does the
    session that looks up the caller. (With both holding SQLite's write lock and a second connection each,
    20 progress queries at once exhausted the pool and stalled for the 30 s pool timeout.)"""
    request.state.read_only = True
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


ReadDB = Annotated[Session, Depends(get_read_db, scope="function")]


def get_replica_db(request: Request) -> Iterator[Session]:
    """A read-only session on the read replica (``TONGBAN_DATABASE_REPLICA_URL``), for pages and endpoints whose
    figures may be a moment behind the primary: publicity, statistics, reports, dashboards. Without a replica it
    reads the primary; when the replica cannot be reached it reads the primary too (and says so in the log), so
    a lost replica slows these pages down rather than breaking them. The session refuses every write
    (core/db.py ``ReadOnlySession``; the replica's connections are read-only on the server as well). Who is
    asking (``CurrentUser``) is still looked up on the primary, where sessions are written."""
    request.state.read_only = True
    session: Session = get_replica_sessionmaker()()
    if get_replica_engine() is not None:
        try:
            session.connection()
        except OperationalError as error:
            log.warning("只读副本不可用，改为读主库：%s", error.orig)
            session.close()
            session = get_primary_read_sessionmaker()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


ReplicaDB = Annotated[Session, Depends(get_replica_db, scope="function")]
"""How a page or endpoint reads from the replica: ``def publicity(db: ReplicaDB, ...)`` — nothing else changes."""


_PASSWORD_PAGES = ("/admin/me", "/my/account", "/logout", "/api/v1/me", "/static/")
"""Where a person whose password must be changed may still go."""


def _session_user(request: Request, db: Session) -> User | None:
    """The user of the web session: the cookie's key must name a live server-side record of that user, and a
    staff session must have been used within the idle timeout. A dead session is cleared from the cookie."""
    user_id, key = request.session.get("user_id"), request.session.get("sid")
    if not isinstance(user_id, int) or not isinstance(key, str):
        return None
    user = org_service.get_user(db=db, user_id=user_id)
    alive = user is not None and user.is_active and sessions.user_id_for(db, key) == user_id
    seen = request.session.get("seen")
    if alive and user is not None and (limit := sessions.idle_limit(user)) is not None:
        try:
            alive = isinstance(seen, str) and now() - datetime.fromisoformat(seen) <= limit
        except ValueError:
            alive = False
    if not alive or user is None:
        for name in ("user_id", "sid", "seen", "password_change"):
            request.session.pop(name, None)
        return None
    stamp = now()
    if not isinstance(seen, str) or (stamp - datetime.fromisoformat(seen)).total_seconds() >= 60:
        request.session["seen"] = stamp.isoformat()  # re-signed into the cookie; once a minute is enough
    reason = request.session.get("password_change")
    if isinstance(reason, str) and not request.url.path.startswith(_PASSWORD_PAGES):
        page = "/admin/me" if user.is_staff else "/my/account"
        raise org_service.PasswordChangeRequired(reason, page=page)
    return user


CROSS_SITE_MESSAGE = "请求来源无法验证（可能来自其他网站），请刷新页面后重新操作"


def _names_this_host(request: Request, source: str) -> bool:
    """Whether an ``Origin`` or ``Referer`` value names the host the request was sent to."""
    return source != "null" and urlsplit(source).netloc == request.headers.get("host")


def session_csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (which gives the visitor a session cookie: ask for it only
    where a form or the chat panel is about to post, so that a page merely read stays the same for everyone)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = new_token(24)
        request.session["csrf"] = token
    return token


def _sent_csrf_token(request: Request) -> bool:
    """Whether the request carries the session's CSRF token in ``X-CSRF-Token`` (web/common.py puts it in pages)."""
    sent = request.headers.get("x-csrf-token", "")
    expected = request.session.get("csrf") if "session" in request.scope else None
    return bool(sent) and isinstance(expected, str) and constant_time_equal(sent, expected)


def is_same_site(request: Request, *, token_required: bool = False) -> bool:
    """Whether a browser request comes from one of this site's own pages — the one origin check for requests
    that a session cookie authenticates (the cookie rides along on any site's request).

    By default (cookie-authenticated /api writes, core.deps.current_user): it carries the session's CSRF token,
    or its ``Origin`` (lacking one, its ``Referer``) names this host. With ``token_required`` (the web chat, whose
    panel always sends the token): the token must match, and an ``Origin``, when sent, must name this host."""
    token = _sent_csrf_token(request)
    if token_required:
        origin = request.headers.get("origin")
        return token and (not origin or _names_this_host(request, origin))
    if token:
        return True
    source = request.headers.get("origin") or request.headers.get("referer")
    return _names_this_host(request, source) if source else False


def session_user(request: Request, db: Session) -> User | None:
    """The web session's user, for a page no route answered (web/common.py ``remember_viewer``)."""
    return _session_user(request, db)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def current_user(request: Request, db: DB) -> User | None:
    """The logged-in user or token owner, or None for an anonymous caller; sets the audit actor. A member of staff
    asking for a route of a program module switched off for all their roles is refused here, for pages and API
    alike (core/modules); the modules closed to them are left in ``request.state.closed_modules`` for the menu."""
    user: User | None = None
    kind = "anonymous"
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = org_service.user_for_token(db=db, token=auth[7:].strip())
        kind = "token"
    elif "session" in request.scope:
        user = _session_user(request, db)
        kind = "user"
        if user is not None and request.method in _WRITE_METHODS and _is_api(request) and not is_same_site(request):
            # the cookie rides along on any site's request; an API write must prove it came from our own pages
            # (web forms prove it with the token in the form, checked where the form is read)
            raise PermissionDenied(CROSS_SITE_MESSAGE, code="csrf")
    if user is None:
        set_actor(Actor(id=None, name="匿名访客", kind="anonymous", ip=client_ip(request)))
    else:
        set_actor(Actor(id=user.id, name=f"{user.name}({user.username})", kind=kind, ip=client_ip(request)))
    request.state.user = user
    request.state.closed_modules = modules.refuse_closed(db, user, route_of(request.scope))
    return user


CurrentUser = Annotated[User | None, Depends(current_user)]


_CHANNEL_USER = re.compile(r"^(wechat|webchat|wecom|rest):[A-Za-z0-9_@.\-]{1,80}$")


def channel_user(request: Request, user: CurrentUser) -> str | None:
    """The channel user a service client acts for (header ``X-Channel-User: wechat:<openid>``), if any.

    Only service clients (the bot's action server, channel adapters) may speak for a channel user.
    """
    value = request.headers.get("x-channel-user")
    if not value:
        return None
    if user is None or Permission.SERVICE_CLIENT not in user.permissions:
        raise PermissionDenied("只有服务客户端可以代表渠道用户调用接口")
    if not _CHANNEL_USER.fullmatch(value):
        raise ValidationFailed("渠道用户标识格式不正确，应为“渠道:用户标识”", field="X-Channel-User")
    return value


ChannelUser = Annotated[str | None, Depends(channel_user)]
