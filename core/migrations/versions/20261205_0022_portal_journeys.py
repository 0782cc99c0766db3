"""portal journeys: bundle applications (一件事), form keys, pending uploads, withdrawal

``case_bundle`` is one 一件事 application: the cases of its items are created together and point to it
(``case.bundle_id``). ``case_submission`` keeps each application form's key (幂等键), so that a form sent twice (a
refresh of the page after it, a double click) files one case. ``pending_upload`` keeps the files chosen on a form
that came back with an error, shown as attached when it is sent again. ``case.withdrawn_at`` is when the applicant
withdrew (撤回) an application before acceptance (status ``withdrawn``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 07:46:06.002567
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_bundle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_ref", sa.Integer(), nullable=False, comment="知识库中一件事主题的编号（主题改名后仍可追溯）"),
        sa.Column("theme", sa.String(length=100), nullable=False, comment="申请时的主题名称"),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicant.id"], name=op.f("fk_case_bundle_applicant_id_applicant")),
        sa.ForeignKeyConstraint(["owner_user_id"], ["user.id"], name=op.f("fk_case_bundle_owner_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_bundle")),
    )
    with op.batch_alter_table("case_bundle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_bundle_applicant_id"), ["applicant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_bundle_owner_user_id"), ["owner_user_id"], unique=False)

    op.create_table(
        "pending_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False, comment="表单中的材料位置（事项材料编号）"),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], name=op.f("fk_pending_upload_file_id_stored_file")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_pending_upload_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_upload")),
        sa.UniqueConstraint("user_id", "form_key", "slot", name=op.f("uq_pending_upload_user_id")),
    )
    with op.batch_alter_table("pending_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_upload_user_id"), ["user_id"], unique=False)

    op.create_table(
        "case_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=64), nullable=False, comment="表单打开时生成的随机键"),
        sa.Column("case_id", sa.Integer(), nullable=True, comment="单项申报创建的办件"),
        sa.Column("bundle_id", sa.Integer(), nullable=True, comment="一件事申请"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"], ["case_bundle.id"], name=op.f("fk_case_submission_bundle_id_case_bundle")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_case_submission_case_id_case")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_case_submission_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_submission")),
        sa.UniqueConstraint("user_id", "form_key", name=op.f("uq_case_submission_user_id")),
    )
    with op.batch_alter_table("case_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_submission_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bundle_id", sa.Integer(), nullable=True, comment="所属一件事申请：同一张表单一次创建的办件")
        )
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True, comment="申请人撤回时间（受理前）"))
        batch_op.create_index(batch_op.f("ix_case_bundle_id"), ["bundle_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_case_bundle_id_case_bundle"), "case_bundle", ["bundle_id"], ["id"])


def downgrade() -> None:
    # dropping a table drops its indexes (MariaDB refuses to drop one a foreign key still needs)
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_bundle_id_case_bundle"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_bundle_id"))
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("bundle_id")

    op.drop_table("case_submission")
    op.drop_table("pending_upload")
    op.drop_table("case_bundle")
