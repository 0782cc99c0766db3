"""Web sessions end for good: at logout, at a password change (bearer tokens too), after 30 idle minutes and
8 hours for staff; their cookies are Secure on an https site."""

# ruff: noqa: F811  (test functions take the imported browser fixture by name)
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from core import clock
from core.seed.demo import DEMO_PASSWORD
from core.settings import get_settings
from tests.helpers import register
from tests.web.conftest import Browser, browser  # noqa: F401  (the web tests' browser fixture)
from tests.world import World

MakeBrowser = Callable[[str | None], Browser]
NEW_PASSWORD = "Neue#Passwort26"


def copy_of(app: object, source: Browser) -> TestClient:
    """Another client carrying the same session cookie (a copied or stolen cookie)."""
    thief = TestClient(source.client.app)
    thief.cookies.set("tongban_session", source.client.cookies["tongban_session"])
    return thief


def test_a_copy_of_the_cookie_is_dead_after_logout(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    thief = copy_of(None, clerk)
    assert thief.get("/admin/cases").url.path == "/admin/cases"
    clerk.submit("/admin/cases", "/logout", {})
    assert thief.get("/admin/cases").url.path == "/login"


def test_a_password_change_ends_every_other_session_and_token(
    browser: MakeBrowser, world: World, client: TestClient
) -> None:
    here, elsewhere = browser("clerk_a"), browser("clerk_a")
    token = world.auth("clerk_a")
    assert client.get("/api/v1/me", headers=token).status_code == 200
    changed = here.submit(
        "/admin/me",
        "/admin/me/password",
        {"current_password": DEMO_PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "密码已修改" in changed.text
    assert here.get("/admin/cases").url.path == "/admin/cases"  # the session that changed it goes on
    assert elsewhere.get("/admin/cases").url.path == "/login"
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_a_password_change_through_the_api_keeps_only_the_token_that_made_it(client: TestClient, world: World) -> None:
    first = client.post("/api/v1/auth/token", json={"username": "officer_a", "password": DEMO_PASSWORD}).json()
    second = client.post("/api/v1/auth/token", json={"username": "officer_a", "password": DEMO_PASSWORD}).json()
    making = {"Authorization": f"Bearer {first['access_token']}"}
    answer = client.post(
        "/api/v1/me/password", json={"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}, headers=making
    )
    assert answer.status_code == 204
    assert client.get("/api/v1/me", headers=making).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"}).status_code == 401


def test_an_admin_password_reset_ends_the_users_sessions(browser: MakeBrowser, world: World) -> None:
    officer = browser("officer_a")
    admin = browser("admin")
    url = f"/admin/users/{world.users['officer_a'].id}"
    form = {"name": "李审批", "roles": ["officer"], "department_id": str(world.dept_a.id), "is_active": "1"}
    admin.submit(url, url, {**form, "password": "Reset#Pass2026"})
    assert officer.get("/admin/cases").url.path == "/login"


def test_a_staff_session_ends_after_30_idle_minutes(browser: MakeBrowser, world: World) -> None:
    start = clock.now()
    clock.freeze(start)
    clerk = browser("clerk_a")
    clock.freeze(start + timedelta(minutes=29))
    assert clerk.get("/admin/cases").url.path == "/admin/cases"
    clock.freeze(start + timedelta(minutes=29 + 31))
    assert clerk.get("/admin/cases").url.path == "/login"


def test_a_busy_staff_session_still_ends_after_8_hours(browser: MakeBrowser, world: World) -> None:
    start = clock.now()
    clock.freeze(start)
    clerk = browser("clerk_a")
    for step in range(1, 24):  # every 20 minutes for 7 h 40 min
        clock.freeze(start + timedelta(minutes=20 * step))
        assert clerk.get("/admin/cases").url.path == "/admin/cases", step
    clock.freeze(start + timedelta(hours=8, minutes=1))
    assert clerk.get("/admin/cases").url.path == "/login"


def test_a_citizen_is_not_cut_off_while_filling_in_a_long_form(browser: MakeBrowser, world: World) -> None:
    start = clock.now()
    clock.freeze(start)
    citizen = browser("citizen")
    clock.freeze(start + timedelta(minutes=90))
    assert citizen.get("/my/cases").url.path == "/my/cases"


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://tongban.example.gov.cn", True), ("http://127.0.0.1:8000", False)]
)
def test_cookies_are_secure_on_an_https_site(
    world: World, monkeypatch: pytest.MonkeyPatch, base_url: str, secure: bool
) -> None:
    monkeypatch.setattr(get_settings(), "base_url", base_url)
    from tongban.asgi import create_app

    page = TestClient(create_app()).get("/login")
    cookie = page.headers["set-cookie"].lower()
    assert ("secure" in cookie) is secure and "httponly" in cookie


def test_an_api_write_riding_on_the_session_cookie_must_come_from_our_own_pages(
    browser: MakeBrowser, world: World, client: TestClient
) -> None:
    """Another site's page can make the visitor's browser post to the API with their cookie; such a write is
    refused and changes nothing. The same write from our own pages (same Origin or the session's token) works,
    and bearer-token clients are not affected."""
    clerk = browser("clerk_a")
    case_id = register(client, world)["case_id"]
    url = f"/api/v1/cases/{case_id}/accept"

    for headers in ({}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}):
        refused = clerk.client.post(url, json={"opinion": "同意"}, headers=headers)
        assert refused.status_code == 403, (headers, refused.text)
        assert "请求来源无法验证" in refused.json()["error"]["message"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=world.auth("clerk_a")).json()["status"] == "submitted"

    accepted = clerk.client.post(url, json={"opinion": "同意"}, headers={"Origin": "http://testserver"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "processing"
    reading = clerk.client.get(f"/api/v1/cases/{case_id}")  # reads need no proof
    assert reading.status_code == 200
