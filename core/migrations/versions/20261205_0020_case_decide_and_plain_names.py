"""受理/审查 and 决定/办结 become two permissions (every role that held ``case.handle`` also gets ``case.decide``); a
rules note and a catalogue item in plain names

``case.handle`` used to cover every step of a case; it now covers 受理, 审查, 不予受理, 补正 and 特别程序,
and the new ``case.decide`` covers 决定, 办结 and sending a case back from them. So that no existing role
loses a power it had, each role holding ``case.handle`` is given ``case.decide`` too; a security
administrator then takes it away from the roles that should not decide (the seed's 窗口受理人员 in a new
database holds only ``case.handle``). The downgrade removes ``case.decide`` and gives ``case.handle`` to the
roles that had only the new permission, so they keep their powers under the old meaning.

The first rule set's note, "初始规则（依据 DOMAIN.md 所列法规事实）", named a developer's file on the rules
page; where it still reads so it now names the laws the rules follow (as core/projects/demo.py writes it).

The catalogue item 000Z14001000 "城市排水许可证核发" takes its legal name, "城镇污水排入排水管网许可证核发"
(《城镇排水与污水处理条例》第二十一条), the name the derived flows give it (where the name was not edited).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 08:00:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HANDLE, DECIDE = "case.handle", "case.decide"
OLD_NOTE = "初始规则（依据 DOMAIN.md 所列法规事实）"
NEW_NOTE = "初始规则：按《城乡规划法》《建筑工程施工许可管理办法》《企业投资项目核准和备案管理条例》等法律法规梳理的审批事项及其适用条件"
DRAINAGE_CODE = "000Z14001000-320583000000-000-113205830156266030-1-00"
DRAINAGE_NAMES = ("城市排水许可证核发", "城镇污水排入排水管网许可证核发")
item = sa.table("service_item", sa.column("code", sa.String()), sa.column("name", sa.String()))
version = sa.table("rule_set_version", sa.column("note", sa.Text()))
role = sa.table("role", sa.column("id", sa.Integer()), sa.column("permissions", sa.JSON()))


def _permissions(value: Any) -> list[str]:
    if isinstance(value, str):  # MariaDB hands JSON back as text through a bare table()
        value = json.loads(value)
    return list(value or [])


def _rewrite(forward: bool) -> None:
    bind = op.get_bind()
    for role_id, value in bind.execute(sa.select(role.c.id, role.c.permissions)).all():
        held = _permissions(value)
        if forward and HANDLE in held and DECIDE not in held:
            new = sorted([*held, DECIDE])
        elif not forward and DECIDE in held:
            new = sorted({*(p for p in held if p != DECIDE), HANDLE})
        else:
            continue
        bind.execute(role.update().where(role.c.id == role_id).values(permissions=new))


def upgrade() -> None:
    _rewrite(forward=True)
    op.execute(version.update().where(version.c.note == OLD_NOTE).values(note=NEW_NOTE))
    _rename(*DRAINAGE_NAMES)


def _rename(old: str, new: str) -> None:
    op.execute(item.update().where(item.c.code == DRAINAGE_CODE, item.c.name == old).values(name=new))


def downgrade() -> None:
    _rename(*reversed(DRAINAGE_NAMES))
    op.execute(version.update().where(version.c.note == NEW_NOTE).values(note=OLD_NOTE))
    _rewrite(forward=False)
