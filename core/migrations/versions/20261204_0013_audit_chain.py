"""audit to the statement: statement-level records, hash chain, separation of duties

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 12:00:00.000000

The audit log gains the statement columns (SQL text, row keys, row count) and the hash chain (``prev_hash``,
``chain_hash``), and the chain head ``audit_chain``. The rows already there are chained here, in id order, with
the same keyed hash the platform uses from now on (core/audit/chain.py), so ``tongban audit-verify`` covers the
whole log and not only what was written after the upgrade. 三员分立: the security administrator and auditor
roles are added, and the system administrator no longer reads the audit log.
"""

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.settings import get_settings

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
BATCH = 2000
FIELDS = (
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

audit_log = sa.table(
    "audit_log",
    *(sa.column(name) for name in FIELDS if name not in ("at", "before", "after", "row_keys")),
    sa.column("at", sa.DateTime()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("row_keys", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("chain_hash", sa.String()),
)
audit_chain = sa.table(
    "audit_chain",
    sa.column("id", sa.Integer()),
    sa.column("last_id", sa.Integer()),
    sa.column("last_hash", sa.String()),
    sa.column("anchor_id", sa.Integer()),
    sa.column("anchor_hash", sa.String()),
    sa.column("anchor_at", sa.DateTime()),
    sa.column("mac", sa.String()),
)


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _chain_existing_rows() -> dict[str, Any]:
    """Chains the rows already in the log; returns the head after the last one."""
    secret = get_settings().secret_key.get_secret_value().encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tongban", info=b"audit-chain").derive(secret)
    conn = op.get_bind()
    last_id, last_hash = 0, GENESIS
    while True:
        rows = list(
            conn.execute(
                sa.select(audit_log).where(audit_log.c.id > last_id).order_by(audit_log.c.id).limit(BATCH)
            ).mappings()
        )
        if not rows:
            break
        updates = []
        for row in rows:
            content = json.dumps(
                [_text(row[name]) for name in FIELDS], ensure_ascii=False, sort_keys=True, separators=(",", ":")
            )
            chained = _mac(key, last_hash + "\n" + content)
            updates.append({"row_id": row["id"], "prev": last_hash, "hash": chained})
            last_id, last_hash = row["id"], chained
        conn.execute(
            audit_log.update()
            .where(audit_log.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), chain_hash=sa.bindparam("hash")),
            updates,
        )
    head: dict[str, Any] = {"id": 1, "last_id": last_id, "last_hash": last_hash, "anchor_id": 0}
    head |= {"anchor_hash": GENESIS, "anchor_at": None}
    parts = [head["last_id"], head["last_hash"], head["anchor_id"], head["anchor_hash"], ""]
    head["mac"] = _mac(key, "head\n" + "|".join(str(p) for p in parts))
    return head


role = sa.table(
    "role",
    sa.column("id", sa.Integer()),
    sa.column("code", sa.String()),
    sa.column("name", sa.String()),
    sa.column("permissions", sa.JSON()),
    sa.column("data_scope", sa.String()),
    sa.column("description", sa.Text()),
    sa.column("created_at", sa.DateTime()),
)
user_role = sa.table("user_role", sa.column("role_id", sa.Integer()))
NEW_ROLES = [
    ("security", "安全管理员", ["security.manage"], "分配角色与权限、安全设置、解锁账号（三员分立：不能给自己授权）"),
    ("auditor", "审计员", ["audit.read"], "查看和导出审计日志（三员分立：只读）"),
]
DUTIES_OF_OTHERS = {"audit.read", "security.manage"}


def _separate_duties() -> None:
    """In a database with the built-in roles: the system administrator gives up reading the audit log, and the
    security administrator and auditor roles are added (assigned to nobody yet: a security administrator must be
    appointed with ``tongban create-admin``-style tooling or by the seed)."""
    conn = op.get_bind()
    admin = conn.execute(sa.select(role.c.id, role.c.permissions).where(role.c.code == "admin")).first()
    if admin is None:
        return
    kept = sorted(p for p in admin.permissions or [] if p not in DUTIES_OF_OTHERS)
    conn.execute(role.update().where(role.c.id == admin.id).values(permissions=kept))
    existing = set(conn.scalars(sa.select(role.c.code)))
    for code, name, permissions, description in NEW_ROLES:
        if code not in existing:
            values = {"code": code, "name": name, "permissions": permissions, "data_scope": "all"}
            values |= {"description": description, "created_at": datetime.now().replace(microsecond=0)}
            conn.execute(role.insert().values(values))


def _merge_duties_back() -> None:
    conn = op.get_bind()
    ids = list(conn.scalars(sa.select(role.c.id).where(role.c.code.in_([c for c, *_ in NEW_ROLES]))))
    if ids:
        conn.execute(user_role.delete().where(user_role.c.role_id.in_(ids)))
        conn.execute(role.delete().where(role.c.id.in_(ids)))
    admin = conn.execute(sa.select(role.c.id, role.c.permissions).where(role.c.code == "admin")).first()
    if admin is not None:
        permissions = sorted({*(admin.permissions or []), "audit.read"})
        conn.execute(role.update().where(role.c.id == admin.id).values(permissions=permissions))


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column(
            "operation",
            existing_type=sa.String(length=8),
            existing_nullable=False,
            comment="insert / update / delete / event / read",
            existing_comment="insert / update / delete / event",
        )
        batch.add_column(
            sa.Column(
                "statement",
                sa.Text(),
                nullable=True,
                comment="SQL 语句（参数以占位符表示）；为空表示对象写入或业务事件",
            )
        )
        batch.add_column(sa.Column("row_keys", sa.JSON(), nullable=True, comment="语句涉及的行主键"))
        batch.add_column(sa.Column("row_count", sa.Integer(), nullable=True, comment="语句影响的行数"))
        batch.add_column(
            sa.Column(
                "prev_hash", sa.String(length=64), nullable=False, server_default="", comment="前一条记录的链哈希"
            )
        )
        batch.add_column(
            sa.Column(
                "chain_hash",
                sa.String(length=64),
                nullable=False,
                server_default="",
                comment="本条记录内容与前一条链哈希的带密钥哈希",
            )
        )
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column(
            "prev_hash", server_default=None, existing_type=sa.String(length=64), existing_nullable=False
        )
        batch.alter_column(
            "chain_hash", server_default=None, existing_type=sa.String(length=64), existing_nullable=False
        )
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False, comment="链上最后一条审计记录的 id"),
        sa.Column("last_hash", sa.String(length=64), nullable=False, comment="链上最后一条审计记录的链哈希"),
        sa.Column("anchor_id", sa.Integer(), nullable=False, comment="已按保存期限删除的最后一条记录的 id"),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False, comment="已删除的最后一条记录的链哈希（起点）"),
        sa.Column("anchor_at", sa.DateTime(), nullable=True, comment="已删除的最后一条记录的时间"),
        sa.Column("mac", sa.String(length=64), nullable=False, comment="以上各值的带密钥哈希（防止改动链头或起点）"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    op.bulk_insert(audit_chain, [_chain_existing_rows()])
    _separate_duties()


def downgrade() -> None:
    _merge_duties_back()
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("chain_hash")
        batch.drop_column("prev_hash")
        batch.drop_column("row_count")
        batch.drop_column("row_keys")
        batch.drop_column("statement")
        batch.alter_column(
            "operation",
            existing_type=sa.String(length=8),
            existing_nullable=False,
            comment="insert / update / delete / event",
            existing_comment="insert / update / delete / event / read",
        )
