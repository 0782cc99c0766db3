"""service item aliases: the short names, other names and colloquial terms of an item

``service_item.aliases`` (a JSON list of strings, e.g. 施工许可证, 过户) lets search and the bot recognise which item
a question is about (issue 15). Existing items start with an empty list; the demo seed fills the demo items' aliases
when it next runs, and admins edit them on the item form.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 07:49:07.611610
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENT = "简称、别名和俗称（如“施工许可证”“过户”），搜索据此识别问题说的是哪个事项"


def upgrade() -> None:
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aliases", sa.JSON(), nullable=True, comment=COMMENT))
    item = sa.table("service_item", sa.column("aliases", sa.JSON))
    op.get_bind().execute(item.update().values(aliases=[]))
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        # MySQL's MODIFY drops a comment that is not repeated
        batch_op.alter_column("aliases", existing_type=sa.JSON(), nullable=False, existing_comment=COMMENT)


def downgrade() -> None:
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.drop_column("aliases")
