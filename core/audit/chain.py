"""The audit log's hash chain: each row's ``chain_hash`` is a keyed hash (HMAC-SHA256, with a key derived from
the platform's secret) of its content and of the previous row's ``chain_hash``, in id order.

Appending happens at commit, under the lock of the chain head row (``SELECT … FOR UPDATE`` on MySQL; SQLite
has one writer at a time anyway): the transaction reads the last id and hash, gives its records the next ids,
chains them, writes them in one statement and moves the head. Two transactions appending at once therefore
queue on the head for the instant of their commit and never fork the chain. The head and the retention anchor
carry a keyed hash of their own, so cutting rows off either end cannot be hidden by editing them; without the
key (``TONGBAN_SECRET_KEY``) nobody can write a row, or rewrite the chain after an edited one, that verifies.
"""

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Connection

from core.audit.models import AuditChain, AuditLog
from core.audit.records import Entry
from core.settings import get_settings

GENESIS = "0" * 64
"""The ``prev_hash`` of the very first row."""
HEAD_ID = 1
CONTENT_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "actor_kind",
    "ip",
    "action",
    "operation",
    "entity",
    "entity_id",
    "before",
    "after",
    "statement",
    "row_keys",
    "row_count",
)
"""What a row's hash covers: everything but its hashes."""
VERIFY_BATCH = 5000

log_table = cast(Table, AuditLog.__table__)
head_table = cast(Table, AuditChain.__table__)


@lru_cache
def _key() -> bytes:
    secret = get_settings().secret_key.get_secret_value().encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tongban", info=b"audit-chain").derive(secret)


def _mac(text: str) -> str:
    return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def link(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The chain hash of a row (its column values, as written or as read back) after ``prev_hash``."""
    content = json.dumps(
        [_text(row[name]) for name in CONTENT_FIELDS], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return _mac(prev_hash + "\n" + content)


def head_mac(head: Mapping[str, Any]) -> str:
    """The keyed hash that seals the chain head and the anchor."""
    at = head["anchor_at"]
    parts = [head["last_id"], head["last_hash"], head["anchor_id"], head["anchor_hash"], _text(at) or ""]
    return _mac("head\n" + "|".join(str(p) for p in parts))


def lock_head(conn: Connection) -> dict[str, Any]:
    """Reads the chain head under an update lock, creating it (after the last row present) when missing."""
    found = conn.execute(select(head_table).where(head_table.c.id == HEAD_ID).with_for_update()).mappings().first()
    if found is not None:
        return dict(found)
    last = conn.execute(select(log_table.c.id, log_table.c.chain_hash).order_by(log_table.c.id.desc()).limit(1)).first()
    head: dict[str, Any] = {
        "id": HEAD_ID,
        "last_id": last.id if last else 0,
        "last_hash": last.chain_hash if last else GENESIS,
        "anchor_id": 0,
        "anchor_hash": GENESIS,
        "anchor_at": None,
    }
    head["mac"] = head_mac(head)
    conn.execute(insert(head_table).values(head))
    return head


def save_head(conn: Connection, head: dict[str, Any]) -> None:
    """Moves the chain head (already locked by ``lock_head``)."""
    head["mac"] = head_mac(head)
    values = {k: v for k, v in head.items() if k != "id"}
    conn.execute(update(head_table).where(head_table.c.id == HEAD_ID).values(values))


def seal(conn: Connection, entries: list[Entry]) -> None:
    """Chains and writes a committing transaction's records (called inside that transaction, just before COMMIT)."""
    head = lock_head(conn)
    last_id, last_hash = head["last_id"], head["last_hash"]
    rows = []
    for entry in entries:
        last_id += 1
        row = entry.columns() | {"id": last_id, "prev_hash": last_hash}
        row["chain_hash"] = last_hash = link(last_hash, row)
        rows.append(row)
    conn.execute(insert(log_table), rows)
    save_head(conn, head | {"last_id": last_id, "last_hash": last_hash})


@dataclass(frozen=True)
class Break:
    """The first broken link: the row where the chain stops verifying, when it was written, and why."""

    id: int
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class Verdict:
    """What a verification found: how many rows it checked and the first broken link, if any."""

    checked: int
    broken: Break | None


def _rows(conn: Connection, after_id: int) -> Iterator[list[dict[str, Any]]]:
    while True:
        batch = [
            dict(row)
            for row in conn.execute(
                select(log_table).where(log_table.c.id > after_id).order_by(log_table.c.id).limit(VERIFY_BATCH)
            ).mappings()
        ]
        if not batch:
            return
        yield batch
        after_id = batch[-1]["id"]


def verify(conn: Connection, progress: Callable[[int, int], None] | None = None) -> Verdict:
    """Walks the chain from its anchor to its head; ``progress(done, total)`` is called after every batch."""
    found = conn.execute(select(head_table).where(head_table.c.id == HEAD_ID)).mappings().first()
    head: dict[str, Any] = dict(found) if found is not None else {}
    if found is None:
        head = {"last_id": 0, "last_hash": GENESIS, "anchor_id": 0, "anchor_hash": GENESIS, "anchor_at": None}
        present = conn.scalar(select(func.count()).select_from(log_table)) or 0
        if present:
            first = conn.execute(select(log_table.c.id, log_table.c.at).order_by(log_table.c.id).limit(1)).one()
            return Verdict(0, Break(first.id, first.at, "哈希链的链头记录缺失"))
    elif not hmac.compare_digest(head["mac"], head_mac(head)):
        return Verdict(0, Break(head["last_id"], None, "哈希链的链头或保留起点被改动"))
    total = conn.scalar(select(func.count()).select_from(log_table).where(log_table.c.id > head["anchor_id"])) or 0
    expected_id, expected_prev = head["anchor_id"] + 1, head["anchor_hash"]
    checked = 0
    last_at: datetime | None = head["anchor_at"]
    for batch in _rows(conn, head["anchor_id"]):
        for row in batch:
            if row["id"] != expected_id:
                gap = f"第 {expected_id} 条" if row["id"] == expected_id + 1 else f"第 {expected_id}–{row['id'] - 1} 条"
                return Verdict(checked, Break(row["id"], row["at"], f"此前的{gap}记录被删除"))
            if row["prev_hash"] != expected_prev:
                return Verdict(checked, Break(row["id"], row["at"], "与前一条记录不衔接（前一条被删除或替换）"))
            if not hmac.compare_digest(row["chain_hash"] or "", link(expected_prev, row)):
                return Verdict(checked, Break(row["id"], row["at"], "记录内容被改动"))
            expected_id, expected_prev, last_at = expected_id + 1, row["chain_hash"], row["at"]
            checked += 1
        if progress is not None:
            progress(checked, total)
    if head["last_id"] != expected_id - 1 or head["last_hash"] != expected_prev:
        reason = f"最新的第 {expected_id}–{head['last_id']} 条记录被删除"
        if head["last_id"] < expected_id - 1:
            reason = "链头之后出现了未经链接的记录"
        return Verdict(checked, Break(expected_id - 1, last_at, reason))
    return Verdict(checked, None)
