"""One's own account on the web: the second login step (TOTP), two-factor enrolment, the citizen's account page,
password and profile changes for staff and citizens, and an administrator's unlock of a locked account."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from core.clock import now
from core.deps import DB
from core.errors import AppError, NotFound, ValidationFailed
from core.org import passwords, sessions, two_factor
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.rate_limit import client_ip
from core.security import mask_phone
from web.common import Form, flash, redirect, render, safe_next, text, web_user
from web.deps import ErrorRoute, OnError, SignedIn, Staff, staff_with

router = APIRouter(include_in_schema=False)

OrgAdmin = Annotated[User, Depends(staff_with(Permission.ORG_MANAGE))]

PENDING_MINUTES = 5
"""How long the second login step may wait after the right password."""


# ---------------------------------------------------------------- starting a session


def start_session(request: Request, db: Session, user: User) -> None:
    """Starts a fresh session (new CSRF token, new server-side record) for a user who has fully logged in."""
    request.session.clear()  # a token planted before login cannot ride along
    key = sessions.start(db, user, ip=client_ip(request), user_agent=request.headers.get("user-agent", ""))
    request.session.update({"user_id": user.id, "sid": key, "seen": now().isoformat()})
    if reason := passwords.change_due(user):
        request.session["password_change"] = reason
    web_user(request, user)  # a page of this same response (the recovery codes) shows the person signed in


def _home(user: User) -> str:
    return "/admin/me" if user.is_staff else "/my/account"


def finish_login(request: Request, db: Session, user: User, target: str) -> Response:
    """Starts the session and sends the person on (to the password page first when it must be changed)."""
    start_session(request, db, user)
    if reason := request.session.get("password_change"):
        flash(request, str(reason), "error")
        return redirect(_home(user))
    flash(request, f"欢迎您，{user.name}")
    return redirect(target)


def after_password(request: Request, db: Session, user: User, target: str) -> Response:
    """After the right password: the second step for those who need it, otherwise the session."""
    if not two_factor.needed_at_login(user):
        return finish_login(request, db, user, target)
    request.session.clear()
    request.session["pending"] = {"user_id": user.id, "at": now().isoformat(), "next": target}
    return redirect("/login/verify" if user.two_factor_enabled else "/login/enrol")


def _pending(request: Request, db: Session) -> tuple[User, str] | None:
    pending = request.session.get("pending")
    if not isinstance(pending, dict):
        return None
    try:
        fresh = now() - datetime.fromisoformat(str(pending.get("at"))) <= timedelta(minutes=PENDING_MINUTES)
    except ValueError:
        fresh = False
    user_id = pending.get("user_id")
    user = org_service.get_user(db=db, user_id=user_id) if isinstance(user_id, int) and fresh else None
    if user is None or not user.is_active or org_service.is_locked(user):
        request.session.pop("pending", None)
        return None
    return user, safe_next(str(pending.get("next") or ""), "/admin")


def _expired(request: Request) -> Response:
    flash(request, f"登录已超时（需在输入密码后 {PENDING_MINUTES} 分钟内完成验证），请重新登录", "error")
    return redirect("/login")


@router.get("/login/verify", response_class=HTMLResponse)
def verify_page(request: Request, db: DB) -> Response:
    """The second login step: the code of the authenticator app, or a recovery code."""
    if _pending(request, db) is None:
        return _expired(request)
    return render(request, "portal/login_verify.html")


@router.post("/login/verify", response_class=HTMLResponse)
def verify(request: Request, db: DB, form: Form) -> Response:
    """Checks the one-time code; wrong codes count towards the account's lockout."""
    found = _pending(request, db)
    if found is None:
        return _expired(request)
    user, target = found
    if not two_factor.verify(db, user, text(form, "code")):
        org_service.record_second_factor_failure(db=db, user=user)
        message = "动态验证码或恢复码不正确，请输入验证器上当前显示的 6 位数字，或一个未用过的恢复码"
        if org_service.is_locked(user):
            request.session.pop("pending", None)
            message = "验证失败次数过多，账号已锁定，请稍后再试，或联系管理员解锁"
        return render(request, "portal/login_verify.html", {"error": message}, status=401)
    left = len(user.recovery_codes or [])
    response = finish_login(request, db, user, target)
    if left <= 3:
        flash(request, f"您只剩 {left} 个恢复码，请在“个人设置”中重新生成", "error")
    return response


def _enrol_context(request: Request, user: User) -> dict[str, Any]:
    secret = request.session.get("totp_secret")
    if not isinstance(secret, str):
        secret = two_factor.new_secret()
        request.session["totp_secret"] = secret  # shown to this browser only, until confirmed
    uri = two_factor.provisioning_uri(user, secret)
    return {"qr": two_factor.qr_svg(uri), "secret": secret}


@router.get("/login/enrol", response_class=HTMLResponse)
def enrol_page(request: Request, db: DB) -> Response:
    """Enrolment during login, for those who must use two-factor and have not set it up yet."""
    found = _pending(request, db)
    if found is None:
        return _expired(request)
    return render(
        request, "portal/two_factor_enrol.html", {**_enrol_context(request, found[0]), "action": "/login/enrol"}
    )


@router.post("/login/enrol", response_class=HTMLResponse)
def enrol(request: Request, db: DB, form: Form, on_error: OnError) -> Response:
    """Confirms the app's first code, turns two-factor on, logs in and shows the recovery codes once."""
    found = _pending(request, db)
    if found is None:
        return _expired(request)
    user, target = found
    on_error.show("portal/two_factor_enrol.html", {**_enrol_context(request, user), "action": "/login/enrol"})
    codes = two_factor.enable(db, user, str(request.session.get("totp_secret")), text(form, "code"))
    start_session(request, db, user)
    go_on = _home(user) if request.session.get("password_change") else target
    return render(request, "portal/recovery_codes.html", {"codes": codes, "next": go_on})


# ---------------------------------------------------------------- one's own account


def account_context(person: User) -> dict[str, Any]:
    """What the account forms show of a person."""
    return {
        "name": person.name,
        "phone": person.phone or "",
        "login": person.login_label,
        "masked_phone": mask_phone(person.phone) if person.phone else "",
        "two_factor": person.two_factor_enabled,
        "two_factor_required": two_factor.required(person),
        "recovery_left": len(person.recovery_codes or []),
        "password_rules": f"至少 {passwords.MIN_LENGTH} 位，包含大写字母、小写字母、数字、符号中的至少 "
        f"{passwords.MIN_CLASSES} 类，不能包含登录名或手机号，不能是常见密码，不能与最近 {passwords.HISTORY} 次的密码相同",
    }


def _account_page(request: Request, person: User, error: str = "", status: int = 200) -> HTMLResponse:
    if person.is_staff:
        from web.admin_notifications import me_context  # the staff page belongs to the notifications plugin

        return render(request, "admin/me.html", {**me_context(request, person), "error": error}, status=status)
    context = {"account": account_context(person), "reason": request.session.get("password_change"), "error": error}
    return render(request, "portal/account.html", context, status=status)


def _account_page_with(request: Request, person: User) -> Callable[[AppError], Response]:
    """The account page again with an error's message (OnError.answer)."""
    return lambda error: _account_page(request, person, error.message, error.status_code)


@router.get("/my/account", response_class=HTMLResponse)
def my_account(request: Request, db: DB, person: SignedIn) -> Response:
    """The citizen's account page: name, password (staff have /admin/me)."""
    if person.is_staff:
        return redirect("/admin/me")
    return _account_page(request, person)


def _save_profile(request: Request, db: Session, form: Any, person: User, on_error: ErrorRoute) -> Response:
    on_error.answer(_account_page_with(request, person))
    org_service.update_profile(db=db, user=person, name=text(form, "name"), phone=text(form, "phone"))
    flash(request, "个人资料已保存")
    return redirect(_home(person))


def _change_password(request: Request, db: Session, form: Any, person: User, on_error: ErrorRoute) -> Response:
    new = form.get("password")
    on_error.answer(_account_page_with(request, person))
    if not isinstance(new, str) or new != form.get("password2"):
        raise ValidationFailed("两次输入的新密码不一致", field="password2")
    current = form.get("current_password")
    key = request.session.get("sid")
    org_service.change_own_password(
        db=db,
        user=person,
        current=current if isinstance(current, str) else "",
        new=new,
        keep_session=key if isinstance(key, str) else None,
    )
    request.session.pop("password_change", None)
    flash(request, "密码已修改，您在其他地方的登录已全部退出")
    return redirect("/admin" if person.is_staff else "/my/cases")


@router.post("/my/account/profile", response_class=HTMLResponse)
def my_profile(request: Request, db: DB, form: Form, person: SignedIn, on_error: OnError) -> Response:
    """A citizen changes their name."""
    return _save_profile(request, db, form, person, on_error)


@router.post("/my/account/password", response_class=HTMLResponse)
def my_password(request: Request, db: DB, form: Form, person: SignedIn, on_error: OnError) -> Response:
    """A citizen changes their password."""
    return _change_password(request, db, form, person, on_error)


@router.post("/admin/me/profile", response_class=HTMLResponse)
def staff_profile(request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """Staff change their name and phone."""
    return _save_profile(request, db, form, staff, on_error)


@router.post("/admin/me/password", response_class=HTMLResponse)
def staff_password(request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """Staff change their password (also when it has expired or was set by an administrator)."""
    return _change_password(request, db, form, staff, on_error)


@router.get("/admin/me/two-factor", response_class=HTMLResponse)
def staff_two_factor_page(request: Request, db: DB, staff: Staff) -> Response:
    """Enrolment of an authenticator app from the personal page."""
    return render(
        request, "portal/two_factor_enrol.html", {**_enrol_context(request, staff), "action": "/admin/me/two-factor"}
    )


@router.post("/admin/me/two-factor", response_class=HTMLResponse)
def staff_two_factor(request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """Confirms the app's first code and shows the recovery codes once."""
    on_error.show("portal/two_factor_enrol.html", {**_enrol_context(request, staff), "action": "/admin/me/two-factor"})
    codes = two_factor.enable(db, staff, str(request.session.get("totp_secret")), text(form, "code"))
    request.session.pop("totp_secret", None)
    return render(request, "portal/recovery_codes.html", {"codes": codes, "next": "/admin/me"})


@router.post("/admin/me/recovery-codes", response_class=HTMLResponse)
def staff_recovery_codes(request: Request, db: DB, form: Form, staff: Staff) -> Response:
    """New recovery codes (the old ones stop working)."""
    if not staff.two_factor_enabled:
        return redirect("/admin/me/two-factor")
    codes = two_factor.new_recovery_codes(db, staff)
    return render(request, "portal/recovery_codes.html", {"codes": codes, "next": "/admin/me"})


@router.post("/admin/me/two-factor/disable", response_class=HTMLResponse)
def staff_two_factor_disable(request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """Turns two-factor off, for those who may."""
    on_error.answer(_account_page_with(request, staff))
    two_factor.disable(db, staff)
    flash(request, "双因素认证已关闭")
    return redirect("/admin/me")


# ---------------------------------------------------------------- administrators


@router.post("/admin/users/{user_id}/unlock", response_class=HTMLResponse)
def unlock(user_id: int, request: Request, db: DB, form: Form, admin: OrgAdmin) -> Response:
    """An administrator lifts a lockout."""
    target = org_service.get_user(db=db, user_id=user_id)
    if target is None:
        raise NotFound("用户不存在")
    org_service.unlock(db=db, user=target)
    flash(request, f"用户“{target.name}”已解锁")
    return redirect(f"/admin/users/{target.id}")
