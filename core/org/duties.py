"""Separation of duties (三员分立): the system administrator (users, departments, items), the security
administrator (roles and permissions, security settings, unlocking accounts) and the auditor (the audit log only)
are three people, and none of them can hand themselves another's powers.

- Nobody changes their own roles, nor the permissions of a role they hold.
- A role that carries one of the three duties is granted or withdrawn only by a security administrator; business
  roles (clerk, officer, …) by a system or security administrator.
- No account and no role combines two of the three duties.
"""

from collections.abc import Iterable

from core.errors import PermissionDenied
from core.org.models import Role, User
from core.org.permissions import Permission

DUTIES: dict[str, str] = {
    Permission.ORG_MANAGE.value: "系统管理员",
    Permission.SECURITY_MANAGE.value: "安全管理员",
    Permission.AUDIT_READ.value: "审计员",
}
"""The three duties by the permission that defines each."""


def duties_of(permissions: Iterable[str]) -> set[str]:
    """Which of the three duties a set of permissions carries."""
    return set(permissions) & set(DUTIES)


def _refuse_combined(permissions: Iterable[str], whose: str) -> None:
    held = duties_of(permissions)
    if len(held) > 1:
        names = "、".join(DUTIES[p] for p in sorted(held))
        raise PermissionDenied(f"三员分立：{whose}不能同时承担{names}的职责")


def check_role_assignment(by: User, target: User | None, roles: list[Role]) -> None:
    """Refuses ``by`` giving ``target`` (``None``: an account being created) exactly these roles."""
    current = {role.code: role for role in target.roles} if target is not None else {}
    wanted = {role.code: role for role in roles}
    changed = [wanted[c] for c in wanted.keys() - current.keys()] + [current[c] for c in current.keys() - wanted.keys()]
    if not changed:
        return
    if target is not None and target.id == by.id:
        raise PermissionDenied("不能修改自己的角色，请由另一位安全管理员操作")
    granter = by.permissions
    for role in changed:
        if duties_of(role.permissions):
            if Permission.SECURITY_MANAGE not in granter:
                raise PermissionDenied(f"角色“{role.name}”只能由安全管理员分配或收回")
        elif Permission.SECURITY_MANAGE not in granter and Permission.ORG_MANAGE not in granter:
            raise PermissionDenied(f"您没有分配角色“{role.name}”的权限")
    _refuse_combined((p for role in roles for p in role.permissions), "同一账号")


def check_role_edit(by: User, role: Role, permissions: list[str]) -> None:
    """Refuses ``by`` setting a role's permissions: only a security administrator, never on a role they hold, and
    never so that the role, or an account holding it, combines two duties."""
    if Permission.SECURITY_MANAGE not in by.permissions:
        raise PermissionDenied("角色权限只能由安全管理员修改")
    if any(held.id == role.id for held in by.roles):
        raise PermissionDenied("不能修改自己所属角色的权限，请由另一位安全管理员操作")
    _refuse_combined(permissions, f"角色“{role.name}”")


def check_holders(role: Role, permissions: list[str], holders: Iterable[User]) -> None:
    """Refuses new permissions for a role when an account holding it would then combine two duties."""
    for holder in holders:
        others = [p for held in holder.roles if held.id != role.id for p in held.permissions]
        _refuse_combined([*others, *permissions], f"账号“{holder.name}”")
