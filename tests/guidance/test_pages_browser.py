"""The 帮办预约 pages walked in a real Chromium on a phone (375×800) and a desktop (1366×900): the citizen books for
the next working day and sees the booking and their list; the 帮办员 finds it in their list; the administrator walks
the roster, the calendar, the day's bookings and the statistics. Every screen passes ``check_page``; the
screenshots are in var/screenshots/. The served app runs on the real clock, so the days are the coming ones."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from core.calendar.service import add_working_days
from core.clock import today
from core.guidance import staffing
from core.guidance.schemas import StaffIn
from tests.browser import check_page, log_in
from tests.conftest import serve_app
from tests.guidance.conftest import add_user
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app


def test_booking_and_managing_guidance_in_a_browser(page: Page, world: World, db: Session) -> None:
    add_user(db, world, "helper_a", "何帮办", ["helper"])
    add_user(db, world, "helper_all", "韩帮办", ["helper"])
    admin = world.users["admin"]
    staffing.save_staff(
        db, admin, None, StaffIn(user_id=world.users["helper_a"].id, department_ids=[world.dept_a.id], capacity=2)
    )
    staffing.save_staff(db, admin, None, StaffIn(user_id=world.users["helper_all"].id, capacity=1))
    db.commit()
    day = add_working_days(today(), 1)
    with serve_app() as base:
        log_in(page, base, "13800000001")
        page.goto(f"{base}/my/guidance")
        page.get_by_role("link", name="预约帮办", exact=True).click()
        page.get_by_label("需要帮办的事项或项目").select_option(label="占用、挖掘城市道路审批（城市管理局）")
        page.get_by_role("button", name="查看可预约时段").click()
        expect(page.locator("#slots")).to_contain_text("余 3 个名额")
        check_page(page, "guidance-new")
        page.get_by_label("线上帮办").check()
        page.locator(f'input[name="slot"][value="{day.isoformat()}|am"]').check()
        page.get_by_label("需要帮办的问题（选填）").fill("道路挖掘需要哪些材料，施工方案怎么写")
        page.get_by_role("button", name="提交预约").click()
        expect(page.get_by_text("预约成功")).to_be_visible()
        expect(page.locator("dl.facts")).to_contain_text("何帮办")
        check_page(page, "guidance-booking")
        page.goto(f"{base}/my/guidance")
        expect(page.locator("#my-guidance")).to_contain_text("线上帮办")
        check_page(page, "guidance-my-list")

        page.context.clear_cookies()
        log_in(page, base, "helper_a")
        page.get_by_role("link", name="帮办代办").first.click()
        expect(page.locator("#assigned")).to_contain_text("施工方案怎么写")
        check_page(page, "guidance-helper-list")

        page.context.clear_cookies()
        log_in(page, base, "admin")
        page.goto(f"{base}/admin/guidance/roster")
        expect(page.get_by_role("heading", name="韩帮办")).to_be_visible()
        check_page(page, "guidance-roster")
        page.goto(f"{base}/admin/guidance/calendar")
        expect(page.locator("#calendar")).to_contain_text("1 / 3")
        check_page(page, "guidance-calendar")
        page.goto(f"{base}/admin/guidance/bookings?day={day.isoformat()}")
        expect(page.locator("#bookings")).to_contain_text("何帮办")
        check_page(page, "guidance-day-bookings")
        page.locator("#bookings").get_by_role("button", name="改派").click()
        expect(page.get_by_text("已改派给韩帮办")).to_be_visible()
        page.goto(f"{base}/admin/guidance/stats")
        expect(page.locator("#summary")).to_contain_text("1")
        check_page(page, "guidance-stats")
