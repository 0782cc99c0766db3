"""case list and statistics indexes: covering indexes for the pages read most (issue 17)

With 100,000 cases the public statistics scanned the case table three times (0.4 s a request) and a staff list
read the submission time of every case of the department from the table to sort them. These indexes hold every
column those queries read, so they are answered from the index alone:

- ``ix_case_department_submitted`` (department, submitted): a department's list, newest first (the page's ids
  and their order come from the index; joint tasks add their few cases);

and, led by their dates so that one month of the statistics (the current one, counted live) is a range:

- ``ix_case_submitted_department`` (submitted, department): the received figures;
- ``ix_case_status_concluded`` (status, concluded, department, first overdue): publicity (concluded and refused
  cases, newest conclusion first: the page's ids come from the index) and the concluded / on-time figures;
- ``ix_case_overdue_department`` (first overdue, department): the overdue figures read only the cases that ever
  passed their limit.

Nothing else changes; downgrade drops them.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 11:08:09.816986
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index("ix_case_department_submitted", ["department_id", "submitted_at"], unique=False)
        batch_op.create_index("ix_case_submitted_department", ["submitted_at", "department_id"], unique=False)
        batch_op.create_index("ix_case_overdue_department", ["first_overdue_at", "department_id"], unique=False)
        batch_op.create_index(
            "ix_case_status_concluded",
            ["status", "concluded_at", "department_id", "first_overdue_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index("ix_case_status_concluded")
        batch_op.drop_index("ix_case_overdue_department")
        batch_op.drop_index("ix_case_submitted_department")
        batch_op.drop_index("ix_case_department_submitted")
