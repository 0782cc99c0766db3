"""Admin site, organisation: departments, users and roles (service items: web/admin_items.py)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.deps import DB
from core.errors import NotFound, ValidationFailed
from core.org import duties, windows
from core.org import roles as role_admin
from core.org import service as org_service
from core.org.models import Department, Role, User
from core.org.permissions import DATA_SCOPE_LABELS, PERMISSION_LABELS, Permission
from core.org.schemas import DepartmentIn
from core.security import mask_phone
from web.admin_notifications import notify_context, notify_values, save_notify_values
from web.common import (
    Form,
    checked,
    flash,
    redirect,
    render,
    text,
    texts,
    to_int,
    validation_message,
)
from web.deps import ErrorRoute, OnError, staff_with

router = APIRouter(prefix="/admin", include_in_schema=False)

DEPARTMENT_LABELS = {
    "code": "部门编码",
    "name": "部门名称",
    "short_name": "简称",
    "phone": "电话",
    "windows": "窗口号",
    "sort_order": "排序",
}


OrgManager = Annotated[User, Depends(staff_with(Permission.ORG_MANAGE))]
SecurityManager = Annotated[User, Depends(staff_with(Permission.SECURITY_MANAGE))]


# ---------------------------------------------------------------- departments


@router.get("/departments", response_class=HTMLResponse)
def departments(request: Request, db: DB, manager: OrgManager) -> HTMLResponse:
    """All departments."""
    return render(request, "admin/departments.html", {"departments": org_service.list_departments(db=db)})


def _department_values(form: FormData) -> dict[str, Any]:
    raw = {key: text(form, key) for key in DEPARTMENT_LABELS}
    raw["sort_order"] = raw["sort_order"] or "0"
    try:
        return DepartmentIn.model_validate({**raw, "is_active": checked(form, "is_active")}).model_dump()
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, DEPARTMENT_LABELS)) from exc


@router.get("/departments/new", response_class=HTMLResponse)
def department_new_page(request: Request, db: DB, manager: OrgManager) -> HTMLResponse:
    """An empty department form."""
    return render(request, "admin/department_form.html", {"department": None, "values": {"is_active": True}})


@router.get("/departments/{department_id}", response_class=HTMLResponse)
def department_page(department_id: int, request: Request, db: DB, manager: OrgManager) -> HTMLResponse:
    """A department's form."""
    department = org_service.get_department(db=db, department_id=department_id)
    values = {key: getattr(department, key) for key in [*DEPARTMENT_LABELS, "is_active"]}
    return render(request, "admin/department_form.html", {"department": department, "values": values})


def _save_department(
    request: Request, db: Session, form: FormData, department: Department | None, on_error: ErrorRoute
) -> Response:
    values = {key: text(form, key) for key in DEPARTMENT_LABELS} | {"is_active": checked(form, "is_active")}
    on_error.show("admin/department_form.html", {"department": department, "values": values})
    saved = org_service.save_department(db=db, department=department, values=_department_values(form))
    flash(request, f"部门“{saved.name}”已保存")
    return redirect("/admin/departments")


@router.post("/departments/new", response_class=HTMLResponse)
def department_create(request: Request, db: DB, form: Form, manager: OrgManager, on_error: OnError) -> Response:
    """Creates a department."""
    return _save_department(request, db, form, None, on_error)


@router.post("/departments/{department_id}", response_class=HTMLResponse)
def department_update(
    department_id: int, request: Request, db: DB, form: Form, manager: OrgManager, on_error: OnError
) -> Response:
    """Changes a department."""
    department = org_service.get_department(db=db, department_id=department_id)
    return _save_department(request, db, form, department, on_error)


# ---------------------------------------------------------------- users


def _user_row(user: User) -> dict[str, Any]:
    return {
        "user": user,
        "phone": mask_phone(user.phone) if user.phone else "",
        "roles": "、".join(r.name for r in user.roles),
    }


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, db: DB, manager: OrgManager, department_id: str | None = None) -> HTMLResponse:
    """Users, optionally of one department."""
    department = to_int(department_id, "部门")
    query = select(User).order_by(User.id)
    if department:
        query = query.where(User.department_id == department)
    rows = [_user_row(u) for u in db.scalars(query.limit(1000))]
    context = {"rows": rows, "departments": org_service.list_departments(db=db), "department_id": department}
    return render(request, "admin/users.html", context)


def _user_form_context(db: Session, target: User | None, values: dict[str, Any]) -> dict[str, Any]:
    departments = org_service.list_departments(db=db)
    return {
        "target": target,
        "values": values,
        "roles": org_service.list_roles(db=db),
        "departments": departments,
        # the windows the departments' signs list, offered as the window field's suggestions
        "window_choices": [(w, d.short_name or d.name) for d in departments for w in windows.names(d.windows)],
    }


@router.get("/users/new", response_class=HTMLResponse)
def user_new_page(request: Request, db: DB, manager: OrgManager) -> HTMLResponse:
    """An empty user form."""
    values = {"roles": [], "is_active": True, "notify_channels": ["inbox", "wecom"]}
    return render(request, "admin/user_form.html", _user_form_context(db, None, values))


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(user_id: int, request: Request, db: DB, manager: OrgManager) -> HTMLResponse:
    """A user's form (the password stays empty: fill it in only to set a new one)."""
    target = _get_user(db, user_id)
    values = {
        "username": target.username,
        "name": target.name,
        "department_id": target.department_id,
        "window": target.window or "",
        "phone": target.phone or "",
        "roles": [r.code for r in target.roles],
        "is_active": target.is_active,
    } | notify_context(target)
    return render(request, "admin/user_form.html", _user_form_context(db, target, values))


def _get_user(db: Session, user_id: int) -> User:
    target = org_service.get_user(db=db, user_id=user_id)
    if target is None:
        raise NotFound("用户不存在")
    return target


def _user_values(form: FormData) -> dict[str, Any]:
    return {
        "username": text(form, "username"),
        "name": text(form, "name"),
        "department_id": to_int(text(form, "department_id"), "部门"),
        "window": text(form, "window"),
        "phone": text(form, "phone"),
        "roles": texts(form, "roles"),
        "is_active": checked(form, "is_active"),
    } | notify_values(form)


@router.post("/users/new", response_class=HTMLResponse)
def user_create(request: Request, db: DB, form: Form, manager: OrgManager, on_error: OnError) -> Response:
    """Creates a staff user."""
    values = _user_values(form)
    on_error.show("admin/user_form.html", lambda: _user_form_context(db, None, values))
    if not values["name"]:
        raise ValidationFailed("请填写姓名")
    if not values["roles"]:
        raise ValidationFailed("请至少选择一个角色")
    duties.check_role_assignment(manager, None, org_service.roles_by_code(db, values["roles"]))
    created = org_service.create_user(
        db=db,
        username=values["username"],
        name=values["name"],
        password=text(form, "password"),
        role_codes=values["roles"],
        department_id=values["department_id"],
        window=values["window"] or None,
        phone=values["phone"] or None,
        must_change_password=True,  # the administrator chose it: the owner changes it at the first login
    )
    created.is_active = values["is_active"]
    save_notify_values(db, created, values, manager)
    flash(request, f"用户“{created.name}”已创建")
    return redirect("/admin/users")


@router.post("/users/{user_id}", response_class=HTMLResponse)
def user_update(user_id: int, request: Request, db: DB, form: Form, manager: OrgManager, on_error: OnError) -> Response:
    """Changes a user's name, department, phone, roles, active flag or password."""
    target = _get_user(db, user_id)
    values = _user_values(form)
    on_error.show("admin/user_form.html", lambda: _user_form_context(db, _get_user(db, user_id), values))
    if not values["name"]:
        raise ValidationFailed("请填写姓名")
    if not values["roles"]:
        raise ValidationFailed("请至少选择一个角色")
    duties.check_role_assignment(manager, target, org_service.roles_by_code(db, values["roles"]))
    org_service.update_user(
        db=db,
        user=target,
        name=values["name"],
        department_id=values["department_id"],
        phone=values["phone"],
        role_codes=values["roles"],
        is_active=values["is_active"],
        password=text(form, "password") or None,
        window=values["window"],  # empty: no window
    )
    save_notify_values(db, target, values, manager)
    flash(request, f"用户“{target.name}”已保存")
    return redirect("/admin/users")


# ---------------------------------------------------------------- roles


def _roles_context(db: Session, values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "roles": org_service.list_roles(db=db),
        "permission_labels": PERMISSION_LABELS,
        "scope_labels": DATA_SCOPE_LABELS,
        "built_in": role_admin.BUILT_IN,
        "new_role": values or {"permissions": [], "scope": "department"},
    }


@router.get("/roles", response_class=HTMLResponse)
def roles(request: Request, db: DB, editor: SecurityManager) -> HTMLResponse:
    """Every role with its permissions and data scope, each editable (security administrators)."""
    return render(request, "admin/roles.html", _roles_context(db))


@router.post("/roles/new", response_class=HTMLResponse)
def role_create(request: Request, db: DB, form: Form, editor: SecurityManager, on_error: OnError) -> Response:
    """Adds a role (a security administrator; core/org/roles.py checks it as an edited role is checked)."""
    values = {
        "code": text(form, "code"),
        "name": text(form, "name"),
        "description": text(form, "description"),
        "permissions": texts(form, "permissions"),
        "scope": text(form, "scope") or "department",
    }
    on_error.show("admin/roles.html", lambda: _roles_context(db, values))
    try:
        data = role_admin.RoleIn(
            code=values["code"],
            name=values["name"],
            description=values["description"],
            permissions=values["permissions"],
            data_scope=values["scope"],
        )
    except ValidationError as error:
        raise ValidationFailed("请填写角色编码（2–32 位）和名称（1–50 个字）", field="code") from error
    role = role_admin.create_role(db, editor, data)
    flash(request, f"角色“{role.name}”已新增")
    return redirect("/admin/roles")


@router.post("/roles/{role_id}/delete", response_class=HTMLResponse)
def role_delete(role_id: int, request: Request, db: DB, editor: SecurityManager, on_error: OnError) -> Response:
    """Deletes a role nobody holds (not a built-in one)."""
    role = db.get(Role, role_id)
    if role is None:
        raise NotFound("角色不存在")
    on_error.show("admin/roles.html", lambda: _roles_context(db))
    name = role.name
    role_admin.delete_role(db, editor, role)
    flash(request, f"角色“{name}”已删除")
    return redirect("/admin/roles")


@router.post("/roles/{role_id}", response_class=HTMLResponse)
def role_update(
    role_id: int, request: Request, db: DB, form: Form, editor: SecurityManager, on_error: OnError
) -> Response:
    """Changes a role's permissions and data scope (a security administrator, never of a role they hold)."""
    role = db.get(Role, role_id)
    if role is None:
        raise NotFound("角色不存在")
    on_error.show("admin/roles.html", lambda: _roles_context(db))
    duties.check_role_edit(editor, role, texts(form, "permissions"))
    holders = db.scalars(select(User).where(User.roles.any(Role.id == role.id)))
    duties.check_holders(role, texts(form, "permissions"), holders)
    org_service.update_role(db=db, role=role, permissions=texts(form, "permissions"), data_scope=text(form, "scope"))
    flash(request, f"角色“{role.name}”已保存")
    return redirect("/admin/roles")
