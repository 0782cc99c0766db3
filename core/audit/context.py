"""Who is acting, set once per request or task and read by the audit hook."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Actor:
    """The person or service behind a write."""

    id: int | None
    name: str
    kind: str
    ip: str = ""
    action: str = ""


SYSTEM = Actor(id=None, name="系统", kind="system")
_current: ContextVar[Actor] = ContextVar("audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    """The actor of the current request or task."""
    return _current.get()


def set_actor(actor: Actor) -> None:
    """Sets the actor for the rest of the current context."""
    _current.set(actor)


@contextmanager
def acting(actor: Actor | None = None, *, action: str | None = None) -> Iterator[Actor]:
    """Runs a block as ``actor`` (default: the current one), optionally naming the business action."""
    base = actor or _current.get()
    effective = replace(base, action=action) if action else base
    token = _current.set(effective)
    try:
        yield effective
    finally:
        _current.reset(token)
