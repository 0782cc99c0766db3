"""Organisation API: tokens, the current user, departments, roles and users."""

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from core.deps import DB, CurrentUser
from core.errors import AppError, NotAuthenticated, NotFound, PermissionDenied
from core.org import duties, passwords, phone_codes, service, two_factor
from core.org import roles as role_admin
from core.org.models import Role, User
from core.org.permissions import Permission
from core.org.schemas import (
    DepartmentIn,
    DepartmentOut,
    PasswordChangeIn,
    PhoneCodeIn,
    PhoneCodeOut,
    ProfileIn,
    RegisterIn,
    RoleOut,
    RoleUpdate,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserUpdate,
)
from core.rate_limit import client_ip, hit
from core.settings import get_settings

router = APIRouter(tags=["机构与用户"])


@router.post("/auth/token", response_model=TokenOut, summary="登录，获取访问令牌")
def login_for_token(data: TokenIn, db: DB, request: Request, _caller: CurrentUser) -> TokenOut:
    """Exchanges a username and password (and the one-time code of a two-factor account) for a bearer token."""
    hit(get_settings().login_rate, "login", client_ip(request), message="登录尝试过于频繁，请一分钟后再试")
    try:
        user = service.authenticate(db=db, username=data.username, password=data.password)
        if two_factor.needed_at_login(user):
            if not user.two_factor_enabled:
                raise PermissionDenied(
                    "您的账号须使用双因素认证，请先登录网站完成绑定", code="two_factor_enrolment_required"
                )
            if not data.otp:
                raise NotAuthenticated("请同时提交手机验证器上的动态验证码（otp）", code="two_factor_required")
            if not two_factor.verify(db, user, data.otp):
                service.record_second_factor_failure(db=db, user=user)
                raise NotAuthenticated("动态验证码或恢复码不正确", code="bad_one_time_code")
    except AppError:
        db.commit()  # keep the count and the record of the failed attempt
        raise
    if reason := passwords.change_due(user):
        raise service.PasswordChangeRequired(reason + "（可登录网站修改，或调用 POST /api/v1/me/password）", page="")
    hours = get_settings().token_ttl_hours
    return TokenOut(access_token=service.sign_in_with_token(db=db, user=user), expires_in_hours=hours)


@router.post("/auth/register/code", response_model=PhoneCodeOut, status_code=202, summary="获取注册短信验证码")
def register_code(data: PhoneCodeIn, db: DB, request: Request, _caller: CurrentUser) -> PhoneCodeOut:
    """Texts a six-digit code to the phone to register with (limited per number and per address)."""
    sent_to = phone_codes.send_code(db, phone=data.phone, client=client_ip(request))
    return PhoneCodeOut(sent_to=sent_to, expires_in_minutes=get_settings().sms_code_ttl_minutes)


@router.post("/auth/register", response_model=UserOut, status_code=201, summary="群众注册")
def register(data: RegisterIn, db: DB, request: Request, _caller: CurrentUser) -> UserOut:
    """A citizen registers with a mobile number and the code texted to it."""
    hit("5/minute", "register", client_ip(request))
    citizen = phone_codes.register_with_code(
        db, phone=data.phone, name=data.name, password=data.password, sms_code=data.sms_code
    )
    return UserOut.from_model(citizen)


@router.get("/me", response_model=UserOut, summary="当前用户")
def me(user: CurrentUser) -> UserOut:
    """Who the caller is."""
    if user is None:
        raise NotAuthenticated("请先登录")
    return UserOut.from_model(user)


@router.patch("/me", response_model=UserOut, summary="修改本人资料")
def update_me(data: ProfileIn, db: DB, user: CurrentUser) -> UserOut:
    """Changes one's own name (and phone, for staff)."""
    if user is None:
        raise NotAuthenticated("请先登录")
    return UserOut.from_model(service.update_profile(db=db, user=user, name=data.name, phone=data.phone))


@router.post("/me/password", status_code=204, summary="修改本人密码")
def change_my_password(data: PasswordChangeIn, db: DB, user: CurrentUser, request: Request) -> None:
    """Changes one's own password; every other web session and bearer token of the caller ends (the token or
    session making the change stays valid)."""
    if user is None:
        raise NotAuthenticated("请先登录")
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    key = request.session.get("sid") if token is None and "session" in request.scope else None
    service.change_own_password(
        db=db,
        user=user,
        current=data.current_password,
        new=data.new_password,
        keep_session=key if isinstance(key, str) else None,
        keep_token=token,
    )
    if "session" in request.scope:
        request.session.pop("password_change", None)


@router.post("/users/{user_id}/unlock", response_model=UserOut, summary="解锁用户（密码连续输错被锁定）")
def unlock_user(user_id: int, db: DB, user: CurrentUser) -> UserOut:
    """Lifts a lockout (admins)."""
    service.require(user, Permission.ORG_MANAGE)
    target = service.get_user(db=db, user_id=user_id)
    if target is None:
        raise NotFound("用户不存在")
    return UserOut.from_model(service.unlock(db=db, user=target))


@router.get("/departments", response_model=list[DepartmentOut], summary="部门列表（公开）")
def departments(db: DB) -> list[DepartmentOut]:
    """All active departments, for filters and guides."""
    return [DepartmentOut.model_validate(d) for d in service.list_departments(db=db, active_only=True)]


@router.post("/departments", response_model=DepartmentOut, status_code=201, summary="新增部门")
def create_department(data: DepartmentIn, db: DB, user: CurrentUser) -> DepartmentOut:
    """Creates a department (admins)."""
    service.require(user, Permission.ORG_MANAGE)
    return DepartmentOut.model_validate(service.save_department(db=db, department=None, values=data.model_dump()))


@router.put("/departments/{department_id}", response_model=DepartmentOut, summary="修改部门")
def update_department(department_id: int, data: DepartmentIn, db: DB, user: CurrentUser) -> DepartmentOut:
    """Changes a department (admins)."""
    service.require(user, Permission.ORG_MANAGE)
    department = service.get_department(db=db, department_id=department_id)
    return DepartmentOut.model_validate(service.save_department(db=db, department=department, values=data.model_dump()))


def require_any(user: User | None, *permissions: Permission) -> User:
    """The user when they hold any of the permissions; 401/403 otherwise."""
    if user is not None and any(p in user.permissions for p in permissions):
        return user
    return service.require(user, permissions[0])


@router.get("/roles", response_model=list[RoleOut], summary="角色列表")
def roles(db: DB, user: CurrentUser) -> list[RoleOut]:
    """Roles with their permissions (system and security administrators)."""
    require_any(user, Permission.ORG_MANAGE, Permission.SECURITY_MANAGE)
    return [RoleOut.model_validate(r) for r in service.list_roles(db=db)]


@router.post("/roles", response_model=RoleOut, status_code=201, summary="新增角色")
def create_role(data: role_admin.RoleIn, db: DB, user: CurrentUser) -> RoleOut:
    """Adds a role (security administrators; no role may combine two of the three duties)."""
    return RoleOut.model_validate(role_admin.create_role(db, user, data))


@router.delete("/roles/{role_id}", status_code=204, summary="删除角色")
def delete_role(role_id: int, db: DB, user: CurrentUser) -> Response:
    """Deletes a role nobody holds; the built-in roles stay (security administrators). The role is looked up first
    (which roles exist is no secret: the role list is open to the administrators), so an id beyond the database's
    range is a 404 for anyone."""
    role = db.get(Role, role_id)
    if role is None:
        raise NotFound("角色不存在")
    role_admin.delete_role(db, user, role)
    return Response(status_code=204)


@router.put("/roles/{role_id}", response_model=RoleOut, summary="修改角色权限")
def update_role(role_id: int, data: RoleUpdate, db: DB, user: CurrentUser) -> RoleOut:
    """Changes a role's permissions and data scope (security administrators, never of a role they hold)."""
    caller = service.require(user, Permission.SECURITY_MANAGE)
    role = db.get(Role, role_id)
    if role is None:
        raise NotFound("角色不存在")
    duties.check_role_edit(caller, role, data.permissions)
    duties.check_holders(role, data.permissions, db.scalars(select(User).where(User.roles.any(Role.id == role.id))))
    return RoleOut.model_validate(
        service.update_role(db=db, role=role, permissions=data.permissions, data_scope=data.data_scope)
    )


@router.get("/users", response_model=list[UserOut], summary="用户列表")
def users(db: DB, user: CurrentUser, department_id: int | None = None, staff: bool | None = None) -> list[UserOut]:
    """Users, optionally of one department (system and security administrators)."""
    require_any(user, Permission.ORG_MANAGE, Permission.SECURITY_MANAGE)
    query = select(User).order_by(User.id)
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    if staff is not None:
        query = query.where(User.is_staff.is_(staff))
    return [UserOut.from_model(u) for u in db.scalars(query.limit(1000))]


@router.post("/users", response_model=UserOut, status_code=201, summary="新增用户")
def create_user(data: UserIn, db: DB, user: CurrentUser) -> UserOut:
    """Creates a staff user (system administrators; roles of the three duties only by a security administrator)."""
    caller = service.require(user, Permission.ORG_MANAGE)
    duties.check_role_assignment(caller, None, service.roles_by_code(db, data.roles))
    created = service.create_user(
        db=db,
        username=data.username,
        name=data.name,
        password=data.password,
        role_codes=data.roles,
        department_id=data.department_id,
        window=data.window,
        phone=data.phone,
        must_change_password=True,  # the administrator chose it: the owner changes it at the first login
    )
    return UserOut.from_model(created)


@router.patch("/users/{user_id}", response_model=UserOut, summary="修改用户")
def update_user(user_id: int, data: UserUpdate, db: DB, user: CurrentUser) -> UserOut:
    """Changes a user (system administrators); a security administrator changes only the roles (三员分立)."""
    caller = require_any(user, Permission.ORG_MANAGE, Permission.SECURITY_MANAGE)
    target = service.get_user(db=db, user_id=user_id)
    if target is None:
        raise NotFound("用户不存在")
    account = (data.name, data.department_id, data.window, data.phone, data.is_active, data.password)
    if Permission.ORG_MANAGE not in caller.permissions and any(v is not None for v in account):
        raise PermissionDenied("安全管理员只能为用户分配角色，账号信息由系统管理员维护")
    if data.roles is not None:
        duties.check_role_assignment(caller, target, service.roles_by_code(db, data.roles))
    updated = service.update_user(
        db=db,
        user=target,
        name=data.name,
        department_id=data.department_id,
        phone=data.phone,
        role_codes=data.roles,
        is_active=data.is_active,
        password=data.password,
        window=data.window,
    )
    return UserOut.from_model(updated)
