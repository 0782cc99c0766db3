"""role texts say who unlocks accounts; a one-time code is spent once used

- The built-in roles' descriptions say that the system administrator unlocks accounts (as the code always had
  it); they are updated where they still read as the seed wrote them, an edited description is left alone.
- ``user.totp_last_step``: the time step of the last accepted TOTP code, so the same code cannot log in twice.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

role = sa.table("role", sa.column("code", sa.String()), sa.column("description", sa.Text()))
TEXTS = {  # code: (before, after)
    "admin": (
        "管理部门、用户（分配业务角色）、事项（三员分立：不分配三员角色，不看审计日志）",
        "管理部门、用户（分配业务角色、解锁账号）、事项（三员分立：不分配三员角色，不看审计日志）",
    ),
    "security": (
        "分配角色与权限、安全设置、解锁账号（三员分立：不能给自己授权）",
        "分配角色与权限、安全设置（三员分立：不能给自己授权）",
    ),
}


def _rewrite(forward: bool) -> None:
    for code, (before, after) in TEXTS.items():
        old, new = (before, after) if forward else (after, before)
        op.execute(role.update().where(role.c.code == code, role.c.description == old).values(description=new))


def upgrade() -> None:
    _rewrite(forward=True)
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column(
                "totp_last_step",
                sa.BigInteger(),
                nullable=True,
                comment="最近一次用过的动态验证码的时间步（同一验证码不能再用）",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("totp_last_step")
    _rewrite(forward=False)
