"""审管衔接: push configuration, approval pushes, claims, feedback, escalations, item comparison

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False, comment="推送的审批结果字段"),
        sa.Column("note", sa.Text(), nullable=False, comment="推送说明，随推送一并发送"),
        sa.Column("claim_days", sa.Integer(), nullable=True, comment="认领时限（工作日），空则用系统默认"),
        sa.Column("feedback_days", sa.Integer(), nullable=True, comment="反馈时限（工作日），空则用系统默认"),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_item_id"], ["service_item.id"], name=op.f("fk_supervision_config_service_item_id_service_item")
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name=op.f("fk_supervision_config_updated_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_config")),
        sa.UniqueConstraint("service_item_id", name=op.f("uq_supervision_config_service_item_id")),
    )
    op.create_table(
        "supervision_config_department",
        sa.Column("config_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["config_id"],
            ["supervision_config.id"],
            name=op.f("fk_supervision_config_department_config_id_supervision_config"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_supervision_config_department_department_id_department")
        ),
        sa.PrimaryKeyConstraint("config_id", "department_id", name=op.f("pk_supervision_config_department")),
    )
    op.create_table(
        "supervision_push",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=True),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("approving_department_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False, comment="监管部门"),
        sa.Column("case_no", sa.String(length=20), nullable=False),
        sa.Column("licence_no", sa.String(length=40), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False, comment="持证主体（个人姓名已脱敏）"),
        sa.Column("result", sa.JSON(), nullable=False, comment="推送时的审批结果快照"),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, comment="pushed / claimed / fed_back"),
        sa.Column("pushed_at", sa.DateTime(), nullable=False),
        sa.Column("claim_days", sa.Integer(), nullable=False),
        sa.Column("feedback_days", sa.Integer(), nullable=False),
        sa.Column("claim_due_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_by_name", sa.String(length=50), nullable=False),
        sa.Column("feedback_due_at", sa.DateTime(), nullable=True),
        sa.Column("fed_back_at", sa.DateTime(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False, comment="当前阶段已催办到的级别"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approving_department_id"],
            ["department.id"],
            name=op.f("fk_supervision_push_approving_department_id_department"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_supervision_push_case_id_case")),
        sa.ForeignKeyConstraint(["claimed_by_id"], ["user.id"], name=op.f("fk_supervision_push_claimed_by_id_user")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_supervision_push_department_id_department")
        ),
        sa.ForeignKeyConstraint(["licence_id"], ["licence.id"], name=op.f("fk_supervision_push_licence_id_licence")),
        sa.ForeignKeyConstraint(
            ["service_item_id"], ["service_item.id"], name=op.f("fk_supervision_push_service_item_id_service_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_push")),
        sa.UniqueConstraint("case_id", "department_id", name=op.f("uq_supervision_push_case_id")),
    )
    op.create_index(
        op.f("ix_supervision_push_approving_department_id"), "supervision_push", ["approving_department_id"]
    )
    op.create_index(op.f("ix_supervision_push_case_id"), "supervision_push", ["case_id"])
    op.create_index(op.f("ix_supervision_push_department_id"), "supervision_push", ["department_id"])
    op.create_index(op.f("ix_supervision_push_pushed_at"), "supervision_push", ["pushed_at"])
    op.create_index(op.f("ix_supervision_push_service_item_id"), "supervision_push", ["service_item_id"])
    op.create_index(op.f("ix_supervision_push_status"), "supervision_push", ["status"])
    op.create_table(
        "supervision_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("push_id", sa.Integer(), nullable=False),
        sa.Column("inspected", sa.Boolean(), nullable=False, comment="是否已开展检查"),
        sa.Column("inspected_on", sa.Date(), nullable=True, comment="检查日期"),
        sa.Column("problems_found", sa.Boolean(), nullable=False, comment="是否发现问题"),
        sa.Column("problems", sa.Text(), nullable=False, comment="发现的问题"),
        sa.Column("measures", sa.Text(), nullable=False, comment="采取的措施"),
        sa.Column("attachment_ids", sa.JSON(), nullable=False, comment="附件（上传文件编号）"),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("handler_name", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["handler_id"], ["user.id"], name=op.f("fk_supervision_feedback_handler_id_user")),
        sa.ForeignKeyConstraint(
            ["push_id"],
            ["supervision_push.id"],
            name=op.f("fk_supervision_feedback_push_id_supervision_push"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_feedback")),
        sa.UniqueConstraint("push_id", name=op.f("uq_supervision_feedback_push_id")),
    )
    op.create_table(
        "supervision_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("push_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False, comment="claim 未认领 / feedback 未反馈"),
        sa.Column("level", sa.Integer(), nullable=False, comment="1 催办本部门 / 2 报告领导"),
        sa.Column("due_at", sa.DateTime(), nullable=False, comment="超过的时限"),
        sa.Column("escalated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_supervision_escalation_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["push_id"],
            ["supervision_push.id"],
            name=op.f("fk_supervision_escalation_push_id_supervision_push"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_escalation")),
        sa.UniqueConstraint("push_id", "stage", "level", name=op.f("uq_supervision_escalation_push_id")),
    )
    op.create_index(op.f("ix_supervision_escalation_department_id"), "supervision_escalation", ["department_id"])
    op.create_index(op.f("ix_supervision_escalation_escalated_at"), "supervision_escalation", ["escalated_at"])
    op.create_index(op.f("ix_supervision_escalation_push_id"), "supervision_escalation", ["push_id"])
    op.create_table(
        "item_comparison",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "source", sa.String(length=16), nullable=False, comment="supervision 监管方 / city_platform 市级平台"
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sheet_name", sa.String(length=100), nullable=False),
        sa.Column("their_count", sa.Integer(), nullable=False),
        sa.Column("our_count", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("only_ours", sa.Integer(), nullable=False),
        sa.Column("only_theirs", sa.Integer(), nullable=False),
        sa.Column("differing", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_name", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], name=op.f("fk_item_comparison_uploaded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_comparison")),
    )
    op.create_table(
        "item_comparison_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comparison_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False, comment="only_ours / only_theirs / different"),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("matched_by", sa.String(length=8), nullable=False, comment="code 按编码 / name 按名称"),
        sa.Column("sheet_row", sa.Integer(), nullable=True, comment="对方表格中的行号"),
        sa.Column("service_item_id", sa.Integer(), nullable=True, comment="我方事项编号（报告保留历史，不设外键）"),
        sa.Column("differences", sa.JSON(), nullable=False, comment="逐项差异：field、label、ours、theirs"),
        sa.ForeignKeyConstraint(
            ["comparison_id"],
            ["item_comparison.id"],
            name=op.f("fk_item_comparison_row_comparison_id_item_comparison"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_comparison_row")),
    )
    op.create_index(op.f("ix_item_comparison_row_comparison_id"), "item_comparison_row", ["comparison_id"])


def downgrade() -> None:
    # dropping a table drops its indexes; MySQL refuses to drop an index a foreign key still needs
    op.drop_table("item_comparison_row")
    op.drop_table("item_comparison")
    op.drop_table("supervision_escalation")
    op.drop_table("supervision_feedback")
    op.drop_table("supervision_push")
    op.drop_table("supervision_config_department")
    op.drop_table("supervision_config")
