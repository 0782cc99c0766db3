"""Every HTML page carries the security headers, pages with personal data are never cached, Swagger UI works
with no network, the server does not name itself, and SQLite files are readable by their owner only."""

import re
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import text

from core.db import make_engine
from core.settings import get_settings
from tests.web.conftest import Browser
from tests.world import World
from tongban import cli

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}
PERSONAL = ("/admin", "/my", "/progress")


def html_pages(app: FastAPI) -> list[str]:
    """Every GET page of the portal and the admin site without path parameters."""
    found = set()
    for route in iter_route_contexts(app.routes):  # included routers flattened
        path = route.path or ""
        if (
            "GET" in (route.methods or ())
            and "{" not in path
            and not path.startswith(("/api/", "/channels/", "/healthz", "/readyz"))
        ):
            found.add(path)
    return sorted(found)


def assert_protected(response: Any, path: str) -> None:
    """The header set of an HTML page (and no-store where personal data may show)."""
    headers = response.headers
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, f"{path}: {name}={headers.get(name)}"
    policy = headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, f"{path}: {policy}"
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert "strict-transport-security" not in headers, f"{path}: HSTS over a plain-http site"
    if path.startswith(PERSONAL):
        assert headers.get("cache-control") == "no-store", f"{path}: {headers.get('cache-control')}"


@pytest.mark.parametrize("who", [None, "admin", "citizen"])
def test_every_html_page_carries_the_security_headers(
    who: str | None, world: World, app: FastAPI, browser: Callable[[str | None], Browser]
) -> None:
    visitor = browser(who)
    checked = 0
    for path in html_pages(app):
        response = visitor.get(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue  # an export (xlsx) or a redirect to a file
        assert response.status_code < 500, path
        assert_protected(response, path)
        if who is not None:  # a signed-in person's every answer may hold their own data
            assert response.headers.get("cache-control") == "no-store", path
        checked += 1
    assert checked >= 40  # the portal and admin pages were really walked


def test_the_pages_have_no_inline_script_the_policy_would_block(world: World, browser: Callable[..., Browser]) -> None:
    admin = browser("admin")
    for path in ["/", "/guides", "/progress", "/admin", "/admin/cases", "/filing", "/knowledge"]:
        html = admin.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{path}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{path}: inline event handler"


def test_personal_api_answers_are_not_cached_and_public_pages_may_be(world: World, client: Any) -> None:
    mine = client.get("/api/v1/auth/me", headers=world.auth("citizen"))
    assert mine.headers.get("cache-control") == "no-store"
    public = client.get("/api/v1/items")
    assert public.status_code == 200
    assert public.headers.get("cache-control") != "no-store"
    assert public.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/site.css").headers.get("cache-control") != "no-store"


def test_hsts_only_when_the_site_is_https(world: World, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "strict-transport-security" not in client.get("/").headers
    monkeypatch.setattr(get_settings(), "base_url", "https://tongban.example.gov.cn")
    assert client.get("/").headers["strict-transport-security"].startswith("max-age=31536000")


def test_swagger_ui_needs_no_network(client: Any) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls) and any(u.endswith(".css") for u in urls)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"not a local address: {url}"
        assert client.get(url).status_code == 200, url
    assert "<script>" not in page.text  # the start-up is a static file the policy allows
    openapi = page.text.split('data-openapi-url="')[1].split('"')[0]
    assert client.get(openapi).json()["info"]["title"] == "通办 Tongban API"


def test_serve_does_not_name_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    cli.serve(host="127.0.0.1", port=8000, workers=1, reload=False)
    assert seen["server_header"] is False


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_are_private(tmp_path: Path) -> None:
    fresh = tmp_path / "data" / "tongban.db"
    engine = make_engine(f"sqlite:///{fresh}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        with sqlite3.connect(fresh) as raw:  # a write beside it: SQLite makes its -wal and -shm files
            raw.execute("CREATE TABLE t (x INTEGER)")
            raw.execute("INSERT INTO t VALUES (1)")
    assert _mode(fresh) == 0o600
    assert _mode(fresh.parent) == 0o700
    for side in (fresh.with_name("tongban.db-wal"), fresh.with_name("tongban.db-shm")):
        if side.exists():
            assert _mode(side) == 0o600, side
    engine.dispose()

    old = tmp_path / "old.db"
    old.touch(mode=0o644)
    old.chmod(0o644)
    make_engine(f"sqlite:///{old}").dispose()
    assert _mode(old) == 0o600
