"""Users, roles, departments and tokens: plain data access plus the permission checks."""

from datetime import timedelta
from functools import lru_cache
from math import ceil
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import cache
from core.audit.hooks import record_event
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, TooManyRequests, ValidationFailed
from core.org import events, passwords, sessions, windows
from core.org.models import ApiToken, Department, Role, User
from core.org.permissions import DataScope, Permission
from core.org.schemas import DepartmentOut
from core.security import hash_password, keyed_hash, mask_phone, new_token, verify_password
from core.settings import get_settings
from core.validators import hidden_character_problem, phone_problem

BAD_CREDENTIALS = "用户名或密码不正确"


class AccountLocked(TooManyRequests):
    """Too many wrong passwords in a row: the account waits (or an administrator unlocks it)."""

    code = "account_locked"


class PasswordChangeRequired(PermissionDenied):
    """The password was set by an administrator or has expired: it must be changed before anything else."""

    code = "password_change_required"

    def __init__(self, message: str, *, page: str) -> None:
        super().__init__(message)
        self.page = page


def get_user(*, db: Session, user_id: int) -> User | None:
    """Returns a user based on the given id."""
    return db.get(User, user_id)


def get_user_by_username(*, db: Session, username: str) -> User | None:
    """Returns a user based on the stored login name."""
    return db.scalar(select(User).where(User.username == username))


def citizen_login_name(phone: str) -> str:
    """Citizens log in with their mobile number; the user table keeps only a keyed hash of it as login
    name (the number itself is stored encrypted), so the clear number is nowhere in the database."""
    return "m:" + keyed_hash("login:" + phone.strip())[:40]


def get_user_by_login(*, db: Session, login: str) -> User | None:
    """Returns the user for what a person types as login: a staff login name or a citizen's mobile number."""
    login = login.strip()
    user = get_user_by_username(db=db, username=login)
    if user is None and phone_problem(login) is None:
        user = get_user_by_username(db=db, username=citizen_login_name(login))
    return user


def list_departments(*, db: Session, active_only: bool = False) -> list[Department]:
    """Returns departments in display order."""
    query = select(Department).order_by(Department.sort_order, Department.id)
    if active_only:
        query = query.where(Department.is_active.is_(True))
    return list(db.scalars(query))


def department_choices(*, db: Session) -> list[DepartmentOut]:
    """The active departments in display order, for the public pages' filter lists: cached (core/cache.py),
    emptied when a department changes."""
    return cache.cached(
        "reference",
        "departments:active",
        list[DepartmentOut],
        lambda: [DepartmentOut.model_validate(d) for d in list_departments(db=db, active_only=True)],
    )


def get_department(*, db: Session, department_id: int) -> Department:
    """Returns a department or raises NotFound."""
    department = db.get(Department, department_id)
    if department is None:
        raise NotFound("部门不存在")
    return department


def get_department_by_code(*, db: Session, code: str) -> Department | None:
    """Returns a department based on its code."""
    return db.scalar(select(Department).where(Department.code == code))


def list_roles(*, db: Session) -> list[Role]:
    """Returns all roles."""
    return list(db.scalars(select(Role).order_by(Role.id)))


def get_role_by_code(*, db: Session, code: str) -> Role | None:
    """Returns a role based on its code."""
    return db.scalar(select(Role).where(Role.code == code))


def _person_name(name: str) -> str:
    """A person's name as typed: trimmed, 1–50 characters, one line without hidden characters."""
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationFailed("姓名不能为空，且不超过50个字符", field="name")
    if problem := hidden_character_problem(name):
        raise ValidationFailed("姓名" + problem, field="name")
    return name


def create_user(
    *,
    db: Session,
    username: str,
    name: str,
    password: str,
    role_codes: list[str],
    department_id: int | None = None,
    phone: str | None = None,
    is_staff: bool = True,
    must_change_password: bool = False,
    window: str | None = None,
) -> User:
    """Creates a user with the given roles after checking the inputs; ``must_change_password`` when an
    administrator chose the password (its owner then changes it at the first login); ``window`` the hall window of
    a staff account (core/org/windows.py)."""
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationFailed("登录名不能为空，且不超过64个字符", field="username")
    if problem := hidden_character_problem(username):
        raise ValidationFailed("登录名" + problem, field="username")
    name = _person_name(name)
    if get_user_by_username(db=db, username=username):
        raise Conflict(f"登录名“{username}”已被使用", field="username")
    passwords.check_policy(password, username=username, phone=phone)
    if phone and (problem := phone_problem(phone)):
        raise ValidationFailed(problem, field="phone")
    roles = []
    for code in role_codes:
        role = get_role_by_code(db=db, code=code)
        if role is None:
            raise ValidationFailed(f"角色“{code}”不存在", field="roles")
        roles.append(role)
    department = get_department(db=db, department_id=department_id) if department_id is not None else None
    if any(r.data_scope == DataScope.DEPARTMENT for r in roles) and department_id is None:
        raise ValidationFailed("本部门数据范围的角色需要指定所属部门", field="department_id")
    window = windows.checked(window, is_staff=is_staff, department=department)
    user = User(
        username=username,
        name=name,
        password_hash=hash_password(password),
        password_changed_at=now(),
        must_change_password=must_change_password,
        department_id=department_id,
        window=window,
        phone=phone or None,
        is_staff=is_staff,
        roles=roles,
    )
    db.add(user)
    db.flush()
    return user


@lru_cache
def _dummy_hash(cost: tuple[int, int, int]) -> str:
    return hash_password("no such user: the same work as a real check")


def login_label(login: str) -> str:
    """What the audit log keeps of a typed login: a mobile number masked (138****0000), anything else as typed."""
    login = login.strip()[:64]
    return mask_phone(login) if phone_problem(login) is None else login


def authenticate(*, db: Session, username: str, password: str) -> User:
    """Returns the active user whose password matches, recording the attempt; raises a Chinese 401 otherwise,
    or 429 while the account is locked. The caller commits before raising on, so the count and record stay.

    An unknown login costs the same argon2 verification as a known one, so timing does not tell which exist.
    After ``login_lockout_failures`` wrong passwords in a row the account is locked for ``login_lockout_minutes``.
    """
    settings = get_settings()
    user = get_user_by_login(db=db, login=username)
    label = login_label(username)
    if user is not None and user.locked_until is not None and user.locked_until > now():
        record_event(db, action="auth.login_locked", entity="user", entity_id=str(user.id), details={"username": label})
        minutes = max(1, ceil((user.locked_until - now()).total_seconds() / 60))
        raise AccountLocked(f"密码连续输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或联系管理员解锁")
    cost = (settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism)
    matches = verify_password(user.password_hash if user is not None else _dummy_hash(cost), password)
    ok = user is not None and user.is_active and matches
    record_event(
        db,
        action="auth.login" if ok else "auth.login_failed",
        entity="user",
        entity_id=str(user.id) if user else "",
        details={"username": label},
    )
    if user is None or not ok:
        if user is not None and user.is_active:
            user.failed_logins = (user.failed_logins or 0) + 1
            if user.failed_logins >= settings.login_lockout_failures:
                lock(db=db, user=user)
                raise AccountLocked(
                    f"密码连续输错 {settings.login_lockout_failures} 次，账号已锁定 {settings.login_lockout_minutes} 分钟，"
                    "请稍后再试，或联系管理员解锁"
                )
        raise NotAuthenticated(BAD_CREDENTIALS, code="bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now()
    return user


def lock(*, db: Session, user: User) -> None:
    """Locks the account for ``login_lockout_minutes`` (too many failures), recorded."""
    minutes = get_settings().login_lockout_minutes
    user.locked_until = now() + timedelta(minutes=minutes)
    user.failed_logins = 0
    record_event(db, action="auth.locked", entity="user", entity_id=str(user.id), details={"minutes": minutes})


def record_second_factor_failure(*, db: Session, user: User) -> None:
    """A wrong one-time code counts like a wrong password towards the lockout."""
    user.failed_logins = (user.failed_logins or 0) + 1
    record_event(db, action="auth.two_factor_failed", entity="user", entity_id=str(user.id))
    if user.failed_logins >= get_settings().login_lockout_failures:
        lock(db=db, user=user)


def unlock(*, db: Session, user: User) -> User:
    """An administrator lifts a lockout (recorded)."""
    user.locked_until = None
    user.failed_logins = 0
    record_event(db, action="auth.unlocked", entity="user", entity_id=str(user.id))
    return user


def is_locked(user: User) -> bool:
    """True while the account is locked."""
    return user.is_locked


def change_own_password(
    *, db: Session, user: User, current: str, new: str, keep_session: str | None = None, keep_token: str | None = None
) -> None:
    """A person changes their own password: the current one must be right, the new one follow the policy.

    Every other login of theirs ends (web sessions and bearer tokens); the session or token making the change
    stays, so the person is not thrown out of the page they are on.
    """
    if not verify_password(user.password_hash, current):
        raise ValidationFailed("当前密码不正确", field="current_password")
    if new == current:
        raise ValidationFailed("新密码不能与当前密码相同", field="password")
    passwords.set_password(db, user, new)
    _end_logins(db, user, keep_session=keep_session, keep_token=keep_token)
    record_event(db, action="auth.password_changed", entity="user", entity_id=str(user.id))


def _end_logins(db: Session, user: User, *, keep_session: str | None = None, keep_token: str | None = None) -> None:
    sessions.end_all(db, user, keep=keep_session)
    keep_hash = keyed_hash(keep_token) if keep_token else None
    for token in db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))):
        if token.token_hash != keep_hash:
            token.revoked = True


def update_profile(*, db: Session, user: User, name: str, phone: str | None) -> User:
    """A person changes their own name and (staff) phone; a citizen's phone is their login and stays."""
    user.name = _person_name(name)
    if user.is_staff and phone is not None:
        phone = phone.strip()
        if phone and (problem := phone_problem(phone)):
            raise ValidationFailed(problem, field="phone")
        user.phone = phone or None
    return user


def issue_token(*, db: Session, user: User, name: str, ttl_hours: int | None = None) -> str:
    """Creates a bearer token for a user; the clear token is returned once and never stored."""
    token = new_token()
    hours = ttl_hours if ttl_hours is not None else get_settings().token_ttl_hours
    db.add(
        ApiToken(
            name=name,
            token_hash=keyed_hash(token),
            user_id=user.id,
            expires_at=now() + timedelta(hours=hours) if hours > 0 else None,
        )
    )
    return token


def sign_in_with_token(*, db: Session, user: User) -> str:
    """The bearer token of a person who has just proven their password (and one-time code) on the API: issued,
    and the sign-in announced (``user.signed_in``) as a web login is. Tokens issued otherwise (the command line's
    service tokens) are no sign-in."""
    token = issue_token(db=db, user=user, name="api-login")
    events.signed_in(db, user, via="api")
    return token


def user_for_token(*, db: Session, token: str) -> User | None:
    """Returns the active user behind a valid, unexpired, unrevoked token."""
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == keyed_hash(token)))
    if row is None or row.revoked or (row.expires_at and row.expires_at < now()):
        return None
    return row.user if row.user.is_active else None


def require(user: User | None, permission: Permission) -> User:
    """Returns the user when they hold the permission; raises 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if permission not in user.permissions:
        raise PermissionDenied("您没有此操作的权限，如需开通请联系管理员")
    return user


def can_reach_department(user: User, department_ids: set[int]) -> bool:
    """True when the user's data scope covers any of the departments."""
    if user.data_scope == DataScope.ALL:
        return True
    return user.data_scope == DataScope.DEPARTMENT and user.department_id in department_ids


def update_user(
    *,
    db: Session,
    user: User,
    name: str | None = None,
    department_id: int | None = None,
    phone: str | None = None,
    role_codes: list[str] | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    window: str | None = None,
) -> User:
    """Applies an admin's changes to a user after checking them; ``window`` "" takes the window away. A window
    kept while the department changes must be one of the new department's."""
    if name is not None:
        user.name = name.strip()
    if department_id is not None or window is not None:
        chosen = department_id if department_id is not None else user.department_id
        department = get_department(db=db, department_id=chosen) if chosen is not None else None
        kept = user.window if window is None else window
        if department_id is not None:
            user.department_id = department_id
        user.window = windows.checked(kept, is_staff=user.is_staff, department=department)
    if phone is not None:
        if phone and (problem := phone_problem(phone)):
            raise ValidationFailed(problem, field="phone")
        user.phone = phone or None
    if role_codes is not None:
        roles = []
        for code in role_codes:
            role = get_role_by_code(db=db, code=code)
            if role is None:
                raise ValidationFailed(f"角色“{code}”不存在", field="roles")
            roles.append(role)
        user.roles = roles
    if is_active is not None:
        user.is_active = is_active
    if password:
        # an administrator chose it: the owner changes it at the next login, and every login of theirs ends
        passwords.set_password(db, user, password, must_change=True)
        _end_logins(db, user)
    return user


def save_department(*, db: Session, department: Department | None, values: dict[str, object]) -> Department:
    """Creates or updates a department, keeping code and name unique."""
    code, name = str(values["code"]).strip(), str(values["name"]).strip()
    checks: tuple[tuple[Any, str, str], ...] = ((Department.code, code, "编码"), (Department.name, name, "名称"))
    for column, value, label in checks:
        other = db.scalar(select(Department).where(column == value))
        if other is not None and other is not department:
            raise Conflict(f"部门{label}“{value}”已存在", field="code" if label == "编码" else "name")
    if department is None:
        department = Department()
        db.add(department)
    elif "windows" in values:
        _recheck_staff_windows(db, department, str(values["windows"] or "").strip())
    for key, raw in values.items():
        setattr(department, key, raw.strip() if isinstance(raw, str) else raw)
    db.flush()
    return department


def _recheck_staff_windows(db: Session, department: Department, text: str) -> None:
    """A department's new window list must still hold its staff's windows (the hall board would otherwise show
    windows the department no longer has): refused, naming who sits where, before anything changes; a window the
    new list spells differently ("A1" against "A01-A06") is respelled."""
    staff = db.scalars(
        select(User).where(User.department_id == department.id, User.window.is_not(None)).order_by(User.id)
    ).all()
    respelled, outside = {}, []
    for user in staff:
        try:
            respelled[user] = windows.in_department(user.window or "", department, text)
        except ValidationFailed:
            outside.append(f"{user.name}（{user.window}）")
    if outside:
        raise ValidationFailed(
            f"以下工作人员的窗口号不在新的窗口列表中：{'、'.join(outside)}，请先在用户管理中调整其窗口号，或把这些窗口写入列表",
            field="windows",
        )
    for user, window in respelled.items():
        user.window = window


def update_role(*, db: Session, role: Role, permissions: list[str], data_scope: str) -> Role:
    """Changes a role's permissions and data scope."""
    unknown = [p for p in permissions if p not in {x.value for x in Permission}]
    if unknown:
        raise ValidationFailed(f"未知权限：{'、'.join(unknown)}", field="permissions")
    if data_scope not in {s.value for s in DataScope}:
        raise ValidationFailed("数据范围应为 department（本部门）、all（全部）或 own（本人）", field="data_scope")
    role.permissions = sorted(set(permissions))
    role.data_scope = data_scope
    return role


def register_citizen(*, db: Session, phone: str, name: str, password: str) -> User:
    """A citizen registers with their mobile number as login name."""
    phone = phone.strip()
    if problem := phone_problem(phone):
        raise ValidationFailed(problem, field="phone")
    login = citizen_login_name(phone)
    if get_user_by_username(db=db, username=login) is not None:
        raise Conflict("该手机号已注册，请直接登录", field="phone")
    return create_user(
        db=db, username=login, name=name, password=password, role_codes=["citizen"], phone=phone, is_staff=False
    )


def roles_by_code(db: Session, codes: list[str]) -> list[Role]:
    """The existing roles among the codes (unknown codes are the service's to refuse)."""
    return [role for role in list_roles(db=db) if role.code in codes]
