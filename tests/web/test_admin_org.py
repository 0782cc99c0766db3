"""Admin pages for departments, users, roles, items and the audit log."""

import re
from collections.abc import Callable

from sqlalchemy import select

from core.org import service as org_service
from core.org.models import Department, Role, User
from core.seed.demo import DEMO_PASSWORD
from tests.web.conftest import Browser
from tests.web.test_admin_cases import act, register_case
from tests.world import World

MakeBrowser = Callable[..., Browser]


def appoint(db, username: str, name: str, role: str) -> None:  # type: ignore[no-untyped-def]
    """Creates the security administrator or auditor of 三员分立 (the world has neither)."""
    org_service.create_user(db=db, username=username, name=name, password=DEMO_PASSWORD, role_codes=[role])
    db.commit()


def test_audit_log_lists_the_writes_with_their_actor_and_filters_by_action(
    browser: MakeBrowser, world: World, db
) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept", opinion="材料齐全")
    appoint(db, "auditor", "钱审计", "auditor")
    auditor = browser("auditor")
    page = auditor.get("/admin/audit").text
    assert "办件登记" in page and "办件受理" in page and "登录" in page  # action names in Chinese
    assert "张窗口（clerk_a）" in page
    accepted = auditor.get("/admin/audit", params={"action": "case.accept"}).text
    assert set(re.findall(r"<strong>([^<]+)</strong>", accepted)) == {"办件受理"}
    accepted_by_name = auditor.get("/admin/audit", params={"action": "受理"}).text
    assert set(re.findall(r"<strong>([^<]+)</strong>", accepted_by_name)) == {"办件受理"}
    assert "张窗口（clerk_a）" in accepted  # the actor is the person who acted, not the system
    # the update of the case shows field by field what changed
    assert re.search(
        r'<tr class="changed"><td>状态</td><td class="value">submitted</td><td class="value">processing</td></tr>',
        accepted,
    )
    by_entity = auditor.get("/admin/audit", params={"entity": "case", "entity_id": str(case_id)}).text
    assert f"办件 #{case_id}" in by_entity and "<strong>登录</strong>" not in by_entity
    assert clerk.get("/admin/audit").status_code == 403
    assert browser("admin").get("/admin/audit").status_code == 403  # 三员分立: only the auditor reads the log


def test_admin_creates_and_edits_a_department(browser: MakeBrowser, world: World, db) -> None:
    admin = browser("admin")
    data = {"code": "DX", "name": "行政审批局", "short_name": "审批", "sort_order": "5", "is_active": "1"}
    page = admin.submit("/admin/departments/new", "/admin/departments/new", data)
    assert page.status_code == 200 and "部门“行政审批局”已保存" in page.text
    clash = admin.submit("/admin/departments/new", "/admin/departments/new", {**data, "code": "DY"})
    assert clash.status_code == 409 and "部门名称“行政审批局”已存在" in clash.text
    department = db.scalar(select(Department).where(Department.code == "DX"))
    assert department is not None
    url = f"/admin/departments/{department.id}"
    page = admin.submit(url, url, {**data, "name": "行政审批服务局"})
    assert "行政审批服务局" in page.text
    assert browser("clerk_a").get("/admin/departments").status_code == 403


def test_admin_creates_a_user_and_changes_roles_and_password(browser: MakeBrowser, world: World, db) -> None:
    admin = browser("admin")
    data = {
        "username": "clerk_x",
        "name": "新窗口",
        "password": "Window2026",
        "roles": ["clerk"],
        "department_id": str(world.dept_a.id),
        "is_active": "1",
    }
    weak = admin.submit("/admin/users/new", "/admin/users/new", {**data, "password": "short"})
    assert weak.status_code == 422 and "密码至少需要 10 位" in weak.text
    page = admin.submit("/admin/users/new", "/admin/users/new", data)
    assert "用户“新窗口”已创建" in page.text
    created = db.scalar(select(User).where(User.username == "clerk_x"))
    assert created is not None
    url = f"/admin/users/{created.id}"
    page = admin.submit(url, url, {**data, "roles": ["officer"], "password": "Officer2026", "is_active": "1"})
    assert "用户“新窗口”已保存" in page.text
    listing = admin.get("/admin/users", params={"department_id": str(world.dept_a.id)}).text
    assert "clerk_x" in listing and "审批人员" in listing and "clerk_b" not in listing
    assert browser().login("clerk_x", "Officer2026").status_code == 200


def test_security_admin_edits_a_role(browser: MakeBrowser, world: World, db) -> None:
    appoint(db, "security", "郑安全", "security")
    security = browser("security")
    role = db.scalar(select(Role).where(Role.code == "officer"))
    assert role is not None
    page = security.submit("/admin/roles", f"/admin/roles/{role.id}", {"permissions": ["case.read"], "scope": "all"})
    assert "角色“审批人员”已保存" in page.text
    db.rollback()  # ends the test session's read snapshot, so the change is visible
    db.refresh(role)
    assert role.permissions == ["case.read"] and role.data_scope == "all"
    bad = security.submit("/admin/roles", f"/admin/roles/{role.id}", {"permissions": ["case.read"], "scope": "world"})
    assert bad.status_code == 422 and "数据范围应为" in bad.text
    assert browser("admin").get("/admin/roles").status_code == 403  # 三员分立: roles are the security admin's


def test_admin_edits_an_item_and_unpublishes_it(browser: MakeBrowser, world: World) -> None:
    admin = browser("admin")
    url = f"/admin/items/{world.item.id}"
    form = admin.get(url).text
    assert "《城市道路管理条例》第三十条" in form
    fields = {
        "name": "占用、挖掘城市道路审批",
        "item_type": "行政许可",
        "legal_basis": "《城市道路管理条例》第三十条",
        "scope": "开发区",
        "conditions": "有施工方案",
        "location": "二楼",
        "office_hours": "工作日",
        "consult_phone": "0512-57860001",
        "complaint_phone": "0512-57860002",
        "fee": "不收费",
        "result_name": "许可决定书",
        "delivery_method": "窗口领取",
        "online_depth": "三级",
        "statutory_limit": "20",
        "promised_limit": "3",
        "visits": "0",
        "case_type": "2",
        "category": "投资建设",
        "department_id": str(world.dept_a.id),
        "is_online": "1",
    }
    too_long = admin.submit(url, url, {**fields, "promised_limit": "30"})
    assert too_long.status_code == 422 and "承诺时限不能长于法定时限" in too_long.text
    page = admin.submit(url, url, fields)
    assert "已保存" in page.text
    page = admin.submit(url, f"{url}/unpublish", {})
    assert "已下线" in page.text
    assert browser().get(f"/guides/{world.item.id}").status_code == 404
    assert "已下线" in admin.get("/admin/items").text
