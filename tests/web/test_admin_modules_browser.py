"""The switchboard of program modules walked in a real Chromium on a phone (375×800) and a desktop (1366×900): a
system administrator opens it from the menu, switches 办件管理 off for the window clerks and saves; the clerk then
no longer has 办件 in the menu and is told in Chinese why the case list is closed. Every screen passes
``check_page``; the screenshots are in var/screenshots/."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import SCREENS, check_page, log_in  # noqa: F401  (SCREENS: imported from here)
from tests.conftest import World

pytestmark = pytest.mark.slow  # Chromium on the app served by uvicorn


def test_an_administrator_switches_a_module_off_for_the_clerks(page: Page, world: World, live_app: str) -> None:
    log_in(page, live_app, "admin")
    page.get_by_role("link", name="程序模块").click()
    expect(page).to_have_url(re.compile(r"/admin/modules$"))
    expect(page.get_by_role("heading", name="程序模块", exact=True)).to_be_visible()
    clerks = page.locator("form.module-role", has=page.get_by_role("heading", name="窗口受理人员"))
    expect(clerks.get_by_label("办件管理")).to_be_checked()
    check_page(page, "modules")

    clerks.get_by_label("办件管理").uncheck()
    clerks.get_by_role("button", name="保存“窗口受理人员”").click()
    expect(page.locator(".flash")).to_contain_text("“窗口受理人员”的功能模块已保存")
    clerks = page.locator("form.module-role", has=page.get_by_role("heading", name="窗口受理人员"))
    expect(clerks.get_by_label("办件管理")).not_to_be_checked()
    own = page.locator("form.module-role", has=page.get_by_role("heading", name="系统管理员", exact=True))
    expect(own).to_contain_text("这是您本人所属的角色")
    check_page(page, "modules-saved")

    page.context.clear_cookies()
    log_in(page, live_app, "clerk_a")
    expect(page.locator("header nav").get_by_role("link", name="办件", exact=True)).to_have_count(0)
    page.goto(f"{live_app}/admin/cases")
    expect(page.get_by_text("该功能模块未对您的角色开放（办件管理），如需使用请联系系统管理员")).to_be_visible()
    check_page(page, "modules-closed")
