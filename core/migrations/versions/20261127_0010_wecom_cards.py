"""wecom cards: clicks on WeCom decision cards, and the decisions waiting for the opinion replied in chat

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wecom_card_click",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=128), nullable=False, comment="卡片 task_id：c<办件>-e<事件>-u<用户>"),
        sa.Column("choice", sa.String(length=16), nullable=False, comment="agree / disagree / return"),
        sa.Column("wecom_userid", sa.String(length=64), nullable=False, comment="点击的企业微信成员 UserID"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True, comment="卡片所对应的 case.decision_needed 事件"),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False, comment="未办理的原因"),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("opinion_due_at", sa.DateTime(), nullable=True, comment="等待回复意见的截止时间"),
        sa.Column("card_status", sa.String(length=12), nullable=False, comment="卡片更新：updated / failed / 空"),
        sa.Column("card_error", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_wecom_card_click_case_id_case"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_wecom_card_click_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wecom_card_click")),
    )
    op.create_index(op.f("ix_wecom_card_click_case_id"), "wecom_card_click", ["case_id"])
    op.create_index(op.f("ix_wecom_card_click_outcome"), "wecom_card_click", ["outcome"])
    op.create_index(op.f("ix_wecom_card_click_user_id"), "wecom_card_click", ["user_id"])
    op.create_index(op.f("ix_wecom_card_click_wecom_userid"), "wecom_card_click", ["wecom_userid"])


def downgrade() -> None:
    # the indexes go with the table (MySQL will not drop an index a foreign key needs before the key)
    op.drop_table("wecom_card_click")
