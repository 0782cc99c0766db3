"""Creating and deleting roles (角色管理) — the security administrator's work, like changing a role's permissions
(三员分立, core/org/duties.py): a new role is checked as an edited one is (no two duties in one role), and a role
is deleted only when nobody holds it and it is not one the platform itself relies on (the built-in roles the seed
creates: 系统管理员, 安全管理员, 审计员, 办事群众/企业 …)."""

import re

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.org import duties, service
from core.org.models import Role, User, user_role
from core.org.permissions import Permission
from core.validators import OneLine

BUILT_IN = frozenset(
    {
        "admin",
        "security",
        "auditor",
        "desk",
        "leader",
        "clerk",
        "officer",
        "guide",
        "tracker",
        "editor",
        "reviewer",
        "citizen",
        "service",
        "helper",
    }
)
"""The codes of the roles core/seed/demo.py ``ROLES`` creates (tests/test_roles.py keeps the two lists equal): code
and tests name them, so they stay; their permissions may still be changed."""
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


class RoleIn(BaseModel):
    """A new role."""

    code: str = Field(min_length=2, max_length=32, description="角色编码：小写字母开头，字母、数字、下划线")
    name: OneLine = Field(min_length=1, max_length=50)
    permissions: list[str] = Field(default_factory=list)
    data_scope: str = "department"
    description: OneLine = Field(default="", max_length=200)


def create_role(db: Session, user: User | None, data: RoleIn) -> Role:
    """Adds a role with its permissions and data scope (a security administrator)."""
    caller = service.require(user, Permission.SECURITY_MANAGE)
    code = data.code.strip()
    if not _CODE.fullmatch(code):
        raise ValidationFailed("角色编码应以小写字母开头，由小写字母、数字和下划线组成（2–32 位）", field="code")
    if db.scalar(select(Role.id).where(Role.code == code)) is not None:
        raise Conflict(f"角色编码“{code}”已被使用", field="code")
    if db.scalar(select(Role.id).where(Role.name == data.name)) is not None:
        raise Conflict(f"角色名称“{data.name}”已被使用", field="name")
    role = Role(code=code, name=data.name, description=data.description, permissions=[], data_scope="department")
    duties.check_role_edit(caller, role, data.permissions)
    service.update_role(db=db, role=role, permissions=data.permissions, data_scope=data.data_scope)
    db.add(role)
    db.flush()
    return role


def holders(db: Session, role: Role) -> int:
    """How many accounts hold the role."""
    return db.scalar(select(func.count()).select_from(user_role).where(user_role.c.role_id == role.id)) or 0


def delete_role(db: Session, user: User | None, role: Role) -> None:
    """Deletes a role nobody holds that the platform does not rely on (a security administrator)."""
    service.require(user, Permission.SECURITY_MANAGE)
    if role.code in BUILT_IN:
        raise PermissionDenied(f"“{role.name}”是系统内置角色，不能删除（可以修改它的权限）")
    if count := holders(db, role):
        raise Conflict(f"仍有 {count} 个账号拥有角色“{role.name}”，请先在用户管理中收回该角色")
    db.delete(role)
    db.flush()
