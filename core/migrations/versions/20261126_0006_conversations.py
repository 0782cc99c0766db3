"""conversations: the channels' conversation store, hand-off queue and message receipts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False, comment="wechat / webchat / rest"),
        sa.Column(
            "sender_id", sa.String(length=64), nullable=False, comment="openid, web chat session id or REST sender"
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("handoff_reason", sa.String(length=200), nullable=False),
        sa.Column("handoff_requested_at", sa.DateTime(), nullable=True),
        sa.Column("failed_turns", sa.Integer(), nullable=False, comment="连续未能回答的轮数"),
        sa.Column("unread_count", sa.Integer(), nullable=False, comment="转人工后工作人员未读的消息数"),
        sa.Column("last_user_message_at", sa.DateTime(), nullable=True, comment="微信客服消息48小时窗口"),
        sa.Column("last_activity_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["user.id"], name=op.f("fk_conversation_assigned_to_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
        sa.UniqueConstraint("channel", "sender_id", name=op.f("uq_conversation_channel")),
    )
    op.create_index(op.f("ix_conversation_assigned_to_id"), "conversation", ["assigned_to_id"])
    op.create_index(op.f("ix_conversation_last_activity_at"), "conversation", ["last_activity_at"])
    op.create_index(op.f("ix_conversation_status"), "conversation", ["status"])

    op.create_table(
        "conversation_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("author", sa.String(length=8), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("delivery_error", sa.String(length=200), nullable=False, comment="主动推送失败的原因"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_message_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["user.id"], name=op.f("fk_conversation_message_staff_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_message")),
    )
    op.create_index(op.f("ix_conversation_message_conversation_id"), "conversation_message", ["conversation_id"])

    op.create_table(
        "message_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "dedup_key", sa.String(length=128), nullable=False, comment="MsgId, or FromUserName:CreateTime for events"
        ),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True, comment="the recorded inbound message"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, comment="times the channel delivered it"),
        sa.Column("delivery", sa.String(length=8), nullable=True, comment="reply (in the callback's answer) / push"),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_message_receipt_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["conversation_message.id"],
            name=op.f("fk_message_receipt_message_id_conversation_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_receipt")),
        sa.UniqueConstraint("channel", "dedup_key", name=op.f("uq_message_receipt_channel")),
    )
    op.create_index(op.f("ix_message_receipt_conversation_id"), "message_receipt", ["conversation_id"])
    op.create_index(op.f("ix_message_receipt_status"), "message_receipt", ["status"])


def downgrade() -> None:
    op.drop_table("message_receipt")
    op.drop_table("conversation_message")
    op.drop_table("conversation")
