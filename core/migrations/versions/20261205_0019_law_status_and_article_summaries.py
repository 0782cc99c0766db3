"""law status and article summaries: what the law of the day is, and which stored article text is not the original

``law`` gets its standing (``legal_status``: in_force 现行有效 / amended 已修改 / repealed 已废止; every existing
law starts in force), the date of its latest amendment and of its repeal, and ``replaced_by_id``, the law that
replaced it (SET NULL when that one is deleted). ``law_article.summary`` marks an article stored as a faithful
summary where the original wording was not at hand (shown as 摘要, never as the text of the law).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 05:03:45.028607
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("law", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "legal_status",
                sa.String(length=12),
                server_default="in_force",
                nullable=False,
                comment="效力状态（现行有效/已修改/已废止）",
            )
        )
        batch_op.add_column(sa.Column("amended_on", sa.Date(), nullable=True, comment="最近一次修改的施行日期"))
        batch_op.add_column(sa.Column("repealed_on", sa.Date(), nullable=True, comment="废止日期"))
        batch_op.add_column(
            sa.Column(
                "replaced_by_id", sa.Integer(), nullable=True, comment="替代它的法规（废止后的新法规或修改后的文本）"
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_law_replaced_by_id_law"), "law", ["replaced_by_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("law_article", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "summary",
                sa.Boolean(),
                server_default="0",
                nullable=False,
                comment="条文摘要（未收录原文时的忠实概括，非全文）",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("law_article", schema=None) as batch_op:
        batch_op.drop_column("summary")

    with op.batch_alter_table("law", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_law_replaced_by_id_law"), type_="foreignkey")
        batch_op.drop_column("replaced_by_id")
        batch_op.drop_column("repealed_on")
        batch_op.drop_column("amended_on")
        batch_op.drop_column("legal_status")
