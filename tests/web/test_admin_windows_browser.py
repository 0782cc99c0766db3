"""A window for a clerk, walked in a real Chromium on a phone (375×800) and a desktop (1366×900): the administrator
types a window the department's sign does not list and is told so on the form, corrects it, and finds it on the
staff list; a case the clerk then registers shows its window. Every screen passes ``check_page``; the screenshots
are in var/screenshots/."""

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.browser import check_page, log_in
from tests.helpers import register
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the app served by uvicorn

LOGINS = ("clerk_a", "officer_a", "clerk_b", "officer_c", "leader", "admin")
"""The staff's login names: data the user list and form show as they are."""


def test_an_administrator_seats_a_clerk_at_a_window(
    page: Page, client: TestClient, world: World, db: Session, live_app: str
) -> None:
    world.dept_a.windows = "A12-A14"
    db.commit()
    log_in(page, live_app, "admin")
    page.goto(f"{live_app}/admin/users/{world.users['clerk_a'].id}")
    page.get_by_label("窗口号").fill("A21")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("窗口号“A21”不是城管的窗口（A12-A14），请核对")).to_be_visible()
    expect(page.get_by_label("窗口号")).to_have_value("A21")
    check_page(page, "user-window-refused", allow=LOGINS)

    page.get_by_label("窗口号").fill("a12")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash")).to_contain_text("用户“张窗口”已保存")
    row = page.locator("tr", has=page.get_by_role("cell", name="clerk_a", exact=True))
    expect(row.get_by_role("cell", name="A12", exact=True)).to_be_visible()
    check_page(page, "users-with-windows", allow=LOGINS)

    case_id = register(client, world)["case_id"]
    page.context.clear_cookies()
    log_in(page, live_app, "clerk_a")
    page.goto(f"{live_app}/admin/cases/{case_id}")
    expect(page.locator("#case-window")).to_have_text("A12 号窗口")
    check_page(page, "case-with-window")
