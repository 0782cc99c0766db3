"""acceptance management: material templates, acceptance guidance and published item versions (issue 18, 4.13)

- ``item_template``: per item material, versions of its blank form (空白表格) and filled sample (样表), each a
  stored file; the highest version is served, older ones stay listed.
- ``service_item``: ``acceptance_checklist``, ``common_mistakes`` and ``refusal_grounds`` (受理指导 for window
  clerks, empty for existing items) and ``published_version`` (0 for existing items: not yet published as a
  version).
- ``service_item_version``: what a guide said when it was published; ``case.item_version`` the version a case was
  filed under (empty for cases filed before), so a guide changed later does not change how the case is handled.
- ``case_material.item_material_id`` becomes ON DELETE SET NULL: a material taken out of a guide leaves the cases
  that gave it with the material (its name is kept on the case) instead of making the guide impossible to edit.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 10:51:46.147162
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_COMMENT = "当前发布的指南版本号（0：尚未按版本发布）；新办件记下它"
GUIDANCE_COMMENTS = {
    "acceptance_checklist": "受理指导：窗口受理时逐项核对的要点（仅工作人员可见）",
    "common_mistakes": "受理指导：申请人常见错误",
    "refusal_grounds": "受理指导：不予受理的情形（what）及理由和依据（why）",
}


def upgrade() -> None:
    op.create_table(
        "service_item_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False, comment="发布时的指南（事项字段和材料目录）"),
        sa.Column("note", sa.String(length=200), nullable=False, comment="版本说明"),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["service_item.id"],
            name=op.f("fk_service_item_version_item_id_service_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["user.id"], name=op.f("fk_service_item_version_published_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_item_version")),
        sa.UniqueConstraint("item_id", "version", name=op.f("uq_service_item_version_item_id")),
    )
    with op.batch_alter_table("service_item_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_item_version_item_id"), ["item_id"], unique=False)

    op.create_table(
        "item_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="blank 空白表格 / sample 样表"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False, comment="本版说明"),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], name=op.f("fk_item_template_file_id_stored_file")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["service_item.id"], name=op.f("fk_item_template_item_id_service_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["item_material.id"],
            name=op.f("fk_item_template_material_id_item_material"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], name=op.f("fk_item_template_uploaded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_template")),
        sa.UniqueConstraint("material_id", "kind", "version", name=op.f("uq_item_template_material_id")),
    )
    with op.batch_alter_table("item_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_template_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_template_material_id"), ["material_id"], unique=False)

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "item_version",
                sa.Integer(),
                nullable=True,
                comment="申请时事项指南的发布版本：办件按该版本办理，指南以后的修改不影响它",
            )
        )

    with op.batch_alter_table("case_material", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_material_item_material_id_item_material"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_case_material_item_material_id_item_material"),
            "item_material",
            ["item_material_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published_version", sa.Integer(), nullable=False, server_default="0", comment=VERSION_COMMENT)
        )
        for name, comment in GUIDANCE_COMMENTS.items():
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True, comment=comment))
    item = sa.table("service_item", *(sa.column(name, sa.JSON) for name in GUIDANCE_COMMENTS))
    op.get_bind().execute(item.update().values(**{key: [] for key in GUIDANCE_COMMENTS}))
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        # MySQL's MODIFY drops a comment that is not repeated; the model has no server default
        batch_op.alter_column(
            "published_version", existing_type=sa.Integer(), server_default=None, existing_comment=VERSION_COMMENT
        )
        for name, comment in GUIDANCE_COMMENTS.items():
            batch_op.alter_column(name, existing_type=sa.JSON(), nullable=False, existing_comment=comment)


def downgrade() -> None:
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.drop_column("refusal_grounds")
        batch_op.drop_column("common_mistakes")
        batch_op.drop_column("acceptance_checklist")
        batch_op.drop_column("published_version")

    with op.batch_alter_table("case_material", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_material_item_material_id_item_material"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_case_material_item_material_id_item_material"), "item_material", ["item_material_id"], ["id"]
        )

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("item_version")

    # dropping a table drops its indexes (MySQL refuses to drop an index a foreign key needs first)
    op.drop_table("item_template")
    op.drop_table("service_item_version")
