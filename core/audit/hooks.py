"""Turns every ORM insert, update and delete into an audit record in the same transaction.

Installed once on the Session class, so no service can forget it; importing this module also installs the
statement-level listeners (``core/audit/statements.py``) that record every other INSERT, UPDATE and DELETE.
Encrypted columns are recorded masked, secrets as ``******``.
"""

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from core.audit import records
from core.audit.context import current_actor
from core.audit.models import AuditLog
from core.clock import now

SKIP_TABLES = {"audit_log", "audit_chain", "case_number_counter"}
"""Not recorded by this hook: the audit's own tables, and the counters (their statements are recorded)."""


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
        out[attr.key] = records.masked(column.type, attr.key, value)
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
        before[attr.key] = records.masked(column.type, attr.key, hist.deleted[0] if hist.deleted else None)
        after[attr.key] = records.masked(column.type, attr.key, hist.added[0] if hist.added else None)
    return before, after


def _entity_id(obj: Any) -> str:
    identity = inspect(obj).identity
    return ",".join(str(part) for part in identity) if identity else ""


def _write(session: Session, entry: records.Entry) -> None:
    """Adds the record to the session's transaction: chained at commit, or (benchmark baseline) as an ORM row."""
    if records.layer_enabled():
        conn = session.connection()
        if records.audited(conn):
            records.add(conn, entry)
    else:
        session.add(AuditLog(**entry.columns()))


def _record(session: Session, obj: Any, operation: str, before: Any, after: Any) -> None:
    actor = current_actor()
    entry = records.Entry.of(
        actor,
        action=actor.action or f"{obj.__tablename__}.{operation}",
        operation=operation,
        entity=obj.__tablename__,
        entity_id=_entity_id(obj),
        before=before,
        after=after,
    )
    _write(session, entry)


@event.listens_for(Session, "before_flush")
def _audit_before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    inserts = session.info.setdefault("audit_inserts", [])
    for obj in list(session.new):
        if isinstance(obj, AuditLog) and records.layer_enabled():
            # an audit row added directly joins the chain like every other record
            session.expunge(obj)
            values = {c.key: getattr(obj, c.key) for c in inspect(AuditLog).column_attrs}
            for name in ("id", "prev_hash", "chain_hash"):
                values.pop(name)
            values |= {
                "at": (obj.at or now()).replace(microsecond=0),
                "ip": obj.ip or "",
                "entity_id": obj.entity_id or "",
            }
            values |= {"before": records.plain_json(obj.before), "after": records.plain_json(obj.after)}
            _write(session, records.Entry(**values))
        elif getattr(obj, "__tablename__", None) not in SKIP_TABLES:
            inserts.append(obj)
    for obj in list(session.dirty):
        if getattr(obj, "__tablename__", None) in SKIP_TABLES or not session.is_modified(obj):
            continue
        before, after = _changed(obj)
        if after:
            _record(session, obj, "update", before, after)
    for obj in list(session.deleted):
        if getattr(obj, "__tablename__", None) not in SKIP_TABLES:
            _record(session, obj, "delete", _snapshot(obj, previous=True), None)


@event.listens_for(Session, "after_flush_postexec")
def _audit_after_flush(session: Session, _ctx: UOWTransaction) -> None:
    # Inserted rows know their primary key only after the flush.
    inserts = session.info.pop("audit_inserts", [])
    for obj in inserts:
        _record(session, obj, "insert", None, _snapshot(obj, previous=False))


@event.listens_for(Session, "after_rollback")
def _audit_after_rollback(session: Session) -> None:
    session.info.pop("audit_inserts", None)


def record_event(session: Session, *, action: str, entity: str, entity_id: str = "", details: Any = None) -> None:
    """Records a business event that changes no row by itself (login, slip printed, export)."""
    actor = current_actor()
    entry = records.Entry.of(
        actor, action=action, operation="event", entity=entity, entity_id=entity_id, before=None, after=details
    )
    _write(session, entry)


from core.audit import statements as _statements  # noqa: E402, F401  (installs the statement-level listeners)
