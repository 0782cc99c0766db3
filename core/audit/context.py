"""Who is acting, set once per request or task and read by the audit hook.

FastAPI runs sync dependencies and endpoints in worker threads, each with a *copy* of the request's
context, so a value set in one of them would not be seen by the next. A request therefore gets a mutable
slot (installed by ``AuditContextMiddleware`` in the request's own context); copies share the slot, so the
actor the auth dependency puts there is the one the endpoint's writes are recorded under.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(frozen=True)
class Actor:
    """The person or service behind a write."""

    id: int | None
    name: str
    kind: str
    ip: str = ""
    action: str = ""


SYSTEM = Actor(id=None, name="系统", kind="system")


@dataclass
class _Slot:
    actor: Actor


_slot: ContextVar[_Slot | None] = ContextVar("audit_slot", default=None)
_override: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


def current_actor() -> Actor:
    """The actor of the current block (``acting``), request or task."""
    actor = _override.get()
    if actor is not None:
        return actor
    slot = _slot.get()
    return slot.actor if slot is not None else SYSTEM


def set_actor(actor: Actor) -> None:
    """Sets the actor for the rest of the current request (or context, outside requests)."""
    slot = _slot.get()
    if slot is not None:
        slot.actor = actor
    else:
        _override.set(actor)


@contextmanager
def acting(actor: Actor | None = None, *, action: str | None = None) -> Iterator[Actor]:
    """Runs a block as ``actor`` (default: the current one), optionally naming the business action."""
    base = actor or current_actor()
    effective = replace(base, action=action) if action else base
    token = _override.set(effective)
    try:
        yield effective
    finally:
        _override.reset(token)


class AuditContextMiddleware:
    """Gives every HTTP request its own actor slot (anonymous until the auth dependency fills it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # the request starts clean even where the server's context carries an actor from elsewhere
        token = _slot.set(_Slot(Actor(id=None, name="匿名访客", kind="anonymous")))
        cleared = _override.set(None)
        try:
            await self.app(scope, receive, send)
        finally:
            _override.reset(cleared)
            _slot.reset(token)
