"""Turns every ORM insert, update and delete into an audit record in the same transaction.

Installed once on the Session class, so no service can forget it. Encrypted columns are recorded masked.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from core.audit.context import current_actor
from core.audit.models import AuditLog
from core.clock import now
from core.security import EncryptedString

_SKIP_TABLES = {"audit_log", "case_number_counter"}
_SECRET_COLUMNS = {"password_hash", "token_hash", "query_code_hash"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _masked(column_type: Any, name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _SECRET_COLUMNS:
        return "******"
    if isinstance(column_type, EncryptedString):
        text = str(value)
        return text[:3] + "****" + text[-2:] if len(text) > 5 else "****"
    return _plain(value)


def _snapshot(obj: Any, *, previous: bool) -> dict[str, Any]:
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        hist = state.attrs[attr.key].history
        if previous:
            value = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
        else:
            value = getattr(obj, attr.key)
        out[attr.key] = _masked(column.type, attr.key, value)
    return out


def _changed(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        column = attr.columns[0]
        before[attr.key] = _masked(column.type, attr.key, hist.deleted[0] if hist.deleted else None)
        after[attr.key] = _masked(column.type, attr.key, hist.added[0] if hist.added else None)
    return before, after


def _entity_id(obj: Any) -> str:
    identity = inspect(obj).identity
    return ",".join(str(part) for part in identity) if identity else ""


def _record(session: Session, obj: Any, operation: str, before: Any, after: Any) -> None:
    actor = current_actor()
    session.add(
        AuditLog(
            at=now(),
            actor_id=actor.id,
            actor_name=actor.name[:64],
            actor_kind=actor.kind,
            ip=actor.ip,
            action=actor.action or f"{obj.__tablename__}.{operation}",
            operation=operation,
            entity=obj.__tablename__,
            entity_id=_entity_id(obj),
            before=before,
            after=after,
        )
    )


@event.listens_for(Session, "before_flush")
def _audit_before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    inserts = session.info.setdefault("audit_inserts", [])
    for obj in list(session.new):
        if getattr(obj, "__tablename__", None) not in _SKIP_TABLES:
            inserts.append(obj)
    for obj in list(session.dirty):
        if getattr(obj, "__tablename__", None) in _SKIP_TABLES or not session.is_modified(obj):
            continue
        before, after = _changed(obj)
        if after:
            _record(session, obj, "update", before, after)
    for obj in list(session.deleted):
        if getattr(obj, "__tablename__", None) not in _SKIP_TABLES:
            _record(session, obj, "delete", _snapshot(obj, previous=True), None)


@event.listens_for(Session, "after_flush_postexec")
def _audit_after_flush(session: Session, _ctx: UOWTransaction) -> None:
    # Inserted rows know their primary key only after the flush; their audit rows follow in the next one.
    inserts = session.info.pop("audit_inserts", [])
    for obj in inserts:
        _record(session, obj, "insert", None, _snapshot(obj, previous=False))


@event.listens_for(Session, "after_rollback")
def _audit_after_rollback(session: Session) -> None:
    session.info.pop("audit_inserts", None)


def record_event(session: Session, *, action: str, entity: str, entity_id: str = "", details: Any = None) -> None:
    """Records a business event that changes no row by itself (login, slip printed, export)."""
    actor = current_actor()
    session.add(
        AuditLog(
            at=now(),
            actor_id=actor.id,
            actor_name=actor.name[:64],
            actor_kind=actor.kind,
            ip=actor.ip,
            action=action,
            operation="event",
            entity=entity,
            entity_id=entity_id,
            before=None,
            after=details,
        )
    )
