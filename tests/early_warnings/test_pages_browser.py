"""The 项目预警 pages walked in a real Chromium on a phone (375×800) and a desktop (1366×900): an officer's list and
warning page, signing it with the button; a 项目专员's settings page, a refused setting with its Chinese message.
Every screen passes ``check_page`` (no sideways scrolling, no English or internal codes, nothing covered); the
screenshots are in var/screenshots/."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from core import clock
from tests.browser import SCREENS, check_page, log_in
from tests.conftest import serve_app
from tests.early_warnings.conftest import at, issue, milestone, node, project, scan_at, warnings
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app


def test_an_officer_lists_opens_and_signs_a_warning(page: Page, projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a, name="新能源动力电池生产基地项目")
    node(db, owner, projects.dept_a, date(2026, 10, 9), name="建设工程规划许可证核发")
    node(db, owner, projects.dept_a, date(2026, 10, 14), name="施工图设计文件审查")
    milestone(db, owner, date(2026, 10, 13), projects.dept_a)
    issue(db, owner, date(2026, 10, 9), projects.dept_a)
    db.commit()
    scan_at(at(10, 12, 0, 15))
    clock.freeze(None)
    first = warnings(db)[0]
    width = page.viewport_size["width"] if page.viewport_size else 0

    with serve_app() as base:
        log_in(page, base, "officer_a")
        page.goto(f"{base}/admin/warnings")
        expect(page.get_by_role("heading", name="项目预警")).to_be_visible()
        expect(page.locator("#warnings tbody tr")).to_have_count(4)
        check_page(page, "warnings-list")

        page.goto(f"{base}/admin/warnings/{first.id}")
        expect(page.locator("#state")).to_have_text("待签收")
        check_page(page, "warning-open")
        with page.expect_navigation():
            page.get_by_role("button", name="签收", exact=True).click()
        expect(page.locator("#state")).to_have_text("已签收")
        expect(page.get_by_role("heading", name="填报处理情况")).to_be_visible()
        check_page(page, "warning-signed")
        assert width in SCREENS


def test_a_tracker_changes_the_settings_and_sees_a_refusal(page: Page, projects: World) -> None:
    with serve_app() as base:
        log_in(page, base, "tracker")
        page.goto(f"{base}/admin/warnings/settings")
        expect(page.locator("#settings tbody tr")).to_have_count(4)
        check_page(page, "warning-settings")

        page.get_by_label("类型").select_option(label="审批节点")
        page.get_by_label("部门").select_option(label="城市管理局")
        page.get_by_label("黄色预警：剩余不超过几个工作日（0–60）").fill("-2")
        page.get_by_label("升级：红色预警满几个工作日报告领导（1–60）").fill("3")
        with page.expect_navigation():
            page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("alert")).to_contain_text("黄色预警天数不能为负数")
        check_page(page, "warning-settings-refused")

        page.get_by_label("黄色预警：剩余不超过几个工作日（0–60）").fill("4")
        with page.expect_navigation():
            page.get_by_role("button", name="保存").click()
        expect(page.locator("#settings tbody tr")).to_have_count(5)
        page.goto(f"{base}/admin/warnings/settings/default/milestone")
        check_page(page, "warning-setting-form")
