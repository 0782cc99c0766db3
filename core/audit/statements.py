"""Audit to the statement: every INSERT, UPDATE and DELETE that reaches the database leaves one record with the
actor, the kind of statement, the table, the SQL text (values as placeholders), the keys of the rows it touched
and how many it changed — Core statements included (``update(Notification)…``, the case-number counter).

Engine-level listeners see every statement of every connection. A statement is left to the ORM hook
(``core/audit/hooks.py``, which records it with values before and after) when it is an ORM flush writing a
mapped table; the audit's own tables are never recorded; a statement that changed no row (a claim another
worker won) is not a change. Records wait beside their connection and are chained and written when its
transaction commits (``core/audit/chain.py``); a rollback — of the transaction or of a savepoint — drops them.
Statements sent with ``exec_driver_sql`` (driver-level SQL: PRAGMAs, BEGIN) bypass these listeners.
"""

import re
import weakref
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import ClauseElement, operators
from sqlalchemy.sql.dml import Delete, Insert, Update, ValuesBase
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList, TextClause

from core.audit import chain, records
from core.audit.context import current_actor
from core.db import Base

MAX_KEYS = 1000
"""Row keys listed per statement; ``row_count`` still tells the whole number."""
MAX_STATEMENT = 2000
_SESSION = "tongban_audit_session"
_PRESELECTED = "tongban_audit_preselected"
_TEXT_DML = re.compile(
    r"^\s*(insert|replace|update|delete)\s+(?:(?:ignore|low_priority|into|from)\s+)*[`\"\[]?(\w+)", re.I
)


@lru_cache
def _orm_tables() -> frozenset[str]:
    """Tables the ORM hook records with before/after when a flush writes them."""
    from core.audit.hooks import SKIP_TABLES

    names = {mapper.local_table.name for mapper in Base.registry.mappers if isinstance(mapper.local_table, Table)}
    return frozenset(names - SKIP_TABLES)


def _flushing(conn: Connection) -> bool:
    ref = conn.info.get(_SESSION)
    session = ref() if ref is not None else None
    return bool(session is not None and session._flushing)


def _kind(statement: ClauseElement) -> tuple[str, str, Table | None] | None:
    if isinstance(statement, Insert | Update | Delete):
        table = statement.table
        name = getattr(table, "name", "")
        operation = (
            "insert" if isinstance(statement, Insert) else "update" if isinstance(statement, Update) else "delete"
        )
        return operation, name, table if isinstance(table, Table) else None
    if isinstance(statement, TextClause):
        match = _TEXT_DML.match(statement.text)
        if match:
            verb = match.group(1).lower()
            return ("insert" if verb == "replace" else verb), match.group(2), Base.metadata.tables.get(match.group(2))
    return None


def _value(bind: Any) -> Any:
    return bind.effective_value if isinstance(bind, BindParameter) else bind


def _pk_values(where: Any, pk: set[str], found: dict[str, list[Any]]) -> None:
    """Collects ``pk == value`` and ``pk IN (…)`` conditions from an AND of conditions."""
    if isinstance(where, BooleanClauseList) and where.operator is operators.and_:
        for clause in where.clauses:
            _pk_values(clause, pk, found)
    elif isinstance(where, BinaryExpression):
        name = getattr(where.left, "name", None)
        if name not in pk or not isinstance(where.right, BindParameter):
            return
        value = where.right.effective_value
        if where.operator is operators.eq:
            found.setdefault(name, []).append(value)
        elif where.operator is operators.in_op and isinstance(value, list | tuple):
            found.setdefault(name, []).extend(value)


def _keys_from_where(statement: Update | Delete, table: Table) -> list[str] | None:
    pk = [c.name for c in table.primary_key.columns]
    found: dict[str, list[Any]] = {}
    if statement.whereclause is not None:
        _pk_values(statement.whereclause, set(pk), found)
    if not found:
        return None
    if len(pk) == 1:
        return [str(v) for v in found[pk[0]]]
    return [",".join(f"{name}={found[name][0]}" for name in pk if name in found)]


def _keys_from_params(table: Table, params: list[dict[str, Any]]) -> list[str] | None:
    pk = [c.name for c in table.primary_key.columns]
    if not pk or not params or any(name not in params[0] for name in pk):
        return None
    return [",".join(str(_value(p.get(name))) for name in pk) for p in params[:MAX_KEYS]]


def _insert_keys(statement: Insert, table: Table, params: list[dict[str, Any]], result: Any) -> list[str] | None:
    if params:
        return _keys_from_params(table, params)
    values: dict[str, Any] = {str(getattr(k, "name", k)): v for k, v in (statement._values or {}).items()}
    keys = _keys_from_params(table, [values]) if values else None
    if keys is not None:
        return keys
    try:
        inserted = result.inserted_primary_key
    except Exception:
        return None
    return [",".join(str(v) for v in inserted)] if inserted and None not in inserted else None


def _set_values(statement: ValuesBase, table: Table | None) -> dict[str, Any] | None:
    values = statement._values
    if not values:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = getattr(key, "name", str(key))
        column = table.c.get(name) if table is not None else None
        if isinstance(value, BindParameter):
            out[name] = records.masked(column.type if column is not None else None, name, value.effective_value)
        else:
            out[name] = "（表达式）"
    return out


@event.listens_for(Engine, "before_execute")
def _before_execute(conn: Connection, statement: Any, multiparams: Any, params: Any, execution_options: Any) -> None:
    """An UPDATE or DELETE whose WHERE does not name the rows by key: note the keys of the rows it will touch."""
    if not isinstance(statement, Update | Delete) or not records.layer_enabled():
        return
    if not records.audited(conn) or execution_options.get(records.OPT_OUT) is False:
        return
    table = statement.table
    if not isinstance(table, Table) or table.name in records.AUDIT_TABLES or not table.primary_key.columns:
        return
    if _flushing(conn) and table.name in _orm_tables():
        return
    if _keys_from_where(statement, table) is not None or multiparams:
        return
    query = select(*table.primary_key.columns).limit(MAX_KEYS)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    # the rows the statement is about to change: a locking read on MySQL sees what the UPDATE will see
    rows = conn.execute(query.with_for_update())
    conn.info[_PRESELECTED] = [",".join(str(v) for v in row) for row in rows]


@event.listens_for(Engine, "after_execute")
def _after_execute(
    conn: Connection, statement: Any, multiparams: Any, params: Any, execution_options: Any, result: Any
) -> None:
    """Records one INSERT / UPDATE / DELETE statement."""
    preselected = conn.info.pop(_PRESELECTED, None)
    if not records.layer_enabled():
        return
    kind = _kind(statement)
    if kind is None:
        return
    operation, name, table = kind
    if name in records.AUDIT_TABLES or not records.audited(conn) or execution_options.get(records.OPT_OUT) is False:
        return
    if _flushing(conn) and name in _orm_tables():
        return  # the ORM hook records this write with its values before and after
    count = getattr(result, "rowcount", -1)
    if getattr(statement, "_returning", ()) and count == 0:
        count = -1  # SQLite counts a RETURNING statement's rows only as they are read: not known yet
    if count == 0:
        return
    batch = multiparams if isinstance(multiparams, list) else [multiparams] if multiparams else []
    keys: list[str] | None = None
    after = None
    if table is not None and isinstance(statement, Insert):
        keys = _insert_keys(statement, table, batch, result)
    elif table is not None and isinstance(statement, Update | Delete):
        keys = _keys_from_where(statement, table) or preselected or _keys_from_params(table, batch)
    if isinstance(statement, ValuesBase) and not batch:
        after = _set_values(statement, table)
    context = getattr(result, "context", None)
    sql = getattr(context, "statement", None) or str(getattr(statement, "text", ""))
    actor = current_actor()
    entry = records.Entry.of(
        actor,
        action=actor.action or f"{name}.{operation}",
        operation=operation,
        entity=name,
        entity_id=keys[0] if keys and len(keys) == 1 else "",
        after=after,
        statement=sql[:MAX_STATEMENT],
        row_keys=keys[:MAX_KEYS] if keys is not None else None,
        row_count=count if count is not None and count >= 0 else None,
    )
    records.add(conn, entry)


@event.listens_for(Engine, "begin")
def _begin(conn: Connection) -> None:
    conn.info.pop(records._PENDING, None)
    conn.info.pop(_SESSION, None)


@event.listens_for(Engine, "commit")
def _commit(conn: Connection) -> None:
    entries = records.take(conn)
    if entries and records.audited(conn):
        chain.seal(conn, entries)


@event.listens_for(Engine, "rollback")
def _rollback(conn: Connection) -> None:
    # A connection lost mid-transaction (the primary restarting) is invalidated: reading its ``info`` would
    # raise "roll back first" inside this very rollback. Its records are dropped with it (``_begin`` clears them).
    if not conn.invalidated:
        records.take(conn)


@event.listens_for(Engine, "savepoint")
def _savepoint(conn: Connection, _name: str | None) -> None:
    found = records.pending(conn)
    found.marks.append(len(found.entries))


@event.listens_for(Engine, "rollback_savepoint")
def _rollback_savepoint(conn: Connection, _name: str, _context: Any) -> None:
    found = records.pending(conn)
    if found.marks:
        del found.entries[found.marks.pop() :]


@event.listens_for(Engine, "release_savepoint")
def _release_savepoint(conn: Connection, _name: str, _context: Any) -> None:
    found = records.pending(conn)
    if found.marks:
        found.marks.pop()


@event.listens_for(Session, "after_begin")
def _session_begin(session: Session, _transaction: SessionTransaction, conn: Connection) -> None:
    # lets the statement listeners tell the session's flushes (the ORM hook's) from its other statements
    conn.info[_SESSION] = weakref.ref(session)
