"""TOTP two-factor authentication (RFC 6238, pyotp) with one-time recovery codes.

Required for the people who hold the keys (等保三级): whoever may manage users and roles or read the audit log.
The secret is stored encrypted (EncryptedString); recovery codes only as keyed hashes, each usable once.
"""

import secrets

import pyotp
import segno
from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.clock import BEIJING, now
from core.errors import ValidationFailed
from core.org.models import User
from core.org.permissions import Permission
from core.security import constant_time_equal, keyed_hash
from core.settings import get_settings

RECOVERY_CODES = 10
ISSUER = "通办"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_GUARDED = (Permission.ORG_MANAGE.value, Permission.AUDIT_READ.value)
_GUARDED_PREFIXES = ("audit.", "security.", "user.", "role.")  # powers another role may add later


def holds_keys(user: User) -> bool:
    """True for users who may manage users and roles or read the audit log."""
    permissions = user.permissions
    return any(p in permissions for p in _GUARDED) or any(p.startswith(_GUARDED_PREFIXES) for p in permissions)


def required(user: User) -> bool:
    """True when the user must use a second factor (``TONGBAN_REQUIRE_TWO_FACTOR`` and holding the keys)."""
    return get_settings().require_two_factor and holds_keys(user)


def needed_at_login(user: User) -> bool:
    """True when a login needs the second step: enrolled, or required (then enrolment comes first)."""
    return user.two_factor_enabled or required(user)


def new_secret() -> str:
    """A fresh base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// link authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.login_label, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of the link as inline SVG."""
    return segno.make(uri, error="m").svg_inline(scale=4)


def matching_step(secret: str, code: str) -> int | None:
    """The 30-second time step whose code the 6-digit code is (now, or one step of clock drift either way);
    None when it fits none."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now_time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if constant_time_equal(totp.generate_otp(step), code):
            return step
    return None


def now_time() -> float:
    """The application clock as a Unix time (tests freeze it); Beijing time, the clock's zone."""
    return now().replace(tzinfo=BEIJING).timestamp()


def _new_recovery_codes() -> list[str]:
    return ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]


def _code_hash(code: str) -> str:
    return keyed_hash("recovery:" + code.strip().lower().replace("-", "").replace(" ", ""))


def enable(db: Session, user: User, secret: str, code: str) -> list[str]:
    """Turns two-factor on after the user proved their app shows the right code; returns the recovery codes
    (shown once)."""
    step = matching_step(secret, code)
    if step is None:
        raise ValidationFailed(
            "动态验证码不正确，请核对手机验证器上当前显示的 6 位数字（注意手机时间需准确）", field="code"
        )
    user.totp_secret = secret
    user.totp_enabled_at = now()
    user.totp_last_step = step
    codes = _new_recovery_codes()
    user.recovery_codes = [_code_hash(c) for c in codes]
    record_event(db, action="auth.two_factor_enabled", entity="user", entity_id=str(user.id))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Replaces the user's recovery codes with new ones (the old ones stop working)."""
    codes = _new_recovery_codes()
    user.recovery_codes = [_code_hash(c) for c in codes]
    record_event(db, action="auth.recovery_codes_renewed", entity="user", entity_id=str(user.id))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def disable(db: Session, user: User) -> None:
    """Turns two-factor off (refused for those who must use it)."""
    if required(user):
        raise ValidationFailed("您的角色必须使用双因素认证，不能关闭")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes = None
    record_event(db, action="auth.two_factor_disabled", entity="user", entity_id=str(user.id))


def verify(db: Session, user: User, code: str) -> bool:
    """True when the code is the current TOTP code, not used before, or an unused recovery code (which is then
    used up). A TOTP code, once accepted, is spent: someone who watched it typed cannot log in with it again."""
    if not user.two_factor_enabled or not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            record_event(db, action="auth.two_factor_code_reused", entity="user", entity_id=str(user.id))
            return False
        user.totp_last_step = step
        return True
    wanted = _code_hash(code)
    remaining = list(user.recovery_codes or [])
    for stored in remaining:
        if constant_time_equal(stored, wanted):
            remaining.remove(stored)
            user.recovery_codes = remaining
            record_event(
                db,
                action="auth.recovery_code_used",
                entity="user",
                entity_id=str(user.id),
                details={"left": len(remaining)},
            )
            return True
    return False
