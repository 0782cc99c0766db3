"""applicant ownership: applicants and their materials belong to the account that gave them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 12:00:00.000000

An applicant record was shared by everyone who typed the same ID number; now each account keeps its own (and the
centre's windows one, owner NULL). Existing records are split by the owners of their cases: the first owner (the
centre before any account) keeps the row, every other owner gets a copy and its cases and licences move to it.

A channel binding named an applicant; now it names the one case whose number and password were given. An old
binding did not record which case it proved, so it is kept — for every case of its applicant — only when those
cases all had one owner; a binding of a record shared by several owners cannot be told apart from a takeover and
is dropped (the user binds again with the case number and password).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER_COMMENT = "提供这些信息的账号；空为窗口登记（当面核验身份）"
CASE_COMMENT = "凭办件编号和查询密码绑定的办件"

applicant = sa.table(
    "applicant",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("name", sa.String()),
    sa.column("id_number", sa.String()),
    sa.column("id_index", sa.String()),
    sa.column("phone", sa.String()),
    sa.column("address", sa.String()),
    sa.column("legal_representative", sa.String()),
    sa.column("contact_name", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("updated_at", sa.DateTime()),
    sa.column("owner_user_id", sa.Integer()),
)
case = sa.table("case", sa.column("id", sa.Integer()), sa.column("applicant_id"), sa.column("owner_user_id"))
licence = sa.table("licence", sa.column("id", sa.Integer()), sa.column("holder_id"), sa.column("case_id"))
notification = sa.table("notification", sa.column("id", sa.Integer()), sa.column("applicant_id"))
binding = sa.table(
    "channel_binding",
    sa.column("id", sa.Integer()),
    sa.column("channel_user", sa.String()),
    sa.column("applicant_id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("created_at", sa.DateTime()),
)


def _owners_by_applicant() -> dict[int, list[int | None]]:
    """The distinct owners of each applicant's cases, the centre (None) first, then by account id."""
    found: dict[int, list[int | None]] = {}
    for applicant_id, owner in op.get_bind().execute(sa.select(case.c.applicant_id, case.c.owner_user_id).distinct()):
        found.setdefault(applicant_id, []).append(owner)
    for owners in found.values():
        owners.sort(key=lambda owner: (owner is not None, owner or 0))
    return found


def _split_shared_applicants(owners_by_applicant: dict[int, list[int | None]]) -> None:
    bind = op.get_bind()
    copied = [c for c in applicant.c if c.name not in ("id", "owner_user_id")]
    for applicant_id, owners in owners_by_applicant.items():
        first, *others = owners
        if first is not None:
            bind.execute(applicant.update().where(applicant.c.id == applicant_id).values(owner_user_id=first))
        if not others:
            continue
        row = bind.execute(sa.select(*copied).where(applicant.c.id == applicant_id)).mappings().one()
        for owner in others:
            new_id = bind.execute(applicant.insert().values(**row, owner_user_id=owner)).lastrowid
            bind.execute(
                case.update()
                .where(case.c.applicant_id == applicant_id, case.c.owner_user_id == owner)
                .values(applicant_id=new_id)
            )
            moved = sa.select(case.c.id).where(case.c.applicant_id == new_id).scalar_subquery()
            bind.execute(licence.update().where(licence.c.case_id.in_(moved)).values(holder_id=new_id))


def _bindings_to_cases(owners_by_applicant: dict[int, list[int | None]]) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(binding.c.id, binding.c.channel_user, binding.c.applicant_id, binding.c.created_at))
    for binding_id, channel_user, applicant_id, created_at in rows.all():
        cases = (
            []
            if len(owners_by_applicant.get(applicant_id, [])) != 1
            else list(bind.scalars(sa.select(case.c.id).where(case.c.applicant_id == applicant_id).order_by(case.c.id)))
        )
        if not cases:
            bind.execute(binding.delete().where(binding.c.id == binding_id))
            continue
        first, *others = cases
        bind.execute(binding.update().where(binding.c.id == binding_id).values(case_id=first))
        for case_id in others:
            bind.execute(
                binding.insert().values(
                    channel_user=channel_user, applicant_id=applicant_id, case_id=case_id, created_at=created_at
                )
            )


def upgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        batch.add_column(sa.Column("owner_user_id", sa.Integer(), nullable=True, comment=OWNER_COMMENT))
        batch.create_index(batch.f("ix_applicant_owner_user_id"), ["owner_user_id"], unique=False)
        batch.create_foreign_key(batch.f("fk_applicant_owner_user_id_user"), "user", ["owner_user_id"], ["id"])
        batch.drop_constraint(batch.f("uq_applicant_kind"), type_="unique")
        batch.create_unique_constraint(batch.f("uq_applicant_kind"), ["kind", "id_index", "owner_user_id"])
    with op.batch_alter_table("channel_binding") as batch:
        batch.add_column(sa.Column("case_id", sa.Integer(), nullable=True, comment=CASE_COMMENT))
        batch.drop_constraint(batch.f("uq_channel_binding_channel_user"), type_="unique")

    owners_by_applicant = _owners_by_applicant()
    _split_shared_applicants(owners_by_applicant)
    _bindings_to_cases(owners_by_applicant)

    with op.batch_alter_table("channel_binding") as batch:
        batch.drop_constraint(batch.f("fk_channel_binding_applicant_id_applicant"), type_="foreignkey")
        batch.drop_index(batch.f("ix_channel_binding_applicant_id"))
        batch.drop_column("applicant_id")
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False, existing_comment=CASE_COMMENT)
        batch.create_index(batch.f("ix_channel_binding_case_id"), ["case_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_channel_binding_case_id_case"), "case", ["case_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_unique_constraint(batch.f("uq_channel_binding_channel_user"), ["channel_user", "case_id"])


def _merge_applicants() -> None:
    """Each ID number back to one record, the oldest; the others' cases, licences and notifications move to it."""
    bind = op.get_bind()
    kept: dict[tuple[str, str], int] = {}
    for applicant_id, kind, id_index in bind.execute(
        sa.select(applicant.c.id, applicant.c.kind, applicant.c.id_index).order_by(applicant.c.id)
    ).all():
        keep = kept.setdefault((kind, id_index), applicant_id)
        if keep == applicant_id:
            continue
        bind.execute(case.update().where(case.c.applicant_id == applicant_id).values(applicant_id=keep))
        bind.execute(licence.update().where(licence.c.holder_id == applicant_id).values(holder_id=keep))
        bind.execute(notification.update().where(notification.c.applicant_id == applicant_id).values(applicant_id=keep))
        bind.execute(applicant.delete().where(applicant.c.id == applicant_id))


def _bindings_to_applicants() -> None:
    """Each case binding becomes a binding of its (merged) applicant, once per channel user."""
    bind = op.get_bind()
    seen: set[tuple[str, int]] = set()
    rows = bind.execute(
        sa.select(binding.c.id, binding.c.channel_user, case.c.applicant_id)
        .join(case, case.c.id == binding.c.case_id)
        .order_by(binding.c.id)
    )
    for binding_id, channel_user, applicant_id in rows.all():
        if (channel_user, applicant_id) in seen:
            bind.execute(binding.delete().where(binding.c.id == binding_id))
            continue
        seen.add((channel_user, applicant_id))
        bind.execute(binding.update().where(binding.c.id == binding_id).values(applicant_id=applicant_id))


def downgrade() -> None:
    with op.batch_alter_table("channel_binding") as batch:
        batch.add_column(sa.Column("applicant_id", sa.Integer(), nullable=True))
        batch.drop_constraint(batch.f("uq_channel_binding_channel_user"), type_="unique")

    _merge_applicants()
    _bindings_to_applicants()

    with op.batch_alter_table("channel_binding") as batch:
        batch.drop_constraint(batch.f("fk_channel_binding_case_id_case"), type_="foreignkey")
        batch.drop_index(batch.f("ix_channel_binding_case_id"))
        batch.drop_column("case_id")
        batch.alter_column("applicant_id", existing_type=sa.Integer(), nullable=False)
        batch.create_index(batch.f("ix_channel_binding_applicant_id"), ["applicant_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_channel_binding_applicant_id_applicant"),
            "applicant",
            ["applicant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(batch.f("uq_channel_binding_channel_user"), ["channel_user", "applicant_id"])
    with op.batch_alter_table("applicant") as batch:
        batch.drop_constraint(batch.f("uq_applicant_kind"), type_="unique")
        batch.drop_constraint(batch.f("fk_applicant_owner_user_id_user"), type_="foreignkey")
        batch.drop_index(batch.f("ix_applicant_owner_user_id"))
        batch.drop_column("owner_user_id")
        batch.create_unique_constraint(batch.f("uq_applicant_kind"), ["kind", "id_index"])
