"""proxy filing (帮办代办) and project documents (项目资料)

``project.proxy_filer_id`` names the project guide who filed the project on an enterprise's behalf (SET NULL when
that account is deleted; the audit log keeps who it was); ``project.owner_confirmed_at`` is when the enterprise,
the project's owner, confirmed it as its own. Projects filed by their enterprise have neither.

``project_document``: the documents a project is filed with (营业执照, 项目批文, 用地 and 规划 papers), each a
stored file like a case's material; they go with their project (CASCADE).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 08:22:59.292503
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.String(length=24),
            nullable=False,
            comment="资料类别：营业执照、项目批文、用地文件、规划文件、其他",
        ),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], name=op.f("fk_project_document_file_id_stored_file")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_document_project_id_project"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_project_document_uploaded_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_document")),
    )
    with op.batch_alter_table("project_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_document_project_id"), ["project_id"], unique=False)

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

    # dropping the table drops its index (MariaDB refuses to drop an index a foreign key needs)
    op.drop_table("project_document")
