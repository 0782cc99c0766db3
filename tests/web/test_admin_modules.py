"""The switchboard of program modules (/admin/modules): only system administrators open and change it, never for a
role they hold; a change is audited and takes effect at once (the clerk's menu and pages); bad input gets a Chinese
message and saves nothing."""

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.modules.models import ModuleOff
from core.modules.registry import MODULES
from core.org import service as org_service
from core.org.models import Role
from core.org.permissions import Permission
from core.seed.demo import DEMO_PASSWORD
from tests.conftest import World
from tests.helpers import api_error
from tests.web.conftest import Browser
from tests.web.conftest import browser as browser  # the web pages' logged-in client

ALL = [m.code for m in MODULES]


@pytest.fixture
def others(world: World, db: Session) -> World:
    """A security administrator, an auditor and a second system administrator (org.manage only)."""
    db.add(Role(code="sysadmin", name="系统管理员（二）", permissions=[Permission.ORG_MANAGE.value], data_scope="all"))
    db.flush()
    for username, name, role in (
        ("security", "郑安全", "security"),
        ("auditor", "钱审计", "auditor"),
        ("sysadmin", "吴系统", "sysadmin"),
    ):
        world.users[username] = org_service.create_user(
            db=db, username=username, name=name, password=DEMO_PASSWORD, role_codes=[role]
        )
    db.commit()
    return world


def role_id(db: Session, code: str) -> int:
    found = db.scalar(select(Role.id).where(Role.code == code))
    assert found is not None
    return found


def off_rows(db: Session) -> int:
    db.rollback()  # a fresh read
    return db.scalar(select(func.count()).select_from(ModuleOff)) or 0


def test_only_system_administrators_open_the_switchboard(
    others: World, browser: Callable[[str | None], Browser]
) -> None:
    page = browser("admin").get("/admin/modules")
    assert page.status_code == 200
    assert "程序模块" in page.text and "窗口受理人员" in page.text and "办件管理" in page.text
    assert (
        "办事群众/企业" not in page.text and "服务客户端" not in page.text
    )  # the portal and channels are not switched
    assert 'href="/admin/modules"' in page.text  # in the administrator's menu
    for who in ("security", "auditor", "leader", "clerk_a"):
        refused = browser(who).get("/admin/modules")
        assert refused.status_code == 403, who
        assert 'href="/admin/modules"' not in refused.text


def test_switching_off_a_module_closes_it_to_the_role_at_once_and_is_audited(
    others: World, db: Session, browser: Callable[[str | None], Browser]
) -> None:
    clerk = browser("clerk_a")
    assert 'href="/admin/cases"' in clerk.get("/admin/me").text
    assert "/admin/cases?status=" in clerk.get("/admin").text
    clerk_role = role_id(db, "clerk")
    admin = browser("admin")
    saved = admin.submit(
        "/admin/modules", f"/admin/modules/{clerk_role}", {"modules": [c for c in ALL if c != "cases"]}
    )
    assert saved.status_code == 200 and "“窗口受理人员”的功能模块已保存" in saved.text

    me = clerk.get("/admin/me").text
    assert 'href="/admin/cases"' not in me and 'href="/admin/cases/new"' not in me
    assert "/admin/cases?status=" not in clerk.get("/admin").text  # nor the workbench's case counters
    page = clerk.get("/admin/cases")
    assert page.status_code == 403 and "该功能模块未对您的角色开放（办件管理）" in page.text
    error = api_error(clerk.client.get("/api/v1/cases", headers=others.auth("clerk_a")), 403)
    assert error["code"] == "module_closed" and "办件管理" in error["message"]
    assert browser("officer_a").get("/admin/cases").status_code == 200  # the officers' role keeps it
    db.rollback()  # a fresh read: the page committed after this session last looked
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "modules.switch")).one()
    assert entry.after == {"角色": "窗口受理人员", "关闭": ["办件管理"], "开启": []}

    admin.submit("/admin/modules", f"/admin/modules/{clerk_role}", {"modules": ALL})
    assert clerk.get("/admin/cases").status_code == 200
    assert off_rows(db) == 0


def test_bad_input_is_explained_in_chinese_and_saves_nothing(
    others: World, db: Session, browser: Callable[[str | None], Browser]
) -> None:
    admin = browser("admin")
    clerk_role = role_id(db, "clerk")
    unknown = admin.submit("/admin/modules", f"/admin/modules/{clerk_role}", {"modules": ["cases", "casino"]})
    assert unknown.status_code == 422 and "没有这样的功能模块：casino" in unknown.text
    assert 'class="card module-role"' in unknown.text  # the switchboard again, with the message on top
    citizen = admin.submit("/admin/modules", f"/admin/modules/{role_id(db, 'citizen')}", {"modules": []})
    assert citizen.status_code == 422 and "不是工作人员角色" in citizen.text
    own = admin.submit("/admin/modules", f"/admin/modules/{role_id(db, 'admin')}", {"modules": []})
    assert own.status_code == 403 and "不能修改自己所属角色的功能模块" in own.text
    missing = admin.submit("/admin/modules", "/admin/modules/987654", {"modules": []})
    assert missing.status_code == 404 and "角色不存在" in missing.text
    leader = browser("leader").submit("/admin/me", f"/admin/modules/{clerk_role}", {"modules": []})
    assert leader.status_code == 403
    assert off_rows(db) == 0
    assert not db.scalars(select(AuditLog).where(AuditLog.action == "modules.switch")).all()


def test_a_second_system_administrator_may_switch_the_first_ones_role(
    others: World, db: Session, browser: Callable[[str | None], Browser]
) -> None:
    """Modules are switched per role, never per person: the administrator's own role is changed by another."""
    sysadmin = browser("sysadmin")
    admin_role = role_id(db, "admin")
    sysadmin.submit("/admin/modules", f"/admin/modules/{admin_role}", {"modules": [c for c in ALL if c != "exchange"]})
    admin = browser("admin")
    assert admin.get("/admin/exchange").status_code == 403
    assert admin.get("/admin/modules").status_code == 200  # the switchboard itself is never switched
    assert admin.get("/admin/users").status_code == 200
