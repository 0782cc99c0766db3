"""phone codes: the registration codes texted to a citizen's phone (注册验证码)

``phone_code`` holds one row per code sent: its purpose (register), keyed hashes of the phone number and of the
code (neither is stored in clear), the address that asked, when it was sent, when it stops working (a newer code
for the same number ends it at once) and when it was used (each works once). Wrong entries are counted by the
rate limiter, not here.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 08:01:41.468701
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False, comment="用途（register 注册）"),
        sa.Column("phone_hash", sa.String(length=64), nullable=False, comment="手机号的带密钥摘要（不存明文）"),
        sa.Column("code_hash", sa.String(length=64), nullable=False, comment="验证码的带密钥摘要"),
        sa.Column("ip", sa.String(length=45), nullable=False, comment="请求发送的地址"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False, comment="失效时间（再次获取时旧验证码立即失效）"),
        sa.Column("used_at", sa.DateTime(), nullable=True, comment="验证通过的时间（每个验证码只能用一次）"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_code")),
    )
    with op.batch_alter_table("phone_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_code_phone_hash"), ["phone_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("phone_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_code_phone_hash"))

    op.drop_table("phone_code")
