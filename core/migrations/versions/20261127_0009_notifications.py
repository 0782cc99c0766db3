"""notifications: outbox rows, delivery attempts, in-site inbox, WeCom cards

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "idempotency_key",
            sa.String(length=191),
            nullable=False,
            comment="事件 + 接收人 + 渠道；同一事件不会两次通知同一人同一渠道",
        ),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False, comment="事件类型，如 case.accepted"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False, comment="inbox / wecom / wechat"),
        sa.Column("address", sa.String(length=90), nullable=False, comment="企业微信 UserID 或公众号 openid"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False, comment="发给渠道的消息（每次重试原样发送）"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("provider_msg_id", sa.String(length=128), nullable=False, comment="渠道返回的消息编号"),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True, comment="最早何时（再）发送"),
        sa.Column(
            "locked_until", sa.DateTime(), nullable=True, comment="发送中：租约到期时间；待发送：已排队任务的宽限期"
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True, comment="站内消息已读时间"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["domain_event.id"], name=op.f("fk_notification_event_id_domain_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicant.id"], name=op.f("fk_notification_applicant_id_applicant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_idempotency_key")),
    )
    op.create_index(op.f("ix_notification_event_id"), "notification", ["event_id"])
    op.create_index(op.f("ix_notification_kind"), "notification", ["kind"])
    op.create_index(op.f("ix_notification_applicant_id"), "notification", ["applicant_id"])
    op.create_index(op.f("ix_notification_channel"), "notification", ["channel"])
    op.create_index(op.f("ix_notification_status_next_attempt_at"), "notification", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_notification_user_id_channel"), "notification", ["user_id", "channel"])


def downgrade() -> None:
    # Dropping the table drops its indexes (MySQL refuses to drop one a foreign key still uses).
    op.drop_table("notification")
