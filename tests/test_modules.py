"""Program modules (程序模块): every staff route belongs to a module or is never switched; a module switched off for
a role hides its menu entries and refuses every one of its pages and /api/v1 routes (403, in Chinese) to the
holders of that role, and to no one else; switched back on, it works again.

The matrix switches each module off for the system administrator's role (``admin`` holds nearly every permission,
so a 403 there is the module's, not a missing permission's — each answer is checked to be the module's refusal),
asks every route of the module as an administrator (pages through a signed-in browser session, the API with a
token), then as a leader and as someone holding the administrator's role and another that has the module.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.deps import current_user
from core.modules import service as modules
from core.modules.registry import ALWAYS, BY_CODE, MODULES, PREFIXES, module_of
from core.org import service as org_service
from core.org.models import Role, User
from core.org.permissions import Permission
from core.seed.demo import DEMO_PASSWORD
from tests.conftest import World
from tests.web.conftest import Browser, csrf_of
from tests.web.conftest import browser as browser  # the web pages' logged-in client

CLOSED = "该功能模块未对您的角色开放"


def staff_routes(app: Any) -> list[tuple[str, str, Any]]:
    """(method, path template, route) of every route under /admin and /api/v1."""
    found = []
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if path == "/admin" or path.startswith(("/admin/", "/api/v1/")):
            found += [(method, path, route) for method in sorted(route.methods or {"GET"}) if method != "HEAD"]
    return found


def module_routes(app: Any, module: str) -> list[tuple[str, str]]:
    """The module's routes that can be switched: those that ask who is calling (the others are public reads)."""
    return [
        (method, path) for method, path, route in staff_routes(app) if module_of(path) == module and asks_caller(route)
    ]


def address(path: str) -> str:
    """A concrete address of a route template: every path parameter a number no row has (``{kind}`` a real kind,
    so that knowledge routes match at all)."""
    path = path.replace("{kind}", "faqs")
    return re.sub(r"\{[^}]+\}", "987654", path)


# ---------------------------------------------------------------- the registry


def test_every_staff_route_belongs_to_a_module_or_is_never_switched(app: Any) -> None:
    unplaced = sorted({path for _, path, _ in staff_routes(app) if module_of(path) is None})
    assert not unplaced, f"routes without a module in core/modules/registry.py PREFIXES: {unplaced}"


def test_every_module_has_routes_and_every_prefix_a_route(app: Any) -> None:
    paths = {path for _, path, _ in staff_routes(app)} | {"/api/v1/openapi.json"}
    for module in MODULES:
        assert module_routes(app, module.code), f"module {module.code} has no route"
    stale = [
        prefix
        for prefix in PREFIXES
        if not any(p == prefix or p.startswith((f"{prefix}/", f"{prefix}.")) for p in paths)
    ]
    assert not stale, f"prefixes that claim no route: {stale}"


def _depends_on(dependant: Any, call: Callable[..., Any]) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def asks_caller(route: Any) -> bool:
    """Whether the route looks up who is calling — where the gate sits (``core.deps.current_user``)."""
    return _depends_on(route.original_route.dependant, current_user)


def test_the_routes_that_never_ask_who_is_calling_are_public_reads(app: Any) -> None:
    """A route that answers anyone without asking who (the catalogue, the knowledge base, publicity, statistics:
    what the portal and the bot read) is as public as a portal page and is not switched. Anything else must ask,
    or its module could not refuse it."""
    unasked = sorted(
        f"{method} {path}"
        for method, path, route in staff_routes(app)
        if module_of(path) != ALWAYS and not asks_caller(route)
    )
    assert unasked, "the public reads are gone: is the gate still in core.deps.current_user?"
    assert all(entry.startswith("GET /api/v1/") for entry in unasked), f"writes or pages that never ask: {unasked}"


def test_portal_pages_and_channels_are_never_switched() -> None:
    for path in ("/", "/guides", "/my/cases", "/channels/wechat", "/static/site.css", "/api/v1/progress", "/admin/me"):
        assert module_of(path) == ALWAYS, path
    assert module_of("/api/v1/cases/{case_id}/accept") == "cases"
    assert module_of("/admin/cases.xlsx") == "cases"
    assert module_of("/api/v1/casesx") is None


# ---------------------------------------------------------------- the matrix


@pytest.fixture
def switcher(world: World, db: Session) -> User:
    """A second system administrator (org.manage only), who may switch the first one's role."""
    role = Role(code="sysadmin", name="系统管理员（二）", permissions=[Permission.ORG_MANAGE.value], data_scope="all")
    db.add(role)
    db.flush()
    user = org_service.create_user(
        db=db, username="sysadmin", name="吴系统", password=DEMO_PASSWORD, role_codes=["sysadmin"]
    )
    both = org_service.create_user(
        db=db,
        username="admin_officer",
        name="冯兼职",
        password=DEMO_PASSWORD,
        role_codes=["admin", "officer"],
        department_id=world.dept_a.id,
    )
    world.tokens["admin_officer"] = org_service.issue_token(db=db, user=both, name="test")
    db.commit()
    return user


def switch(db: Session, by: User, role_code: str, module: str, *, on: bool) -> None:
    role = db.scalar(select(Role).where(Role.code == role_code))
    assert role is not None
    off = dict(modules.board(db, by)).get(role, frozenset())
    enabled = {m.code for m in MODULES} - set(off)
    enabled = enabled | {module} if on else enabled - {module}
    modules.set_role_modules(db, by, role_id=role.id, enabled=sorted(enabled))
    db.commit()


def ask(client: TestClient, page: Browser, token: dict[str, str], csrf: str, method: str, path: str) -> Any:
    url = address(path)
    if path.startswith("/admin"):
        data = {"csrf_token": csrf} if method != "GET" else None
        return page.client.request(method, url, data=data)
    return client.request(method, url, headers=token, json={} if method in ("POST", "PUT", "PATCH") else None)


def refused(response: Any, module: str) -> bool:
    """Whether the answer is the module's refusal (and says which module, in Chinese)."""
    if response.status_code != 403:
        return False
    if response.headers.get("content-type", "").startswith("application/json"):
        error = response.json()["error"]
        return bool(error["code"] == "module_closed" and BY_CODE[module].name in error["message"])
    return CLOSED in response.text and BY_CODE[module].name in response.text


def menu(page: Browser) -> set[str]:
    html = page.get("/admin/me").text
    nav = html.split("<nav>", 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="(/admin[^"]*)"', nav))


@pytest.mark.parametrize("module", [m.code for m in MODULES])
def test_a_module_switched_off_for_a_role_is_closed_to_its_holders_and_to_no_one_else(
    module: str, app: Any, world: World, db: Session, switcher: User, browser: Callable[[str | None], Browser]
) -> None:
    routes = module_routes(app, module)
    client = TestClient(app, raise_server_exceptions=False)
    admin = browser("admin")
    csrf = csrf_of(admin.get("/admin/me").text)
    entries = {href for href in menu(admin) if module_of(href) == module}

    switch(db, switcher, "admin", module, on=False)
    wrong = [
        f"{method} {path}: {answer.status_code}"
        for method, path in routes
        if not refused(answer := ask(client, admin, world.auth("admin"), csrf, method, path), module)
    ]
    assert not wrong, f"routes of {module} not refused to the administrator: {wrong}"
    assert not {href for href in menu(admin) if module_of(href) == module}, "the menu still shows the module"
    assert menu(admin) >= {"/admin/users", "/admin/modules"}  # the rest of the menu stays

    for other in ("leader", "admin_officer"):  # another role; a second role that still has the module
        let_through = [
            p
            for m, p in routes
            if not p.startswith("/admin") and refused(ask(client, admin, world.auth(other), csrf, m, p), module)
        ]
        assert not let_through, f"{other} refused {let_through}"

    switch(db, switcher, "admin", module, on=True)
    still = [f"{m} {p}" for m, p in routes if refused(ask(client, admin, world.auth("admin"), csrf, m, p), module)]
    assert not still, f"still refused after switching {module} back on: {still}"
    assert {href for href in menu(admin) if module_of(href) == module} == entries
