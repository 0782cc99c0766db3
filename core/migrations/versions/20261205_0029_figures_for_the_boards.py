"""figures for the boards: precomputed counts per day, month, department and item, and the open-case snapshot

``figure_day`` / ``figure_month`` hold, per department and service item, the cases received, accepted, concluded
(on time), first overdue and the good and bad ratings of each day and month; ``figure_open`` the cases open at the
last refresh, ``figure_push`` the 审管衔接 pushes and ``figure_follow_up`` the bad ratings' follow-up then;
``figure_run`` when that was (core/figures). The tables start empty: the first run of the periodic refresh (or
``tongban figures rebuild``) fills them from the cases. Indexes on ``case.accepted_at``,
``case.first_overdue_at``, ``case.updated_at`` and ``evaluation.created_at`` let a day be counted, and the cases
changed since the last refresh be found, without reading the whole table.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 12:16:31.348458
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "figure_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False, comment="refresh 增量 / rebuild 重建"),
        sa.Column("changed_after", sa.DateTime(), nullable=False, comment="下次增量刷新查看此时间之后变化的办件和评价"),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False, comment="本次重新计算的天数"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_run")),
    )
    op.create_table(
        "figure_follow_up",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_figure_follow_up_department_id_department")
        ),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_figure_follow_up")),
    )
    op.create_table(
        "figure_push",
        sa.Column("department_id", sa.Integer(), nullable=False, comment="监管部门"),
        sa.Column("approving_department_id", sa.Integer(), nullable=False, comment="审批部门"),
        sa.Column("pushed", sa.Integer(), nullable=False),
        sa.Column("claimed", sa.Integer(), nullable=False),
        sa.Column("fed_back", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Integer(), nullable=False, comment="曾被催办"),
        sa.ForeignKeyConstraint(
            ["approving_department_id"],
            ["department.id"],
            name=op.f("fk_figure_push_approving_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_figure_push_department_id_department")
        ),
        sa.PrimaryKeyConstraint("department_id", "approving_department_id", name=op.f("pk_figure_push")),
    )
    op.create_table(
        "figure_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False, comment="收件（申报或窗口登记）"),
        sa.Column("accepted", sa.Integer(), nullable=False, comment="受理"),
        sa.Column("concluded", sa.Integer(), nullable=False, comment="办结"),
        sa.Column("on_time", sa.Integer(), nullable=False, comment="按时办结（从未超过时限）"),
        sa.Column("overdue", sa.Integer(), nullable=False, comment="当日超过时限的办件"),
        sa.Column("rating_good", sa.Integer(), nullable=False, comment="好评（满意、非常满意）"),
        sa.Column("rating_bad", sa.Integer(), nullable=False, comment="差评（不满意、非常不满意）"),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_figure_day_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"], ["service_item.id"], name=op.f("fk_figure_day_service_item_id_service_item")
        ),
        sa.PrimaryKeyConstraint("day", "department_id", "service_item_id", name=op.f("pk_figure_day")),
    )
    op.create_table(
        "figure_month",
        sa.Column("month", sa.Date(), nullable=False, comment="月份的第一天"),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False, comment="收件（申报或窗口登记）"),
        sa.Column("accepted", sa.Integer(), nullable=False, comment="受理"),
        sa.Column("concluded", sa.Integer(), nullable=False, comment="办结"),
        sa.Column("on_time", sa.Integer(), nullable=False, comment="按时办结（从未超过时限）"),
        sa.Column("overdue", sa.Integer(), nullable=False, comment="当日超过时限的办件"),
        sa.Column("rating_good", sa.Integer(), nullable=False, comment="好评（满意、非常满意）"),
        sa.Column("rating_bad", sa.Integer(), nullable=False, comment="差评（不满意、非常不满意）"),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_figure_month_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"], ["service_item.id"], name=op.f("fk_figure_month_service_item_id_service_item")
        ),
        sa.PrimaryKeyConstraint("month", "department_id", "service_item_id", name=op.f("pk_figure_month")),
    )
    op.create_table(
        "figure_open",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False, comment="待受理"),
        sa.Column("in_hand", sa.Integer(), nullable=False, comment="办理中（含补正、特别程序）"),
        sa.Column("warning", sa.Integer(), nullable=False, comment="办理中且临近时限"),
        sa.Column("overdue", sa.Integer(), nullable=False, comment="办理中且已逾期"),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_figure_open_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"], ["service_item.id"], name=op.f("fk_figure_open_service_item_id_service_item")
        ),
        sa.PrimaryKeyConstraint("department_id", "service_item_id", name=op.f("pk_figure_open")),
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_accepted_at"), ["accepted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_first_overdue_at"), ["first_overdue_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_updated_at"), ["updated_at"], unique=False)

    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_created_at"))

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_updated_at"))
        batch_op.drop_index(batch_op.f("ix_case_first_overdue_at"))
        batch_op.drop_index(batch_op.f("ix_case_accepted_at"))

    op.drop_table("figure_open")
    op.drop_table("figure_month")
    op.drop_table("figure_day")
    op.drop_table("figure_push")
    op.drop_table("figure_follow_up")
    op.drop_table("figure_run")
