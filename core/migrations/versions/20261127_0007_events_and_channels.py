"""events and channels: the domain event log, staff members' WeCom/WeChat bindings and notification channels

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "domain_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False, comment="如 case.concluded、supervision.pushed"),
        sa.Column("subject", sa.String(length=64), nullable=False, comment="对象，如 case:12、push:7"),
        sa.Column("data", sa.JSON(), nullable=False, comment="通知所需的事实（不含明文证件号）"),
        sa.Column("recipients", sa.JSON(), nullable=False, comment="应通知的对象"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_event")),
    )
    op.create_index(op.f("ix_domain_event_kind"), "domain_event", ["kind"])
    op.create_index(op.f("ix_domain_event_subject"), "domain_event", ["subject"])
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("wecom_userid", sa.String(length=64), nullable=True, comment="企业微信成员 UserID"))
        batch.add_column(sa.Column("wechat_openid", sa.String(length=64), nullable=True, comment="公众号 openid"))
        batch.add_column(
            sa.Column(
                "notify_channels",
                sa.JSON(),
                nullable=True,
                comment="接收通知的渠道：inbox / wecom / wechat",
            )
        )
        batch.create_unique_constraint(op.f("uq_user_wecom_userid"), ["wecom_userid"])
        batch.create_index(op.f("ix_user_wechat_openid"), ["wechat_openid"])
    user = sa.table("user", sa.column("notify_channels", sa.JSON))
    op.get_bind().execute(user.update().values(notify_channels=["inbox", "wecom"]))
    with op.batch_alter_table("user") as batch:
        batch.alter_column(
            "notify_channels",
            existing_type=sa.JSON(),
            nullable=False,
            existing_comment="接收通知的渠道：inbox / wecom / wechat",  # MySQL's MODIFY drops a comment not repeated
        )
    _role_permissions(remove=False)


def downgrade() -> None:
    _role_permissions(remove=True)
    with op.batch_alter_table("user") as batch:
        batch.drop_index(op.f("ix_user_wechat_openid"))
        batch.drop_constraint(op.f("uq_user_wecom_userid"), type_="unique")
        batch.drop_column("notify_channels")
        batch.drop_column("wechat_openid")
        batch.drop_column("wecom_userid")
    op.drop_index(op.f("ix_domain_event_subject"), table_name="domain_event")
    op.drop_index(op.f("ix_domain_event_kind"), table_name="domain_event")
    op.drop_table("domain_event")


# Permissions this revision introduces, by built-in role, for databases seeded before it.
NEW_PERMISSIONS = {
    "admin": {"supervision.handle", "supervision.manage", "notification.manage"},
    "officer": {"supervision.handle"},
}


def _role_permissions(*, remove: bool) -> None:
    """Gives existing built-in roles the supervision and notification permissions (or takes them back)."""
    role = sa.table("role", sa.column("code", sa.String), sa.column("permissions", sa.JSON))
    conn = op.get_bind()
    for code, permissions in NEW_PERMISSIONS.items():
        row = conn.execute(sa.select(role.c.permissions).where(role.c.code == code)).first()
        if row is None:
            continue
        current = set(row[0] or [])
        wanted = current - permissions if remove else current | permissions
        conn.execute(role.update().where(role.c.code == code).values(permissions=sorted(wanted)))
