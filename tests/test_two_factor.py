"""TOTP two-factor for administrators and auditors: enrolment at login, the second step, recovery codes, the API."""

# ruff: noqa: F811  (test functions take the imported browser fixture by name)
import re
from collections.abc import Callable
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient

from core import clock
from core.org import two_factor
from core.seed.demo import DEMO_PASSWORD
from core.settings import get_settings
from tests.helpers import api_error
from tests.web.conftest import Browser, browser, csrf_of  # noqa: F401  (the web tests' browser fixture)
from tests.world import World

MakeBrowser = Callable[[str | None], Browser]


@pytest.fixture
def required(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two-factor enforced, as in production."""
    monkeypatch.setattr(get_settings(), "require_two_factor", True)


def code_for(secret: str) -> str:
    return pyotp.TOTP(secret).at(two_factor.now_time())


def enrol_at_login(admin: Browser) -> tuple[str, list[str]]:
    """Logs in with the password, enrols the app and returns its secret and the recovery codes."""
    page = admin.login("admin")
    assert page.url.path == "/login/enrol" and "启用双因素认证" in page.text
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", page.text)
    assert secret
    wrong = admin.client.post("/login/enrol", data={"csrf_token": csrf_of(page.text), "code": "000000"})
    assert wrong.status_code == 422 and "动态验证码不正确" in wrong.text
    done = admin.client.post(
        "/login/enrol", data={"csrf_token": csrf_of(wrong.text), "code": code_for(secret.group(1))}
    )
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert "请保存您的恢复码" in done.text and len(codes) == 10
    return secret.group(1), codes


def test_an_administrator_without_two_factor_enrols_at_login(
    browser: MakeBrowser, world: World, required: None
) -> None:
    admin = browser(None)
    enrol_at_login(admin)
    assert admin.get("/admin/users").url.path == "/admin/users"


def next_step() -> None:
    """Half a minute later: the authenticator shows the next code."""
    clock.freeze(clock.now() + timedelta(seconds=30))


def test_a_password_alone_is_not_enough_once_enrolled(browser: MakeBrowser, world: World, required: None) -> None:
    secret, _ = enrol_at_login(browser(None))
    next_step()
    admin = browser(None)
    page = admin.login("admin")
    assert page.url.path == "/login/verify"
    assert admin.get("/admin/users").url.path == "/login"  # not logged in between the two steps
    wrong = admin.submit("/login/verify", "/login/verify", {"code": "123456"})
    assert wrong.status_code == 401 and "不正确" in wrong.text
    done = admin.submit("/login/verify", "/login/verify", {"code": code_for(secret)})
    assert done.url.path == "/admin" and "欢迎您" in done.text


def test_a_one_time_code_cannot_be_used_twice(browser: MakeBrowser, world: World, required: None) -> None:
    """Someone who saw the code typed (over a shoulder, on a recording) cannot log in with it in the same half
    minute; the next code works."""
    secret, _ = enrol_at_login(browser(None))
    next_step()
    code = code_for(secret)
    owner = browser(None)
    owner.login("admin")
    assert "欢迎您" in owner.submit("/login/verify", "/login/verify", {"code": code}).text
    onlooker = browser(None)
    onlooker.login("admin")
    replayed = onlooker.submit("/login/verify", "/login/verify", {"code": code})
    assert replayed.status_code == 401 and "不正确" in replayed.text
    assert onlooker.get("/admin/users").url.path == "/login"
    next_step()
    fresh = onlooker.submit("/login/verify", "/login/verify", {"code": code_for(secret)})
    assert fresh.url.path == "/admin"


def test_a_recovery_code_works_once(browser: MakeBrowser, world: World, required: None) -> None:
    _, codes = enrol_at_login(browser(None))
    first = browser(None)
    first.login("admin")
    assert "欢迎您" in first.submit("/login/verify", "/login/verify", {"code": codes[0]}).text
    second = browser(None)
    second.login("admin")
    assert second.submit("/login/verify", "/login/verify", {"code": codes[0]}).status_code == 401


def test_staff_without_the_keys_log_in_with_a_password(browser: MakeBrowser, world: World, required: None) -> None:
    assert "欢迎您" in browser(None).login("clerk_a").text


def test_the_demo_setting_lets_the_admin_in_with_a_password(browser: MakeBrowser, world: World) -> None:
    assert get_settings().require_two_factor is False  # as scripts/run.sh's demo and the test suite run
    assert "欢迎您" in browser(None).login("admin").text


def test_api_login_asks_for_the_one_time_code(
    browser: MakeBrowser, client: TestClient, world: World, required: None
) -> None:
    unenrolled = client.post("/api/v1/auth/token", json={"username": "admin", "password": DEMO_PASSWORD})
    assert api_error(unenrolled, 403)["code"] == "two_factor_enrolment_required"
    secret, _ = enrol_at_login(browser(None))
    missing = client.post("/api/v1/auth/token", json={"username": "admin", "password": DEMO_PASSWORD})
    assert api_error(missing, 401)["code"] == "two_factor_required"
    next_step()
    done = client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": DEMO_PASSWORD, "otp": code_for(secret)}
    )
    assert done.status_code == 200, done.text


def test_wrong_codes_count_towards_the_lockout(browser: MakeBrowser, world: World, required: None) -> None:
    enrol_at_login(browser(None))
    admin = browser(None)
    admin.login("admin")
    for _ in range(4):
        admin.submit("/login/verify", "/login/verify", {"code": "000000"})
    last = admin.submit("/login/verify", "/login/verify", {"code": "000000"})
    assert "账号已锁定" in last.text
