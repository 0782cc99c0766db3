"""注册验证码: a citizen proves the mobile number they register with is theirs by typing the code texted to it.

``send_code`` texts a six-digit code (core/sms.py), limited per number and per address with the shared rate
limiter; a new code voids the previous one. ``register_with_code`` checks the code and registers the citizen in
one transaction: a wrong code changes nothing in the database (the wrong entries are counted by the rate
limiter, ``sms_code_max_attempts`` of them void the code), an expired or used code is refused, and a registration
that fails for another reason (a weak password) leaves the code unused.
"""

import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.audit.context import acting
from core.clock import now
from core.errors import Conflict, TooManyRequests, ValidationFailed
from core.org import service
from core.org.models import PhoneCode, User
from core.rate_limit import count, has_room, hit
from core.security import constant_time_equal, keyed_hash
from core.settings import get_settings
from core.sms import SmsFailed, masked, sms_sender

REGISTER = "register"
PURPOSES = {REGISTER: "注册"}
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CODE = re.compile(r"\d{6}")


def mobile_problem(phone: str) -> str | None:
    """Why a number cannot receive a code (a landline, a typo), or None."""
    if not _MOBILE.fullmatch(phone):
        return "请填写11位手机号（验证码将以短信发送到该号码）"
    return None


def _phone_key(purpose: str, phone: str) -> str:
    return keyed_hash(f"sms:{purpose}:{phone}")


def _code_hash(phone_key: str, code: str) -> str:
    return keyed_hash(f"sms-code:{phone_key}:{code}")


def send_code(db: Session, *, phone: str, client: str, purpose: str = REGISTER) -> str:
    """Texts a new code to ``phone`` for ``purpose``; returns the masked number to show ("已发送至 138****0001")."""
    phone = phone.strip()
    if problem := mobile_problem(phone):
        raise ValidationFailed(problem, field="phone")
    if purpose == REGISTER and service.get_user_by_username(db=db, username=service.citizen_login_name(phone)):
        raise Conflict("该手机号已注册，请直接登录", field="phone")
    settings = get_settings()
    key = _phone_key(purpose, phone)
    hit(settings.sms_ip_rate, "sms-ip", client, message="获取验证码过于频繁，请稍后再试")
    hit(settings.sms_phone_rate, "sms-phone", key, message="验证码刚刚发送过，请稍候一分钟再重新获取")
    hit(settings.sms_phone_daily_rate, "sms-phone-day", key, message="该手机号今天获取验证码的次数已达上限，请明天再试")
    moment = now()
    earlier = select(PhoneCode).where(
        PhoneCode.purpose == purpose,
        PhoneCode.phone_hash == key,
        PhoneCode.used_at.is_(None),
        PhoneCode.expires_at > moment,
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = settings.sms_code_ttl_minutes
    with acting(action="phone_code.send"):
        for old in db.scalars(earlier):
            old.expires_at = moment  # only the latest code works
        db.add(
            PhoneCode(
                purpose=purpose,
                phone_hash=key,
                code_hash=_code_hash(key, code),
                ip=client,
                expires_at=moment + timedelta(minutes=ttl),
            )
        )
        db.flush()
    text = (
        f"【{settings.centre_name}】您的{PURPOSES[purpose]}验证码为 {code}，{ttl}分钟内有效。"
        "请勿告诉他人；如非本人操作，请忽略本短信。"
    )
    try:
        sms_sender().send(phone, text)
    except SmsFailed as exc:
        raise TooManyRequests("短信发送失败，请稍后再试") from exc
    return masked(phone)


def redeem(db: Session, *, phone: str, code: str, purpose: str = REGISTER) -> None:
    """Checks the code typed for ``phone`` and marks it used; a Chinese message on the field when it does not fit."""
    code = code.strip()
    if not code:
        raise ValidationFailed("请填写短信验证码", field="sms_code")
    if not _CODE.fullmatch(code):
        raise ValidationFailed("验证码为短信中的6位数字", field="sms_code")
    key = _phone_key(purpose, phone.strip())
    latest = db.scalar(
        select(PhoneCode)
        .where(PhoneCode.purpose == purpose, PhoneCode.phone_hash == key, PhoneCode.used_at.is_(None))
        .order_by(PhoneCode.id.desc())
        .limit(1)
    )
    if latest is None or latest.expires_at <= now():
        raise ValidationFailed("验证码已失效或尚未获取，请点击“获取验证码”重新获取", field="sms_code")
    attempts = f"{get_settings().sms_code_max_attempts}/day"  # a code lives minutes: a day outlasts it
    if not has_room(attempts, "sms-code-failures", str(latest.id)):
        raise ValidationFailed("验证码输错次数过多，已失效，请重新获取", field="sms_code")
    if not constant_time_equal(_code_hash(key, code), latest.code_hash):
        count(attempts, "sms-code-failures", str(latest.id))
        raise ValidationFailed("验证码不正确，请核对短信中的6位数字", field="sms_code")
    with acting(action="phone_code.use"):
        latest.used_at = now()
        db.flush()


def register_with_code(db: Session, *, phone: str, name: str, password: str, sms_code: str) -> User:
    """A citizen registers with their mobile number once the code texted to it is typed back. The name and the
    password are checked first (a weak password does not cost the person their code); a wrong code then undoes
    the whole registration with the transaction."""
    phone = phone.strip()
    if problem := mobile_problem(phone):
        raise ValidationFailed(problem, field="phone")
    citizen = service.register_citizen(db=db, phone=phone, name=name, password=password)
    redeem(db, phone=phone, code=sms_code)
    return citizen


def purge_expired(db: Session, *, keep_days: int = 1) -> int:
    """Deletes codes that stopped working more than ``keep_days`` ago (a used or expired code proves nothing any
    more; the audit log keeps that it was sent and used). Returns how many."""
    result = db.execute(delete(PhoneCode).where(PhoneCode.expires_at < now() - timedelta(days=keep_days)))
    return int(getattr(result, "rowcount", 0) or 0)
