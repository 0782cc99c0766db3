"""Accounts (等保三级): whose address the limits count, lockout and unlock, the password policy, history and expiry,
self-service changes, login timing and what the login audit keeps; the progress query's locks."""

# ruff: noqa: F811  (test functions take the imported browser fixture by name)
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.audit.models import AuditLog
from core.org import passwords
from core.org.models import User
from core.security import hash_password
from core.settings import get_settings
from tests.helpers import api_error, register
from tests.web.conftest import Browser, browser  # noqa: F401  (the web tests' browser fixture)
from tests.world import World

MakeBrowser = Callable[[str | None], Browser]
NEW_PASSWORD = "Neue#Passwort26"


def from_address(client: TestClient, address: str) -> TestClient:
    """A client whose connection comes from another address."""
    return TestClient(client.app, client=(address, 50000))


# ---------------------------------------------------------------- trusted proxies


def test_rotating_x_forwarded_for_does_not_lift_the_login_limit(client: TestClient, world: World) -> None:
    limit = int(get_settings().login_rate.split("/")[0])
    for attempt in range(limit):
        answer = client.post(
            "/api/v1/auth/token",
            json={"username": f"nobody{attempt}", "password": "x"},
            headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
        )
        assert answer.status_code == 401
    refused = client.post(
        "/api/v1/auth/token",
        json={"username": "clerk_a", "password": passwords_demo()},
        headers={"X-Forwarded-For": "198.51.100.200"},
    )
    assert api_error(refused, 429)["message"] == "登录尝试过于频繁，请一分钟后再试"


def passwords_demo() -> str:
    from core.seed.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def last_login_ip(db: Session) -> str:
    db.rollback()
    row = db.scalars(select(AuditLog).where(AuditLog.action.like("auth.login%")).order_by(AuditLog.id.desc())).first()
    assert row is not None
    return row.ip


def test_forwarded_addresses_are_believed_only_from_configured_proxies(
    client: TestClient, world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = {"X-Forwarded-For": "192.0.2.66"}
    stranger = from_address(client, "203.0.113.5")
    stranger.post("/api/v1/auth/token", json={"username": "clerk_a", "password": "wrong"}, headers=forged)
    assert last_login_ip(db) == "203.0.113.5"  # the audit names the connection, not the header

    monkeypatch.setattr(get_settings(), "trusted_proxies", ("10.0.0.0/8",))
    proxy = from_address(client, "10.1.2.3")
    # the client wrote the left part; our proxy appended the address it saw
    chain = {"X-Forwarded-For": "192.0.2.66, 203.0.113.77, 10.9.9.9"}
    proxy.post("/api/v1/auth/token", json={"username": "clerk_a", "password": "wrong"}, headers=chain)
    assert last_login_ip(db) == "203.0.113.77"
    stranger.post("/api/v1/auth/token", json={"username": "clerk_a", "password": "wrong"}, headers=forged)
    assert last_login_ip(db) == "203.0.113.5"


# ---------------------------------------------------------------- lockout


def test_five_wrong_passwords_lock_the_account_until_it_waits_or_an_admin_unlocks(
    client: TestClient, world: World, db: Session
) -> None:
    for attempt in range(4):  # from different addresses: the per-address limit is not what stops this
        answer = from_address(client, f"203.0.113.{attempt}").post(
            "/api/v1/auth/token", json={"username": "clerk_a", "password": f"wrong-{attempt}"}
        )
        assert api_error(answer, 401)["message"] == "用户名或密码不正确"
    fifth = from_address(client, "203.0.113.9").post(
        "/api/v1/auth/token", json={"username": "clerk_a", "password": "wrong-5"}
    )
    error = api_error(fifth, 429)
    assert error["code"] == "account_locked" and "锁定 15 分钟" in error["message"]
    right = from_address(client, "203.0.113.10").post(
        "/api/v1/auth/token", json={"username": "clerk_a", "password": passwords_demo()}
    )
    assert "账号已锁定" in api_error(right, 429)["message"]
    db.rollback()
    actions = list(db.scalars(select(AuditLog.action).where(AuditLog.action.like("auth.%"))))
    assert "auth.locked" in actions and "auth.login_locked" in actions

    # an administrator sees it and lifts it
    listed = client.get("/api/v1/users", headers=world.auth("admin")).json()
    assert next(u for u in listed if u["username"] == "clerk_a")["locked_until"] is not None
    api_error(client.post(f"/api/v1/users/{world.users['clerk_a'].id}/unlock", headers=world.auth("clerk_b")), 403)
    unlocked = client.post(f"/api/v1/users/{world.users['clerk_a'].id}/unlock", headers=world.auth("admin"))
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
    again = from_address(client, "203.0.113.11").post(
        "/api/v1/auth/token", json={"username": "clerk_a", "password": passwords_demo()}
    )
    assert again.status_code == 200


def test_a_lockout_ends_by_itself_after_15_minutes(client: TestClient, world: World) -> None:
    start = clock.now()
    clock.freeze(start)
    for attempt in range(5):
        from_address(client, f"203.0.113.{attempt}").post(
            "/api/v1/auth/token", json={"username": "leader", "password": "wrong"}
        )
    clock.freeze(start + timedelta(minutes=14))
    api_error(
        from_address(client, "203.0.113.20").post(
            "/api/v1/auth/token", json={"username": "leader", "password": passwords_demo()}
        ),
        429,
    )
    clock.freeze(start + timedelta(minutes=16))
    answer = from_address(client, "203.0.113.21").post(
        "/api/v1/auth/token", json={"username": "leader", "password": passwords_demo()}
    )
    assert answer.status_code == 200


def test_an_admin_unlocks_on_the_user_page(browser: MakeBrowser, world: World, client: TestClient) -> None:
    for attempt in range(5):
        from_address(client, f"203.0.113.{attempt}").post(
            "/api/v1/auth/token", json={"username": "clerk_b", "password": "wrong"}
        )
    locked = browser(None).login("clerk_b")
    assert locked.status_code == 429 and "账号已锁定" in locked.text
    admin = browser("admin")
    page = admin.get(f"/admin/users/{world.users['clerk_b'].id}")
    assert "已被锁定" in page.text
    done = admin.submit(
        f"/admin/users/{world.users['clerk_b'].id}", f"/admin/users/{world.users['clerk_b'].id}/unlock", {}
    )
    assert "已解锁" in done.text and "已被锁定" not in done.text
    assert "欢迎您" in browser(None).login("clerk_b").text


# ---------------------------------------------------------------- password policy


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1", "密码至少需要 10 位，当前只有 9 位"),
        ("abcdefghij12", "至少 3 类，当前只有小写字母、数字"),
        ("Clerk_a#2026x", "密码不能包含登录名或手机号"),
        ("Password123!", "该密码过于常见"),
        ("P@ssw0rd2026", "该密码过于常见"),
    ],
)
def test_weak_passwords_are_refused_with_what_is_wrong(password: str, message: str) -> None:
    problem = passwords.policy_problem(password, username="clerk_a")
    assert problem is not None and message in problem


def test_the_demo_password_follows_the_policy() -> None:
    assert passwords.policy_problem(passwords_demo(), username="admin") is None
    assert len(passwords.common_passwords()) > 3000


def test_the_api_refuses_password1_for_a_new_citizen(client: TestClient, world: World) -> None:
    answer = client.post(
        "/api/v1/auth/register",
        json={"phone": "13900000077", "name": "吴", "password": "password1", "sms_code": "123456"},
    )
    assert "至少需要 10 位" in api_error(answer, 422)["message"]


def test_the_last_five_passwords_cannot_be_chosen_again(client: TestClient, world: World) -> None:
    auth = world.auth("clerk_a")
    history = [passwords_demo(), "Erste#Passwort1", "Zweite#Passwort2", "Dritte#Passwort3", "Vierte#Passwort4"]
    current = passwords_demo()
    for new in history[1:]:
        answer = client.post(
            "/api/v1/me/password", json={"current_password": current, "new_password": new}, headers=auth
        )
        assert answer.status_code == 204, answer.text
        current = new
    for old in history[:-1]:
        answer = client.post(
            "/api/v1/me/password", json={"current_password": current, "new_password": old}, headers=auth
        )
        assert "最近 5 次" in api_error(answer, 422)["message"]
    fifth = client.post(
        "/api/v1/me/password", json={"current_password": current, "new_password": "Fünfte#Pass5"}, headers=auth
    )
    assert fifth.status_code == 204
    # the oldest has now left the window of five
    back = client.post(
        "/api/v1/me/password", json={"current_password": "Fünfte#Pass5", "new_password": history[0]}, headers=auth
    )
    assert back.status_code == 204, back.text


def test_the_current_password_is_needed_to_change_it(client: TestClient, world: World) -> None:
    answer = client.post(
        "/api/v1/me/password",
        json={"current_password": "not-it", "new_password": NEW_PASSWORD},
        headers=world.auth("citizen"),
    )
    assert api_error(answer, 422)["message"] == "当前密码不正确"


def test_a_staff_password_expires_after_90_days_and_must_be_changed(browser: MakeBrowser, world: World) -> None:
    clock.freeze(clock.now() + timedelta(days=91))
    clerk = browser(None)
    page = clerk.login("clerk_a")
    assert page.url.path == "/admin/me" and "已超过 90 天未修改" in page.text
    assert clerk.get("/admin/cases").url.path == "/admin/me"  # nothing else until it is changed
    changed = clerk.submit(
        "/admin/me",
        "/admin/me/password",
        {"current_password": passwords_demo(), "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "密码已修改" in changed.text
    assert clerk.get("/admin/cases").url.path == "/admin/cases"


def test_a_citizen_password_does_not_expire(browser: MakeBrowser, world: World) -> None:
    clock.freeze(clock.now() + timedelta(days=400))
    assert browser("citizen").get("/my/cases").url.path == "/my/cases"


def test_a_password_an_admin_set_is_changed_at_the_first_login(browser: MakeBrowser, world: World) -> None:
    admin = browser("admin")
    url = f"/admin/users/{world.users['officer_a'].id}"
    form = {"name": "李审批", "roles": ["officer"], "department_id": str(world.dept_a.id), "is_active": "1"}
    admin.submit(url, url, {**form, "password": "Reset#Pass2026"})
    officer = browser(None)
    page = officer.login("officer_a", "Reset#Pass2026")
    assert page.url.path == "/admin/me" and "由管理员设置" in page.text


def test_citizens_change_their_name_and_password_on_their_account_page(browser: MakeBrowser, world: World) -> None:
    citizen = browser("citizen")
    page = citizen.get("/my/account")
    assert page.status_code == 200 and "138****0001" in page.text
    saved = citizen.submit("/my/account", "/my/account/profile", {"name": "孙新名"})
    assert "个人资料已保存" in saved.text and "孙新名" in saved.text
    weak = citizen.submit(
        "/my/account",
        "/my/account/password",
        {"current_password": passwords_demo(), "password": "password1", "password2": "password1"},
    )
    assert weak.status_code == 422 and "密码至少需要 10 位" in weak.text
    done = citizen.submit(
        "/my/account",
        "/my/account/password",
        {"current_password": passwords_demo(), "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "密码已修改" in done.text
    assert "欢迎您" in browser(None).login("13800000001", NEW_PASSWORD).text


def test_staff_change_their_profile_on_the_personal_page(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    saved = clerk.submit("/admin/me", "/admin/me/profile", {"name": "张新名", "phone": "13912345678"})
    assert "个人资料已保存" in saved.text
    bad = clerk.submit("/admin/me", "/admin/me/profile", {"name": "张新名", "phone": "123"})
    assert bad.status_code == 422


# ---------------------------------------------------------------- timing and the audit text


def test_an_unknown_login_takes_as_long_as_a_wrong_password(
    client: TestClient, world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "argon2_time_cost", 2)
    monkeypatch.setattr(settings, "argon2_memory_cost_kib", 32768)
    user = db.scalar(select(User).where(User.username == "officer_c"))
    assert user is not None
    user.password_hash = hash_password(passwords_demo())  # at the cost a real account has
    db.commit()

    def timed(username: str, address: str) -> float:
        started = time.perf_counter()
        from_address(client, address).post("/api/v1/auth/token", json={"username": username, "password": "wrong"})
        return time.perf_counter() - started

    known = statistics.median(timed("officer_c", f"198.51.100.{i}") for i in range(3))
    unknown = statistics.median(timed(f"ghost{i}", f"198.51.100.{10 + i}") for i in range(3))
    assert unknown > known * 0.5, (known, unknown)


def test_the_login_audit_masks_a_citizens_mobile_number(client: TestClient, world: World, db: Session) -> None:
    client.post("/api/v1/auth/token", json={"username": "13800000001", "password": "wrong"})
    client.post("/api/v1/auth/token", json={"username": "13800000001", "password": passwords_demo()})
    db.rollback()
    rows = list(db.scalars(select(AuditLog).where(AuditLog.action.like("auth.login%"))))
    assert len(rows) == 2
    for row in rows:
        assert "13800000001" not in str(row.after) and row.after == {"username": "138****0001"}


# ---------------------------------------------------------------- progress query locks


def test_many_wrong_queries_do_not_lock_the_applicant_out_of_their_case(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "progress_slowdown_seconds", 0.2)
    new = register(client, world)
    for attempt in range(25):  # an attacker guessing from many addresses
        answer = from_address(client, f"198.51.100.{attempt}").post(
            "/api/v1/progress", json={"case_no": new["case_no"], "query_code": f"{attempt:06d}"}
        )
        assert answer.status_code == 404, answer.text
    started = time.perf_counter()
    owner = from_address(client, "203.0.113.99").post(
        "/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]}
    )
    assert owner.status_code == 200, owner.text
    assert time.perf_counter() - started >= 0.2  # slowed down, not locked


def test_wrong_queries_lock_that_case_for_that_address_only(client: TestClient, world: World) -> None:
    new = register(client, world)
    other = register(client, world)
    guesser = from_address(client, "198.51.100.7")
    for attempt in range(5):
        answer = guesser.post("/api/v1/progress", json={"case_no": new["case_no"], "query_code": f"{attempt:06d}"})
        assert answer.status_code == 404
    right = guesser.post("/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]})
    assert "输错次数过多" in api_error(right, 429)["message"]
    # the same address may still query another case, and another address this one
    assert (
        guesser.post(
            "/api/v1/progress", json={"case_no": other["case_no"], "query_code": other["query_code"]}
        ).status_code
        == 200
    )
    owner = from_address(client, "203.0.113.8").post(
        "/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]}
    )
    assert owner.status_code == 200
