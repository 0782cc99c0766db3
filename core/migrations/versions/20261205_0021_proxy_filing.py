"""proxy filing (帮办代办): a project guide files a project for an enterprise, which confirms it

``project.proxy_filer_id`` names the guide who filed the project on the enterprise's behalf (SET NULL when that
account is deleted; the audit log keeps who it was); ``project.owner_confirmed_at`` is when the enterprise, the
project's owner, confirmed the project as its own. Projects filed by their enterprise have neither.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 08:11:46.293928
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proxy_filer_id", sa.Integer(), nullable=True, comment="帮办代办：代建设单位填报的报建专员")
        )
        batch_op.add_column(
            sa.Column(
                "owner_confirmed_at", sa.DateTime(), nullable=True, comment="帮办代办：建设单位确认代办项目的时间"
            )
        )
        batch_op.create_index(batch_op.f("ix_project_proxy_filer_id"), ["proxy_filer_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_project_proxy_filer_id_user"), "user", ["proxy_filer_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_project_proxy_filer_id_user"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_project_proxy_filer_id"))
        batch_op.drop_column("owner_confirmed_at")
        batch_op.drop_column("proxy_filer_id")
