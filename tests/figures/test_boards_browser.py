"""The boards in a real Chromium: the 政务服务大厅 screen at 1920×1080 and the 领导端 board on a desktop (1366) and a
phone (375). Each passes ``check_page`` (no English, no sideways scroll, nothing covered; screenshots in
var/screenshots/), every ECharts chart on it has data to draw, the hall takes in a new case by itself without a
reload, and a figure of the leader board leads to the list behind it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.clock import today
from core.evaluation import service as evaluation_service
from core.figures.scheduled import refresh
from core.guidance import staffing
from core.guidance.models import GuidanceBooking
from core.guidance.schemas import StaffIn
from core.org import service as org_service
from core.retry import in_transaction
from core.seed.demo import DEMO_PASSWORD
from tests.browser import PATIENCE_MS, browser_page, check_page, log_in
from tests.conftest import serve_app
from tests.helpers import act, register
from tests.test_authz_matrix import Ctx, fresh_push, major_project
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app

CHART_DATA_JS = """() => Object.entries(window.boardCharts || {}).map(([id, chart]) => [
  id, chart.getOption().series.reduce((sum, s) => sum + s.data.reduce(
    (n, point) => n + (typeof point === 'object' && point !== null ? point.value : point), 0), 0)])"""
"""Each chart's id and the sum of everything it draws: 0 is an empty chart."""


def drawn(page: Page, expected: set[str]) -> dict[str, float]:
    """The charts on the page and what they draw, once all of ``expected`` are there."""
    expect(page.locator("canvas").first).to_be_visible()
    charts: dict[str, float] = {}
    for _ in range(60):
        charts = dict(page.evaluate(CHART_DATA_JS))
        if expected <= set(charts):
            break
        page.wait_for_timeout(500)
    return charts


def a_centre_at_work(client: TestClient, world: World, db: Session) -> None:
    """Cases of A waiting, in hand and concluded (one rated badly, one well), a push of a concluded case to C, a
    major project; then the figures refreshed."""
    ctx = Ctx(client, world, db, "admin", 0)
    register(client, world)
    act(client, world, register(client, world)["case_id"], "accept")
    fresh_push(ctx)  # a concluded case of A, its result pushed to C
    major_project(ctx)
    for level in (1, 5):
        cid = register(client, world)["case_id"]
        act(client, world, cid, "accept")
        act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
        act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
        act(client, world, cid, "conclude", who="officer_a", result=0)
        case = db.scalar(select(Case).where(Case.id == cid))
        assert case is not None
        evaluation_service.rate(db, case, level=level, comment="评价", channel="web")
        db.commit()
    in_transaction(refresh)


def todays_booking(world: World, db: Session) -> None:
    """A window booking for today with a 帮办员 of A (written as the booking service leaves it: the screen only
    reads bookings, and the booking rules refuse a day that is not ahead or not a working day)."""
    helper = org_service.create_user(
        db=db, username="helper_a", name="何帮办", password=DEMO_PASSWORD, role_codes=["helper"]
    )
    staff = staffing.save_staff(
        db, world.users["admin"], None, StaffIn(user_id=helper.id, department_ids=[world.dept_a.id])
    )
    db.add(
        GuidanceBooking(
            booking_no="BB0001",
            user_id=world.users["citizen"].id,
            service_item_id=world.item.id,
            department_id=world.dept_a.id,
            subject=world.item.name,
            mode="window",
            day=today(),
            period="pm",
            status="booked",
            staff_id=staff.id,
        )
    )
    db.commit()


def seat_clerk_a(world: World, db: Session) -> None:
    """A's clerk at window A12 (A's sign lists A12-A14), so that A's cases are counted at A12."""
    world.dept_a.windows = "A12-A14"
    org_service.update_user(db=db, user=world.users["clerk_a"], window="a12")
    db.commit()


def test_the_hall_screen_fills_itself_and_takes_in_a_new_case(
    shared_chromium: Browser, client: TestClient, world: World, db: Session
) -> None:
    seat_clerk_a(world, db)
    a_centre_at_work(client, world, db)
    todays_booking(world, db)
    with serve_app() as base, browser_page(shared_chromium, 1920, 1080) as page:
        page.emulate_media(reduced_motion="reduce")  # the charts drawn at once: the screenshot shows them whole
        log_in(page, base, "leader")
        page.goto(f"{base}/admin/boards/hall?refresh=2")
        registered = page.locator('[data-figure="today.registered"]')
        expect(registered).to_have_text("5", timeout=PATIENCE_MS)
        expect(page.locator("#concluded li").first).to_contain_text("孙*民")
        expect(page.locator('[data-figure="appointments.total"]')).to_have_text("1")
        expect(page.locator("#appointment-next li").first).to_contain_text("窗口导办")
        expect(page.locator("#appointment-departments li").first).to_contain_text("城管")
        window_row = page.locator("#windows tr").first
        expect(window_row).to_contain_text("A12")  # A's window, with its department and its day
        expect(window_row.locator("td")).to_have_text(["A12", "城管", "5", "4", "3"])
        charts = drawn(page, {"chart-departments", "chart-items", "chart-ratings"})
        assert all(charts.values()), f"a chart with nothing to draw: {charts}"
        check_page(page, "board-hall")
        page.evaluate("() => { window.stillThisPage = true; }")

        register(client, world)
        in_transaction(refresh)
        expect(registered).to_have_text("6", timeout=PATIENCE_MS)  # fetched again by itself
        expect(window_row.locator("td").nth(2)).to_have_text("6")  # and counted at the clerk's window
        assert page.evaluate("() => window.stillThisPage === true"), "the screen reloaded"


@pytest.mark.parametrize("width", [1366, 375])
def test_the_leader_board_draws_every_chart_and_leads_to_the_lists(
    width: int, shared_chromium: Browser, client: TestClient, world: World, db: Session
) -> None:
    a_centre_at_work(client, world, db)
    with serve_app() as base, browser_page(shared_chromium, width, 900 if width > 400 else 800) as page:
        page.emulate_media(reduced_motion="reduce")
        log_in(page, base, "leader")
        page.get_by_role("link", name="统计大屏").first.click()
        expect(page.get_by_role("heading", name="领导端统计")).to_be_visible()
        expected = {"chart-trend", "chart-departments", "chart-stages", "chart-supervision", "chart-ratings"}
        charts = drawn(page, expected)
        assert set(charts) == expected and all(charts.values()), f"a chart with nothing to draw: {charts}"
        check_page(page, "board-leader")

        page.locator("#departments summary").click()
        page.locator("#departments").get_by_role("link", name="5", exact=True).click()  # this month's cases of A
        expect(page.get_by_role("heading", name="办件", exact=True)).to_be_visible()
        rows: Any = page.locator("table tbody tr")
        expect(rows).to_have_count(5)
