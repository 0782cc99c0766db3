"""The password policy (等保三级): length, character classes, no common password, no reuse, expiry for staff.

Every rule answers with a Chinese sentence that says exactly what to change.
"""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import ValidationFailed
from core.org.models import PasswordHistory, User
from core.security import hash_password, verify_password
from core.settings import get_settings

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_CLASSES = 3
HISTORY = 5
"""A new password may not be any of the user's last five (the current one and the four before it)."""

_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _classes(password: str) -> list[str]:
    present = []
    if any(c.isascii() and c.islower() for c in password):
        present.append("小写字母")
    if any(c.isascii() and c.isupper() for c in password):
        present.append("大写字母")
    if any(c.isdigit() for c in password):
        present.append("数字")
    if any(not c.isalnum() or not c.isascii() for c in password):
        present.append("符号")
    return present


def policy_problem(password: str, *, username: str = "", phone: str | None = None) -> str | None:
    """What is wrong with a new password, as a sentence; None when it satisfies the policy."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 位，当前只有 {len(password)} 位"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位"
    if password != password.strip():
        return "密码首尾不能是空格"
    present = _classes(password)
    if len(present) < MIN_CLASSES:
        missing = [c for c in ("小写字母", "大写字母", "数字", "符号") if c not in present]
        return (
            f"密码需包含大写字母、小写字母、数字、符号中的至少 {MIN_CLASSES} 类，当前只有"
            f"{'、'.join(present) or '一类'}；可再加入{'或'.join(missing)}"
        )
    lowered = password.lower()
    for name in (username, phone or ""):
        name = name.strip().lower()
        if name and not name.startswith("m:") and len(name) >= 3 and name in lowered:
            return "密码不能包含登录名或手机号"
    if lowered in common_passwords():
        return "该密码过于常见，容易被猜中，请换一个"
    return None


def check_policy(password: str, *, username: str = "", phone: str | None = None) -> None:
    """Raises a Chinese 422 when the password breaks the policy."""
    if problem := policy_problem(password, username=username, phone=phone):
        raise ValidationFailed(problem, field="password")


def recent_hashes(db: Session, user: User) -> list[str]:
    """The hashes of the user's last passwords, newest first (the current one first)."""
    older = db.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
        .limit(HISTORY - 1)
    )
    return [user.password_hash, *older]


def set_password(db: Session, user: User, password: str, *, must_change: bool = False) -> None:
    """Checks the policy and the history, keeps the old hash in the history and sets the new password.

    ``must_change`` marks a password someone else chose (an administrator): its owner changes it at next login.
    """
    check_policy(password, username=user.username, phone=user.phone)
    if user.id is not None and user.password_hash:
        if any(verify_password(old, password) for old in recent_hashes(db, user)):
            raise ValidationFailed(f"新密码不能与最近 {HISTORY} 次使用过的密码相同", field="password")
        db.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
        db.flush()
        _prune(db, user)
    user.password_hash = hash_password(password)
    user.password_changed_at = now()
    user.must_change_password = must_change


def _prune(db: Session, user: User) -> None:
    keep = list(
        db.scalars(
            select(PasswordHistory.id)
            .where(PasswordHistory.user_id == user.id)
            .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
            .limit(HISTORY - 1)
        )
    )
    for row in db.scalars(
        select(PasswordHistory).where(PasswordHistory.user_id == user.id, PasswordHistory.id.not_in(keep))
    ):
        db.delete(row)


def change_due(user: User) -> str | None:
    """Why the user must change their password before going on (set by an administrator, or expired), or None."""
    if user.must_change_password:
        return "您的密码由管理员设置，请先修改为只有您自己知道的密码"
    days = get_settings().password_max_age_days
    changed = user.password_changed_at
    if user.is_staff and days > 0 and changed is not None and now() - changed > timedelta(days=days):
        return f"您的密码已超过 {days} 天未修改，已过期，请先修改密码"
    return None
