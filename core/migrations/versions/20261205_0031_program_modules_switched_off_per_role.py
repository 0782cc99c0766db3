"""Program modules (程序模块, seed 4.15): ``module_off`` holds one row per role and module switched off (only what
is off is stored, so an install that never switches a module behaves as before: everything on).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 14:16:19.550123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "module_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column(
            "module", sa.String(length=32), nullable=False, comment="模块编码（core/modules/registry.py MODULES）"
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_module_off_created_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_module_off_role_id_role"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_off")),
        sa.UniqueConstraint("role_id", "module", name=op.f("uq_module_off_role_id")),
    )


def downgrade() -> None:
    op.drop_table("module_off")
