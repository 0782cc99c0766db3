"""Issue 16's back-office journeys in a real Chromium on a phone (375×800) and a desktop (1366×900): the window
clerk opens the applicant's uploaded material, accepts and prints the slip, an officer reviews, decides and
concludes; a project guide files a project for an enterprise, which confirms it. Every screen passes
``check_page`` (no sideways scrolling, no English or codes, nothing covered); screenshots in var/screenshots/."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from core.seed.demo import DEMO_PASSWORD
from tests.browser import SCREENS, browser_page, check_page
from tests.conftest import serve_app
from tests.helpers import submit_online
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import FACTORY_INFO, Filing
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("mariadb")]  # Chromium; MariaDB: the passes balance

filing = project_fixtures.filing  # the seed departments and rule set, and a project guide
FILE_NAMES = "code, .file-name"
"""The names of the applicant's files, shown as they were uploaded (申请表.pdf): not prose."""
MADE_UP_CODE = ("XXXXXXK",)
"""The tail of the test enterprise's made-up credit code (91320583MA1XXXXXXK), shown as a credit code is."""


@pytest.fixture(params=sorted(SCREENS), ids=lambda width: f"{width}px")
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@contextmanager
def signed_in(browser: Browser, width: int, base: str, login: str) -> Iterator[Page]:
    """A fresh page at the width, signed in as ``login`` through the login form."""
    with browser_page(browser, width, SCREENS[width]) as page:
        page.goto(f"{base}/login")
        page.get_by_label("登录名").fill(login)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录", exact=True).click()
        yield page


def post_form(page: Page, form: str) -> bytes:
    """Sends the page's form (CSS selector) with the session's cookies, as its button would; returns the body."""
    action = page.locator(form).get_attribute("action")
    token = page.locator(f"{form} input[name=csrf_token]").input_value()
    response = page.context.request.post(f"{page.url.split('/admin')[0]}{action}", form={"csrf_token": token})
    assert response.status == 200, response.text()
    return response.body()


def test_clerk_opens_materials_accepts_prints_and_the_officer_decides(
    shared_chromium: Browser, width: int, client: TestClient, world: World
) -> None:
    case = submit_online(client, world)
    case_page = f"/admin/cases/{case['case_id']}"
    with serve_app() as base:
        with signed_in(shared_chromium, width, base, "clerk_a") as page:
            page.goto(f"{base}{case_page}")
            expect(page.get_by_text("C级：须核验原件").first).to_be_visible()
            link = page.locator("a[href*='/materials/']").first
            opened = page.context.request.get(f"{base}{link.get_attribute('href')}")
            assert opened.status == 200 and opened.body().startswith(b"%PDF")
            expect(page.get_by_text("受理后可打印受理通知书")).to_be_visible()
            check_page(page, "clerk-case-submitted", verbatim=FILE_NAMES)
            page.get_by_label("受理意见").fill("材料齐全，予以受理")
            with page.expect_navigation():
                page.get_by_role("button", name="受理", exact=True).click()
            expect(page.get_by_text("“受理”已办理")).to_be_visible()
            assert post_form(page, "form[action$='/slip']").startswith(b"%PDF")
            expect(page.get_by_role("button", name="提交决定")).to_have_count(0)
            check_page(page, "clerk-case-accepted", verbatim=FILE_NAMES)
        with signed_in(shared_chromium, width, base, "officer_a") as page:
            page.goto(f"{base}{case_page}")
            page.locator("form[action$='/review'] textarea[name=opinion]").fill("符合法定条件")
            with page.expect_navigation():
                page.get_by_role("button", name="提交审查").click()
            page.locator("form[action$='/decide'] textarea[name=opinion]").fill("同意许可")
            with page.expect_navigation():
                page.get_by_role("button", name="提交决定").click()
            expect(page.get_by_label("办结结果")).to_contain_text("出证办结")
            with page.expect_navigation():
                page.get_by_role("button", name="办结", exact=True).click()
            expect(page.locator("#status")).to_have_text("已办结")
            check_page(page, "officer-case-concluded", verbatim=FILE_NAMES)


def test_a_guide_files_for_an_enterprise_and_the_enterprise_confirms(
    shared_chromium: Browser, width: int, filing: Filing
) -> None:
    with serve_app() as base:
        with signed_in(shared_chromium, width, base, "guide") as page:
            page.goto(f"{base}/admin/filing/projects")
            with page.expect_navigation():
                page.get_by_role("link", name="代建设单位填报（帮办代办）").click()
            check_page(page, "guide-proxy-form")
            page.get_by_label("建设单位联系人手机号（门户账号或注册邀请，必填）").fill("13800000001")
            for key, value in FACTORY_INFO.items():
                page.locator(f"input[name={key}]").fill(value)
            with page.expect_navigation():
                page.get_by_role("button", name="保存并填写指标").click()
            expect(page.get_by_text("已为建设单位创建项目")).to_be_visible()
            check_page(page, "guide-proxy-indicators")
        with signed_in(shared_chromium, width, base, "13800000001") as page:
            page.goto(f"{base}/filing")
            expect(page.get_by_text("代办待您确认")).to_be_visible()
            check_page(page, "enterprise-proxy-list")
            with page.expect_navigation():
                page.get_by_role("link", name=FACTORY_INFO["name"]).click()
            expect(page.get_by_text("本项目由报建专员周专员代为填报")).to_be_visible()
            with page.expect_navigation():
                page.get_by_role("button", name="确认为本单位项目").click()
            expect(page.get_by_text("已确认该项目为本单位项目")).to_be_visible()
            check_page(page, "enterprise-proxy-confirmed", allow=MADE_UP_CODE)
