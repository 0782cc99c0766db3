"""conversation privacy: redacted secrets, conversations scoped to departments

Adds ``conversation.awaiting`` (the bot asked for the query password: the next message is stored redacted) and
``conversation_case`` (the cases a conversation names: their departments may read it; the rest go to the
hand-off desk). Existing transcripts are redacted where the password can be identified: the answer that
follows the bot's password question, and six digits typed beside a case number. The hand-off desk role
(导办人员, permission ``conversation.desk``) is added, and administrators get that permission.

The old audit rows of those messages keep what was written then (the audit log is append-only).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 12:00:00.000000
"""

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of what the code uses today (a migration must not change when the code does).
HIDDEN = "［查询密码已隐藏］"
PASSWORD_QUESTIONS = ("请输入查询密码", "请输入该办件的查询密码")
DESK = "conversation.desk"
_CASE_NO = re.compile(r"(?<![A-Za-z0-9])KF\d{12}(?!\d)", re.IGNORECASE)
_SIX_DIGITS = re.compile(r"(?<![A-Za-z0-9])\d{6}(?!\d)")
_RAW_TEXT_FIELDS = ("Content", "Recognition", "text")

message_table = sa.table(
    "conversation_message",
    sa.column("id", sa.Integer),
    sa.column("conversation_id", sa.Integer),
    sa.column("direction", sa.String),
    sa.column("author", sa.String),
    sa.column("text", sa.Text),
    sa.column("payload", sa.JSON),
)
case_table = sa.table("case", sa.column("id", sa.Integer), sa.column("case_no", sa.String))
link_table = sa.table(
    "conversation_case",
    sa.column("conversation_id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("created_at", sa.DateTime),
)
role_table = sa.table(
    "role",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("data_scope", sa.String),
    sa.column("permissions", sa.JSON),
    sa.column("description", sa.String),
    sa.column("created_at", sa.DateTime),
)
user_role_table = sa.table("user_role", sa.column("user_id", sa.Integer), sa.column("role_id", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(
            sa.Column(
                "awaiting",
                sa.String(length=16),
                nullable=False,
                server_default="",
                comment="机器人在等待的保密回答（query_code：查询密码），下一条消息脱敏保存",
            )
        )
    op.create_table(
        "conversation_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_conversation_case_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_case_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_case")),
        sa.UniqueConstraint("conversation_id", "case_id", name=op.f("uq_conversation_case_conversation_id")),
    )
    op.create_index(op.f("ix_conversation_case_case_id"), "conversation_case", ["case_id"])
    op.create_index(op.f("ix_conversation_case_conversation_id"), "conversation_case", ["conversation_id"])
    _redact_and_link(op.get_bind())
    _add_desk_role(op.get_bind())


def _masked_beside_case_numbers(text: str) -> str:
    if not _CASE_NO.search(text):
        return text
    parts = _CASE_NO.split(text)
    masked = [_SIX_DIGITS.sub("******", part) for part in parts]
    if masked == parts:
        return text
    out = masked[0]
    for number, part in zip(_CASE_NO.findall(text), masked[1:], strict=True):
        out += number + part
    return out


def _payload(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # a JSON column read without its type on some drivers
        value = json.loads(value or "{}")
    return dict(value or {})


def _redact_and_link(conn: sa.Connection) -> None:
    """Walks every transcript once, oldest message first, in batches."""
    cases = {str(no).upper(): case_id for case_id, no in conn.execute(sa.select(case_table.c.id, case_table.c.case_no))}
    previous: dict[int, str] = {}  # conversation id → the last bot/system text before the current message
    linked: set[tuple[int, int]] = set()
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(
                message_table.c.id,
                message_table.c.conversation_id,
                message_table.c.direction,
                message_table.c.text,
                message_table.c.payload,
            )
            .where(message_table.c.id > last_id)
            .order_by(message_table.c.id)
            .limit(1000)
        ).all()
        if not rows:
            break
        for message_id, conversation_id, direction, text, payload in rows:
            last_id = message_id
            text = text or ""
            if direction != "in":
                previous[conversation_id] = text
                continue
            normalized = unicodedata.normalize("NFKC", text)
            for number in _CASE_NO.findall(normalized):
                case_id = cases.get(number.upper())
                if case_id is not None:
                    linked.add((conversation_id, case_id))
            asked = any(q in previous.get(conversation_id, "") for q in PASSWORD_QUESTIONS)
            kept = HIDDEN if asked and re.search(r"\d", text) else _masked_beside_case_numbers(text)
            if kept != text:
                data = _payload(payload)
                if isinstance(data.get("raw"), dict):
                    data["raw"] = {k: v for k, v in data["raw"].items() if k not in _RAW_TEXT_FIELDS}
                conn.execute(
                    sa.update(message_table).where(message_table.c.id == message_id).values(text=kept, payload=data)
                )
    if linked:
        stamp = datetime.now()
        conn.execute(
            sa.insert(link_table),
            [{"conversation_id": c, "case_id": k, "created_at": stamp} for c, k in sorted(linked)],
        )


def _add_desk_role(conn: sa.Connection) -> None:
    """The hand-off desk role, and the desk permission for administrators (on a database already seeded)."""
    roles = {
        code: (role_id, perms)
        for role_id, code, perms in conn.execute(
            sa.select(role_table.c.id, role_table.c.code, role_table.c.permissions)
        )
    }
    if not roles:
        return  # an empty database: `tongban seed` creates the roles
    if "admin" in roles:
        role_id, perms = roles["admin"]
        permissions = json.loads(perms) if isinstance(perms, str) else list(perms or [])
        if DESK not in permissions:
            conn.execute(
                sa.update(role_table).where(role_table.c.id == role_id).values(permissions=sorted([*permissions, DESK]))
            )
    if "desk" not in roles:
        conn.execute(
            sa.insert(role_table).values(
                code="desk",
                name="导办人员",
                data_scope="all",
                permissions=[DESK],
                description="导办台：接待未涉及具体部门办件的转人工咨询",
                created_at=datetime.now(),
            )
        )


def downgrade() -> None:
    conn = op.get_bind()
    desk = sa.select(role_table.c.id).where(role_table.c.code == "desk").scalar_subquery()
    conn.execute(sa.delete(user_role_table).where(user_role_table.c.role_id == desk))
    conn.execute(sa.delete(role_table).where(role_table.c.code == "desk"))
    for role_id, perms in conn.execute(
        sa.select(role_table.c.id, role_table.c.permissions).where(role_table.c.code == "admin")
    ):
        permissions = json.loads(perms) if isinstance(perms, str) else list(perms or [])
        if DESK in permissions:
            conn.execute(
                sa.update(role_table)
                .where(role_table.c.id == role_id)
                .values(permissions=[p for p in permissions if p != DESK])
            )
    op.drop_table("conversation_case")  # with its indexes (MySQL refuses to drop an index a foreign key needs)
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("awaiting")
    # Redacted transcripts stay redacted: the passwords were never kept anywhere to restore them from.
