"""注册验证码: registering needs the code texted to the phone (the console provider's outbox stands in for the
phone), limited per number and per address, valid for minutes, a few wrong entries, once; nothing of it in clear."""

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock, jobs
from core.audit.models import AuditLog
from core.org.models import PhoneCode, User
from core.settings import get_settings
from core.sms import last_sent
from tests.helpers import api_error
from tests.world import World

PHONE = "13912345678"
MASKED = "139****5678"
PASSWORD = "Tongban#2026x"


def ask(client: TestClient, phone: str = PHONE, **headers: str) -> Any:
    return client.post("/api/v1/auth/register/code", json={"phone": phone}, headers=headers)


def texted_code(masked: str = MASKED) -> str:
    found = re.search(r"验证码为 (\d{6})", last_sent(masked))
    assert found, "no code in the outbox"
    return found.group(1)


def register(client: TestClient, code: str, phone: str = PHONE, password: str = PASSWORD) -> Any:
    body = {"phone": phone, "name": "吴新", "password": password, "sms_code": code}
    return client.post("/api/v1/auth/register", json=body)


def citizens(db: Session) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(User).where(User.is_staff.is_(False))) or 0)


def test_a_citizen_registers_with_the_code_texted_to_their_phone(client: TestClient, world: World, db: Session) -> None:
    sent = ask(client)
    assert sent.status_code == 202 and sent.json() == {"sent_to": MASKED, "expires_in_minutes": 10}
    text = last_sent(MASKED)
    assert text.startswith(f"【{get_settings().centre_name}】您的注册验证码为 ") and "10分钟内有效" in text
    created = register(client, texted_code())
    assert created.status_code == 201, created.text
    again = register(client, texted_code())
    assert "该手机号已注册" in api_error(again, 409)["message"]
    assert "该手机号已注册" in api_error(ask(client), 409)["message"]


def test_a_wrong_code_registers_no_one_and_too_many_wrong_codes_void_it(
    client: TestClient, world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "sms_code_max_attempts", 3)
    ask(client)
    code = texted_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    before = citizens(db)
    for _ in range(3):
        error = api_error(register(client, wrong), 422)
        assert error["message"] == "验证码不正确，请核对短信中的6位数字" and error["field"] == "sms_code"
    assert citizens(db) == before
    assert "输错次数过多" in api_error(register(client, code), 422)["message"]
    assert citizens(db) == before


def test_a_missing_or_malformed_code_is_refused_in_chinese(client: TestClient, world: World) -> None:
    ask(client)
    assert "请填写短信验证码" in api_error(register(client, " "), 422)["message"]
    assert "6位数字" in api_error(register(client, "12ab56"), 422)["message"]
    missing = client.post("/api/v1/auth/register", json={"phone": PHONE, "name": "吴新", "password": PASSWORD})
    assert api_error(missing, 422)["message"]


def test_a_code_expires_and_a_new_one_voids_the_old(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "sms_phone_rate", "5/minute")  # the limiter counts real time, not the test's
    start = datetime(2026, 12, 5, 9, 0)
    clock.freeze(start)
    ask(client)
    first = texted_code()
    clock.freeze(start + timedelta(minutes=11))
    assert "验证码已失效" in api_error(register(client, first), 422)["message"]
    assert ask(client).status_code == 202
    second = texted_code()
    clock.freeze(start + timedelta(minutes=13))
    assert ask(client).status_code == 202
    third = texted_code()
    if third != second:  # one chance in a million they are the same
        assert "验证码不正确" in api_error(register(client, second), 422)["message"]  # only the latest works
    assert register(client, third).status_code == 201


def test_a_weak_password_does_not_use_up_the_code(client: TestClient, world: World) -> None:
    ask(client)
    code = texted_code()
    assert "至少需要 10 位" in api_error(register(client, code, password="password1"), 422)["message"]
    assert register(client, code).status_code == 201


def test_codes_are_limited_per_number_and_per_address(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ask(client).status_code == 202
    assert api_error(ask(client), 429)["message"] == "验证码刚刚发送过，请稍候一分钟再重新获取"
    monkeypatch.setattr(get_settings(), "sms_ip_rate", "2/hour")
    assert ask(client, "13912340001").status_code == 202
    assert ask(client, "13912340002").status_code == 202
    assert api_error(ask(client, "13912340003"), 429)["message"] == "获取验证码过于频繁，请稍后再试"


def test_only_a_mobile_number_gets_a_code(client: TestClient, world: World) -> None:
    for phone in ("0512-57861234", "1391234567", "23912345678", "139 1234 5678"):
        assert "请填写11位手机号" in api_error(ask(client, phone), 422)["message"]
    assert "不能为空" in api_error(ask(client, ""), 422)["message"]


def test_neither_the_number_nor_the_code_is_stored_or_audited_in_clear(
    client: TestClient, world: World, db: Session
) -> None:
    ask(client)
    code = texted_code()
    assert register(client, code).status_code == 201
    db.rollback()
    row = db.scalars(select(PhoneCode)).one()
    stored = " ".join(str(v) for v in (row.purpose, row.phone_hash, row.code_hash, row.ip))
    assert PHONE not in stored and code not in row.code_hash and row.used_at is not None
    sent = db.scalars(select(AuditLog).where(AuditLog.action == "phone_code.send")).one()
    used = db.scalars(select(AuditLog).where(AuditLog.action == "phone_code.use")).one()
    assert sent.entity == used.entity == "phone_code"
    assert sent.after is not None and sent.after["code_hash"] == "******"
    assert PHONE not in str(sent.after) and code not in str(sent.after)


def test_codes_that_stopped_working_a_day_ago_are_purged(client: TestClient, world: World, db: Session) -> None:
    start = datetime(2026, 12, 5, 9, 0)
    clock.freeze(start)
    ask(client)
    clock.freeze(start + timedelta(minutes=10, hours=23))
    assert jobs.purge_phone_codes() == 0  # expired less than a day ago: kept
    clock.freeze(start + timedelta(minutes=11, days=1))
    assert jobs.purge_phone_codes() == 1
    db.rollback()
    assert db.scalars(select(PhoneCode)).first() is None
    assert "phone-codes" in {job.name for job in jobs.periodic_jobs()}
