"""data exchange with the city and provincial platforms (issue 19)

Three tables: ``exchange_record`` (one row per counterpart, record kind, local id and direction: idempotency key,
version, payload and checksum, status, attempts, next attempt, lease, last error, quarantine problems, receipt),
``exchange_counterpart_state`` (paused or not, feed cursors, last nightly batch) and ``exchange_reconciliation``
(counts and checksums per counterpart, day and kind, with the differing records). The built-in admin role gets the
new ``exchange.manage`` permission (and loses it again on downgrade).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 10:57:05.684626
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_counterpart_state",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("paused_by", sa.String(length=50), nullable=False),
        sa.Column("pause_reason", sa.String(length=200), nullable=False),
        sa.Column("cursors", sa.JSON(), nullable=False, comment="各接收类型及回执读到的位置"),
        sa.Column("last_batch_on", sa.Date(), nullable=True, comment="最近一次夜间批量的日期"),
        sa.Column("last_reconciled_on", sa.Date(), nullable=True, comment="最近一次对账的业务日期"),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_exchange_counterpart_state")),
    )
    op.create_table(
        "exchange_reconciliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counterpart", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("our_count", sa.Integer(), nullable=False),
        sa.Column("their_count", sa.Integer(), nullable=False),
        sa.Column("our_checksum", sa.String(length=64), nullable=False),
        sa.Column("their_checksum", sa.String(length=64), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("differences", sa.JSON(), nullable=False, comment="不一致的记录"),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_reconciliation")),
        sa.UniqueConstraint("counterpart", "day", "kind", name=op.f("uq_exchange_reconciliation_counterpart")),
    )
    with op.batch_alter_table("exchange_reconciliation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_reconciliation_counterpart"), ["counterpart"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchange_reconciliation_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchange_reconciliation_matched"), ["matched"], unique=False)

    op.create_table(
        "exchange_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counterpart", sa.String(length=16), nullable=False, comment="对方平台编码，如 gov_service"),
        sa.Column("kind", sa.String(length=24), nullable=False, comment="记录类型，如 case / step / approval"),
        sa.Column("local_id", sa.String(length=64), nullable=False, comment="本方记录编号（接收的记录为对方编号）"),
        sa.Column("direction", sa.String(length=3), nullable=False, comment="out 上报 / in 接收"),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False, comment="幂等键：对方据此去重"),
        sa.Column("version", sa.Integer(), nullable=False, comment="本地记录变化一次加一"),
        sa.Column("payload", sa.JSON(), nullable=False, comment="按对方字段生成的记录（重试原样发送）"),
        sa.Column("checksum", sa.String(length=64), nullable=False, comment="payload 的 SHA-256"),
        sa.Column("business_day", sa.Date(), nullable=False, comment="记录变化的日期（对账按日）"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True, comment="最早何时（再）发送"),
        sa.Column("locked_until", sa.DateTime(), nullable=True, comment="发送中：租约到期时间"),
        sa.Column("lease", sa.String(length=32), nullable=False, comment="持有租约的发送批次（写回结果时核对）"),
        sa.Column("last_error", sa.String(length=500), nullable=False, comment="最近一次失败或隔离的原因（中文）"),
        sa.Column("problems", sa.JSON(), nullable=False, comment="接收记录逐字段校验的问题"),
        sa.Column("outcome", sa.String(length=300), nullable=False, comment="接收记录的处理结果"),
        sa.Column("receipt", sa.String(length=128), nullable=False, comment="对方回执编号"),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_record")),
        sa.UniqueConstraint(
            "counterpart", "kind", "local_id", "direction", name=op.f("uq_exchange_record_counterpart")
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_exchange_record_idempotency_key")),
    )
    with op.batch_alter_table("exchange_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_record_counterpart_business_day", ["counterpart", "business_day"], unique=False
        )
        batch_op.create_index("ix_exchange_record_counterpart_status", ["counterpart", "status"], unique=False)
        batch_op.create_index("ix_exchange_record_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)

    _role_permissions(remove=False)


def downgrade() -> None:
    _role_permissions(remove=True)
    with op.batch_alter_table("exchange_record", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_record_status_next_attempt_at")
        batch_op.drop_index("ix_exchange_record_counterpart_status")
        batch_op.drop_index("ix_exchange_record_counterpart_business_day")

    op.drop_table("exchange_record")
    with op.batch_alter_table("exchange_reconciliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_reconciliation_matched"))
        batch_op.drop_index(batch_op.f("ix_exchange_reconciliation_day"))
        batch_op.drop_index(batch_op.f("ix_exchange_reconciliation_counterpart"))

    op.drop_table("exchange_reconciliation")
    op.drop_table("exchange_counterpart_state")


NEW_PERMISSIONS = {"admin": {"exchange.manage"}}
"""Permissions this revision introduces, by built-in role, for databases seeded before it."""


def _role_permissions(*, remove: bool) -> None:
    role = sa.table("role", sa.column("code", sa.String), sa.column("permissions", sa.JSON))
    conn = op.get_bind()
    for code, permissions in NEW_PERMISSIONS.items():
        row = conn.execute(sa.select(role.c.permissions).where(role.c.code == code)).first()
        if row is None:
            continue
        current = set(row[0] or [])
        wanted = current - permissions if remove else current | permissions
        conn.execute(role.update().where(role.c.code == code).values(permissions=sorted(wanted)))
