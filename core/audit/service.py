"""Reading the audit log, recording reads of personal data, exporting the log and keeping it for its period."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from core.audit import chain, labels, records
from core.audit.context import current_actor
from core.audit.hooks import record_event
from core.audit.models import AuditLog
from core.clock import now
from core.db import WRITE_OPTION, Base, session_scope
from core.errors import ValidationFailed
from core.events.kinds import kind_label

EXPORT_LIMIT = 100_000
"""Rows in one export; narrow the dates for more."""
PURGE_BATCH = 5000
_HASHED = re.compile(r"^(m:)?[0-9a-f]{32,}$")


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor narrows the log to; an empty field does not filter."""

    actor: str = ""
    """Part of the person's name (or login)."""
    action: str = ""
    """An action code's beginning (``case.``) or part of its Chinese name (受理)."""
    entity: str = ""
    entity_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    """Inclusive: the whole day."""

    def query(self) -> Select[Any]:
        """The records that pass the filter, unordered."""
        query = select(AuditLog)
        if actor := self.actor.strip():
            query = query.where(AuditLog.actor_name.contains(actor))
        if action := self.action.strip():
            codes = [code for code, name in labels.ACTION_NAMES.items() if action in name]
            query = query.where(AuditLog.action.startswith(action) | AuditLog.action.in_(codes))
        if entity := self.entity.strip():
            query = query.where(AuditLog.entity == entity)
        if entity_id := self.entity_id.strip():
            query = query.where(AuditLog.entity_id == entity_id)
        if self.date_from:
            query = query.where(AuditLog.at >= datetime.combine(self.date_from, time()))
        if self.date_to:
            query = query.where(AuditLog.at < datetime.combine(self.date_to + timedelta(days=1), time()))
        return query


def search(db: Session, filters: AuditFilter, *, page: int = 1, page_size: int = 50) -> tuple[list[AuditLog], int]:
    """Audit records, newest first, filtered; returns the page and the total count."""
    if page < 1 or not 1 <= page_size <= 200:
        raise ValidationFailed("页码从 1 开始，每页 1–200 条", field="page")
    query = filters.query()
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


READ_ACTION = "personal_data.read"


def record_read(
    db: Session,
    entity: str,
    entity_id: str | int,
    *,
    what: str = "",
    action: str = READ_ACTION,
    details: dict[str, Any] | None = None,
    operation: str = "read",
) -> None:
    """Records that the current actor read personal data (``what``, e.g. "申请人证件号码、电话") of one object.

    A domain with a read of its own to name (the window's applicant look-up by ID number, whose misses count
    too) gives its ``action`` and ``details`` instead of ``what``; such look-ups were recorded as events
    (``operation``) before this was the one way, and keep that so the log reads the same.

    In a transaction that will commit (a write request, a task) the record joins it; in a read-only one (a GET,
    which never commits) it is written at once in a short transaction of its own, so the read is on record
    whatever the request does next."""
    actor = current_actor()
    entry = records.Entry.of(
        actor,
        action=action,
        operation=operation,
        entity=entity,
        entity_id=str(entity_id),
        after=details if details is not None else {"内容": what},
    )
    conn = db.connection()
    if conn.get_execution_options().get(WRITE_OPTION) or not records.layer_enabled():
        if records.layer_enabled():
            records.add(conn, entry)
        else:
            db.add(AuditLog(**entry.columns()))
        return
    with session_scope() as own:
        records.add(own.connection(), entry)
    # The request's read began before that write; SQLite (WAL) would refuse it a write from that old snapshot
    # ("database is locked"), so it starts afresh. A read-only transaction never commits: nothing is lost.
    db.rollback()


@dataclass(frozen=True)
class ReadableRow:
    """One record as the audit page shows it: names, not codes; no hashes."""

    id: int
    at: datetime
    actor: str
    actor_kind: str
    ip: str
    action: str
    target: str
    changes: list[tuple[str, Any, Any, bool]]
    statement: str | None


def _shown(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name.endswith("_hash") or (isinstance(value, str) and _HASHED.match(value)):
        return "（摘要，不显示）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | dict):
        return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return value


EVENT_TABLES = {"domain_event", "notification"}
"""Tables whose ``kind`` is an event kind, shown by its Chinese name."""


def _value(entity: str, name: str, value: Any) -> Any:
    if entity in EVENT_TABLES and name == "kind" and isinstance(value, str):
        return kind_label(value)
    return _shown(name, value)


def _mapped(table: str) -> Any:
    """The model mapped to ``table``. The log names entities by table, as it records them; every domain writes
    through the audit hooks, so the audit package imports none of them (org included)."""
    return next(m.class_ for m in Base.registry.mappers if getattr(m.local_table, "name", None) == table)


def _people(db: Session, rows: list[AuditLog]) -> dict[int, str]:
    User = _mapped("user")
    ids = {r.actor_id for r in rows if r.actor_id} | {
        int(r.entity_id) for r in rows if r.entity == "user" and r.entity_id.isdigit()
    }
    if not ids:
        return {}
    return {u.id: f"{u.name}（{u.login_label}）" for u in db.scalars(select(User).where(User.id.in_(ids)))}


def readable(db: Session, rows: list[AuditLog]) -> list[ReadableRow]:
    """The records with Chinese action names, people's names and no raw hashes."""
    people = _people(db, rows)
    out = []
    for row in rows:
        actor = people.get(row.actor_id or 0) or re.sub(r"\(m:[0-9a-f]+\)$", "", row.actor_name)
        target = labels.describe(row)
        if row.entity == "user" and row.entity_id.isdigit() and int(row.entity_id) in people:
            target = f"{labels.OPERATION_NAMES.get(row.operation, row.operation)}用户 {people[int(row.entity_id)]}"
        before, after = row.before or {}, row.after or {}
        fields = list(dict.fromkeys([*before, *after]))
        changes = [
            (
                labels.field_name(row.entity, f),
                _value(row.entity, f, before.get(f)),
                _value(row.entity, f, after.get(f)),
                before.get(f) != after.get(f),
            )
            for f in fields
        ]
        out.append(
            ReadableRow(
                id=row.id,
                at=row.at,
                actor=actor,
                actor_kind=labels.ACTOR_KINDS.get(row.actor_kind, row.actor_kind),
                ip=row.ip,
                action=labels.action_name(row.action, row.entity, row.operation),
                target=target,
                changes=changes,
                statement=row.statement,
            )
        )
    return out


def export_workbook(db: Session, filters: AuditFilter) -> bytes:
    """The filtered log as an Excel workbook for the auditor, oldest first; the export itself is recorded."""
    query = filters.query().order_by(AuditLog.id)
    rows = list(db.scalars(query.limit(EXPORT_LIMIT + 1)))
    if len(rows) > EXPORT_LIMIT:
        raise ValidationFailed(f"一次最多导出 {EXPORT_LIMIT} 条，请缩小日期范围", field="date_from")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "审计日志"
    sheet.append(["序号", "时间", "操作人", "方式", "IP", "动作", "对象", "内容", "SQL 语句", "行主键", "影响行数"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, shown in zip(rows, readable(db, rows), strict=True):
        content = "；".join(f"{f}：{b} → {a}" if b != "" else f"{f}：{a}" for f, b, a, _ in shown.changes)
        sheet.append(
            [
                row.id,
                row.at,
                shown.actor,
                shown.actor_kind,
                row.ip,
                shown.action,
                shown.target,
                content[:30000],
                row.statement or "",
                "、".join(row.row_keys or [])[:30000],
                row.row_count,
            ]
        )
    for column, width in zip("ABCDEFGHIJK", (8, 20, 24, 10, 16, 22, 30, 60, 50, 20, 10), strict=True):
        sheet.column_dimensions[column].width = width
    record_read(db, "audit_log", "", what=f"导出审计日志 {len(rows)} 条")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def verify(db: Session, progress: Callable[[int, int], None] | None = None) -> chain.Verdict:
    """Checks the whole hash chain (see ``core/audit/chain.py``)."""
    return chain.verify(db.connection(), progress)


def purge_expired(db: Session, retention_days: int) -> int:
    """Deletes the oldest records, never one younger than ``retention_days``: only the run of rows from the
    start of the chain that are all older (a late-committed old row waits for its neighbours), leaving an anchor
    (the last deleted row's chain hash) so that the rest still verifies. Returns how many rows went."""
    if retention_days < 180:
        raise ValidationFailed("审计日志至少保存 180 天", field="audit_retention_days")
    cutoff = now() - timedelta(days=retention_days)
    conn = db.connection()
    head = chain.lock_head(conn)
    young = db.scalar(select(func.min(AuditLog.id)).where(AuditLog.id > head["anchor_id"], AuditLog.at >= cutoff))
    last = young - 1 if young is not None else head["last_id"]
    if last <= head["anchor_id"]:
        return 0
    anchor = db.execute(select(AuditLog.id, AuditLog.at, AuditLog.chain_hash).where(AuditLog.id == last)).one()
    removed = 0
    start = head["anchor_id"]
    while start < last:
        stop = min(start + PURGE_BATCH, last)
        result = db.execute(delete(AuditLog).where(AuditLog.id > start, AuditLog.id <= stop))
        removed += result.rowcount  # type: ignore[attr-defined]
        start = stop
    chain.save_head(conn, head | {"anchor_id": anchor.id, "anchor_hash": anchor.chain_hash, "anchor_at": anchor.at})
    record_event(
        db,
        action="audit.purge",
        entity="audit_log",
        details={"删除条数": removed, "保存天数": retention_days, "起点": anchor.id},
    )
    return removed
