"""special topics

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "special_topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False, comment="project_setup / planning / ..."),
        sa.Column("title", sa.String(length=50), nullable=False, comment="立项专项 / 规划专项 / ..."),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False, comment="流程环节，见 TopicStep"),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name=op.f("fk_special_topic_updated_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_topic")),
        sa.UniqueConstraint("code", name=op.f("uq_special_topic_code")),
    )


def downgrade() -> None:
    op.drop_table("special_topic")
