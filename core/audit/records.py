"""Audit records waiting for their transaction's commit, and how values are written into them.

Every audit record (an ORM write with before/after, a SQL statement, a business event, a read of personal data)
is kept beside the database connection of its transaction and written when that transaction commits, chained
under the chain head's lock (``core/audit/chain.py``): one lock and one multi-row insert per transaction, and
nothing written between a statement and what it returns (MySQL's ``LAST_INSERT_ID()`` stays the caller's). A
rolled-back transaction or savepoint drops its records with its writes.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from core.audit.context import Actor
from core.clock import now
from core.security import EncryptedString

SECRET_COLUMNS = {"password_hash", "token_hash", "query_code_hash", "totp_secret", "recovery_codes", "code_hash"}
"""Columns recorded as ``******`` whatever their value."""
AUDIT_TABLES = {"audit_log", "audit_chain"}
"""The audit's own tables: their writes are not audited (the chain is their record)."""
OPT_OUT = "tongban_audit"
"""Execution option: ``False`` on a connection (migrations, the tests' table clean-up) records none of its
statements."""
_PENDING = "tongban_audit_pending"

_layer_enabled = True


def layer_enabled() -> bool:
    """True when statement-level records and the hash chain are on (always, outside the benchmark)."""
    return _layer_enabled


def enable_layer(enabled: bool) -> None:
    """Turns statement-level records and the hash chain on or off; only ``bench/audit_overhead.py`` turns them
    off, to measure what they cost (the ORM hook then writes its rows through the session as it used to)."""
    global _layer_enabled
    _layer_enabled = enabled


@dataclass
class Entry:
    """One audit record before it is chained and written."""

    at: datetime
    actor_id: int | None
    actor_name: str
    actor_kind: str
    ip: str
    action: str
    operation: str
    entity: str
    entity_id: str = ""
    before: Any = None
    after: Any = None
    statement: str | None = None
    row_keys: list[str] | None = None
    row_count: int | None = None

    @classmethod
    def of(cls, actor: Actor, *, action: str, operation: str, entity: str, **values: Any) -> "Entry":
        """An entry by ``actor`` now; text cut to its column's length, values made plain JSON (as read back)."""
        return cls(
            at=now().replace(microsecond=0),  # MySQL's DATETIME keeps whole seconds; the hash must match
            actor_id=actor.id,
            actor_name=actor.name[:64],
            actor_kind=actor.kind[:12],
            ip=actor.ip[:45],
            action=action[:64],
            operation=operation[:8],
            entity=entity[:40],
            entity_id=str(values.pop("entity_id", ""))[:40],
            before=plain_json(values.pop("before", None)),
            after=plain_json(values.pop("after", None)),
            **values,
        )

    def columns(self) -> dict[str, Any]:
        """The values of the audit_log columns (without id and hashes)."""
        return dict(self.__dict__)


def plain_json(value: Any) -> Any:
    """The value as JSON gives it back: tuples become lists, dates text, keys text."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def plain(value: Any) -> Any:
    """A column value as the audit log shows it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} 字节>"
    return value


def masked(column_type: Any, name: str, value: Any) -> Any:
    """A column value with secrets hidden and encrypted personal data masked."""
    if value is None:
        return None
    if name in SECRET_COLUMNS:
        return "******"
    if isinstance(column_type, EncryptedString):
        text = str(value)
        return text[:3] + "****" + text[-2:] if len(text) > 5 else "****"
    return plain(value)


@dataclass
class Pending:
    """The records of one transaction on one connection, with a mark per open savepoint."""

    entries: list[Entry] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)


def pending(conn: Connection) -> Pending:
    """The records waiting for this connection's transaction to commit."""
    found = conn.info.get(_PENDING)
    if found is None:
        found = conn.info[_PENDING] = Pending()
    return found


def take(conn: Connection) -> list[Entry]:
    """Removes and returns the connection's waiting records."""
    found = conn.info.pop(_PENDING, None)
    return found.entries if found is not None else []


def add(conn: Connection, entry: Entry) -> None:
    """Adds a record to the connection's transaction."""
    pending(conn).entries.append(entry)


def audited(conn: Connection) -> bool:
    """False on connections that opted out (migrations, the tests' clean-up)."""
    return bool(conn.get_execution_options().get(OPT_OUT, True))
