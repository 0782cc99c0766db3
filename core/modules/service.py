"""Switching program modules per role (程序模块), and refusing a switched-off module's routes.

The system administrator (``org.manage``, 三员分立) switches modules on and off for the staff roles on the
switchboard (web/admin_modules.py). A module is closed to a person when it is off for every one of their roles: a
role that still has it keeps it open, as permissions add up across roles. Citizens and enterprises are never switched,
nor are the channels' service clients (their role is not on the switchboard): the portal and the channels are not
modules.

The check runs in one place for pages and API alike — ``core.deps.current_user`` asks ``refuse_closed`` with the
template of the route being served — so no route repeats it, and a route the registry does not place fails a test
rather than going unchecked silently.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import cache
from core.audit.hooks import record_event
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.modules.models import NAMESPACE, ModuleOff
from core.modules.registry import BY_CODE, MODULES, module_of
from core.org import service as org_service
from core.org.models import Role, User
from core.org.permissions import Permission

CHANNEL_ROLES = frozenset({"citizen", "service"})
"""The built-in roles of applicants and of the channels' service clients (the bot, the WeChat adapters): the portal
and the channels are not switched, so the switchboard leaves them out."""
APPLYING = frozenset({Permission.CASE_APPLY.value, Permission.PROJECT_FILE.value})
"""A role holding one of these is an applicant's (a citizen's or an enterprise's), not staff's."""
CLOSED_MESSAGE = "该功能模块未对您的角色开放（{name}），如需使用请联系系统管理员"


def _load(db: Session) -> dict[int, list[str]]:
    rows = db.execute(select(ModuleOff.role_id, ModuleOff.module).order_by(ModuleOff.role_id, ModuleOff.module))
    found: dict[int, list[str]] = {}
    for role_id, module in rows:
        found.setdefault(role_id, []).append(module)
    return found


def switched_off(db: Session) -> dict[int, list[str]]:
    """Role id → the modules off for it (only roles with some off). Cached: every page and API call asks."""
    return cache.cached(NAMESPACE, "off", dict[int, list[str]], lambda: _load(db))


def closed_for(db: Session, user: User | None) -> frozenset[str]:
    """The modules closed to the user: off for every one of their roles (none for someone modules do not apply to,
    or without roles)."""
    if user is None or not user.is_staff or not user.roles:
        return frozenset()
    off = switched_off(db)
    if not off:
        return frozenset()
    closed = set(BY_CODE)
    for role in user.roles:
        closed &= set(off.get(role.id, ()))
    return frozenset(closed)


def refuse_closed(db: Session, user: User | None, path: str) -> frozenset[str]:
    """403 when the route at ``path`` (its template) belongs to a module closed to the user; otherwise the modules
    closed to them (for their menu)."""
    closed = closed_for(db, user)
    if closed and (module := module_of(path)) and module in closed:  # ALWAYS ("") and unplaced (None): never
        raise PermissionDenied(CLOSED_MESSAGE.format(name=BY_CODE[module].name), code="module_closed")
    return closed


# ---------------------------------------------------------------- the switchboard


def switchable(role: Role) -> bool:
    """Whether modules are switched for holders of the role (staff roles)."""
    return role.code not in CHANNEL_ROLES and not APPLYING & set(role.permissions)


def board(db: Session, user: User | None) -> list[tuple[Role, frozenset[str]]]:
    """Every staff role with the modules off for it (a system administrator)."""
    org_service.require(user, Permission.ORG_MANAGE)
    off = switched_off(db)
    return [(role, frozenset(off.get(role.id, ()))) for role in org_service.list_roles(db=db) if switchable(role)]


def set_role_modules(db: Session, user: User | None, *, role_id: int, enabled: list[str]) -> Role:
    """Leaves exactly the ``enabled`` modules on for the role, the others off; audited with what changed."""
    caller = org_service.require(user, Permission.ORG_MANAGE)
    role = db.get(Role, role_id)
    if role is None:
        raise NotFound("角色不存在，请刷新页面后重试")
    if not switchable(role):
        raise ValidationFailed(f"“{role.name}”不是工作人员角色，门户和渠道不按程序模块开关", field="role_id")
    unknown = sorted(set(enabled) - set(BY_CODE))
    if unknown:
        raise ValidationFailed(f"没有这样的功能模块：{'、'.join(unknown)}，请刷新页面后重试", field="modules")
    if any(held.id == role.id for held in caller.roles):
        raise PermissionDenied("不能修改自己所属角色的功能模块，请由另一位系统管理员操作")
    rows = {row.module: row for row in db.scalars(select(ModuleOff).where(ModuleOff.role_id == role.id))}
    wanted_off = {m.code for m in MODULES} - set(enabled)
    turned_off = sorted(wanted_off - rows.keys())
    turned_on = sorted(rows.keys() - wanted_off)
    for code in turned_off:
        db.add(ModuleOff(role_id=role.id, module=code, created_by_id=caller.id))
    for code in turned_on:
        db.delete(rows[code])
    if turned_off or turned_on:
        db.flush()
        record_event(
            db,
            action="modules.switch",
            entity="role",
            entity_id=str(role.id),
            details={
                "角色": role.name,
                "关闭": [BY_CODE[c].name for c in turned_off],
                "开启": [BY_CODE[c].name for c in turned_on],
            },
        )
    return role
