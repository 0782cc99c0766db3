"""project invitations: a guide files for an enterprise that has no portal account yet (帮办代办)

``project.invited_login`` is the login name the enterprise's account will have once it registers with the mobile
number the guide gave (the same keyed hash of the number that ``user.username`` holds, so the clear number is
not needed to match them); ``project.invited_phone`` keeps that number encrypted, to show it masked and to text
the invitation again. Both are empty for every other project; the project joins the account at its first
sign-in and the enterprise then confirms it as before.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "invited_login",
                sa.String(length=50),
                nullable=True,
                comment="帮办代办：尚未注册的建设单位将来的登录名（手机号的带密钥摘要）",
            )
        )
        batch_op.add_column(
            sa.Column(
                "invited_phone", sa.String(length=255), nullable=True, comment="帮办代办：邀请注册的手机号（加密）"
            )
        )
        batch_op.create_index(batch_op.f("ix_project_invited_login"), ["invited_login"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_invited_login"))
        batch_op.drop_column("invited_phone")
        batch_op.drop_column("invited_login")
