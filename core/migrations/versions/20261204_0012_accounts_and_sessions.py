"""accounts and sessions: password policy and history, lockout, server-side sessions, two-factor

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 12:00:00.000000
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column(
                "password_changed_at",
                sa.DateTime(),
                nullable=True,
                comment="密码最近一次设置的时间（工作人员密码 90 天到期）",
            )
        )
        batch.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                nullable=True,
                comment="下次登录须先修改密码（管理员设置或重置的密码）",
            )
        )
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=True, comment="连续登录失败次数"))
        batch.add_column(
            sa.Column("locked_until", sa.DateTime(), nullable=True, comment="登录失败过多，账号锁定至此时间")
        )
        batch.add_column(
            sa.Column("totp_secret", sa.String(length=255), nullable=True, comment="双因素认证 TOTP 密钥（加密存储）")
        )
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(), nullable=True, comment="双因素认证启用时间"))
        batch.add_column(
            sa.Column("recovery_codes", sa.JSON(), nullable=True, comment="未用过的一次性恢复码（带密钥的摘要）")
        )
    # Existing passwords start their 90 days now: nobody is forced to change at the first login after the upgrade.
    user = sa.table(
        "user",
        sa.column("password_changed_at", sa.DateTime),
        sa.column("must_change_password", sa.Boolean),
        sa.column("failed_logins", sa.Integer),
    )
    op.get_bind().execute(
        user.update().values(password_changed_at=datetime.now(), must_change_password=False, failed_logins=0)
    )
    with op.batch_alter_table("user") as batch:
        # MySQL's MODIFY drops a comment not repeated
        batch.alter_column(
            "must_change_password",
            existing_type=sa.Boolean(),
            nullable=False,
            existing_comment="下次登录须先修改密码（管理员设置或重置的密码）",
        )
        batch.alter_column(
            "failed_logins", existing_type=sa.Integer(), nullable=False, existing_comment="连续登录失败次数"
        )

    op.create_table(
        "password_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False, comment="旧密码的 argon2 摘要"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_password_history_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_history")),
    )
    op.create_index(op.f("ix_password_history_user_id"), "password_history", ["user_id"])

    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "key_hash", sa.String(length=64), nullable=False, comment="会话标识的带密钥摘要（明文只在 Cookie 中）"
        ),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False, comment="绝对过期时间（工作人员登录后 8 小时）"),
        sa.Column("revoked_at", sa.DateTime(), nullable=True, comment="退出登录、修改密码或管理员注销的时间"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_user_session_key_hash")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])


def downgrade() -> None:
    # the indexes go with the tables (MySQL will not drop an index a foreign key needs before the key)
    op.drop_table("user_session")
    op.drop_table("password_history")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("recovery_codes")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
        batch.drop_column("must_change_password")
        batch.drop_column("password_changed_at")
