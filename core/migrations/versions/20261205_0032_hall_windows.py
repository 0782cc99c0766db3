"""Hall windows (窗口): a staff account's window (``user.window``), the window a case was registered or accepted at
(``case.window``, set once by the case service), and the hall board's daily counts per department and window
(``figure_window``, derived data the figures' refresh and rebuild keep). Both new columns are nullable and empty for
what existed before: old cases count at no window, and ``tongban figures rebuild`` fills ``figure_window`` from
the cases that have one.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 14:49:25.934214
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "figure_window",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(length=16), nullable=False, comment="窗口号"),
        sa.Column("registered", sa.Integer(), nullable=False, comment="收件（申报或窗口登记）"),
        sa.Column("accepted", sa.Integer(), nullable=False, comment="受理"),
        sa.Column("concluded", sa.Integer(), nullable=False, comment="办结"),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_figure_window_department_id_department")
        ),
        sa.PrimaryKeyConstraint("day", "department_id", "window", name=op.f("pk_figure_window")),
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "window",
                sa.String(length=16),
                nullable=True,
                comment="窗口号：窗口登记的登记人所在窗口，网上申报的受理人所在窗口（记录一次，不再改）",
            )
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "window",
                sa.String(length=16),
                nullable=True,
                comment="窗口号（工作人员所在的大厅窗口，如 A12；办件记录登记或受理它的窗口）",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("window")

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("window")

    op.drop_table("figure_window")
