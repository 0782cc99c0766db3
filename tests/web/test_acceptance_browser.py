"""Acceptance management in a real Chromium on a phone (375×800) and a desktop (1366×900): an administrator
edits an item's material list, uploads a blank form and writes the 受理指导; a visitor sees the form on the guide
page, previews and downloads it; the clerk reads the guidance on the case page. Every screen passes
``check_page``; screenshots in var/screenshots/."""

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from core.items.demo import form_pdf
from tests.browser import SCREENS, browser_page, check_page
from tests.conftest import serve_app
from tests.helpers import submit_online
from tests.web.test_clerk_journeys_browser import signed_in
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app

FILE_NAMES = "code, .file-name"
FORMATS = ("Word", "JPG", "PNG")
"""The file formats the templates page says it takes."""


@pytest.fixture(params=sorted(SCREENS), ids=lambda width: f"{width}px")
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


def test_templates_and_guidance_from_the_admin_to_the_guide_and_the_window(
    shared_chromium: Browser, width: int, client: TestClient, world: World
) -> None:
    blank = form_pdf("户外广告设置申请表", False)
    item = world.item
    with serve_app() as base:
        with signed_in(shared_chromium, width, base, "admin") as page:
            page.goto(f"{base}/admin/items/{item.id}")
            expect(page.get_by_label("第4项材料名称")).to_have_value("")  # an empty row to add a material
            page.get_by_label("第4项材料名称").fill("道路恢复承诺书")
            page.get_by_label("第4项材料必需").uncheck()
            with page.expect_navigation():
                page.get_by_role("button", name="保存", exact=True).click()
            expect(page.get_by_text("已保存")).to_be_visible()
            expect(page.get_by_label("第4项材料名称")).to_have_value("道路恢复承诺书")
            check_page(page, "admin-item-form", verbatim=FILE_NAMES)

            page.goto(f"{base}/admin/items/{item.id}/templates")
            page.get_by_label("文件", exact=True).set_input_files(
                files=[{"name": "申请表.txt", "mimeType": "text/plain", "buffer": "不是表格".encode()}]
            )
            with page.expect_navigation():
                page.get_by_role("button", name="上传").click()
            expect(page.get_by_text("不能作为模板")).to_be_visible()
            page.get_by_label("文件", exact=True).set_input_files(
                files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": blank}]
            )
            with page.expect_navigation():
                page.get_by_role("button", name="上传").click()
            expect(page.get_by_text("已上传“申请表”的空白表格（第1版）")).to_be_visible()
            check_page(page, "admin-item-templates", allow=FORMATS, verbatim=FILE_NAMES)

            page.goto(f"{base}/admin/items/{item.id}/guidance")
            page.get_by_label("受理核对要点（每行一条）").fill("核对申请表加盖公章\n核对施工方案签字")
            page.get_by_label("第1条不予受理的情形").fill("占用快速路主线")
            page.get_by_label("第1条的理由及依据").fill("依据《城市道路管理条例》第三十一条不予受理")
            with page.expect_navigation():
                page.get_by_role("button", name="保存").click()
            expect(page.get_by_text("受理指导已保存")).to_be_visible()
            check_page(page, "admin-item-guidance")

        with browser_page(shared_chromium, width, SCREENS[width]) as page:
            page.goto(f"{base}/guides/{item.id}")
            link = page.get_by_role("link", name="空白表格", exact=True)
            expect(link).to_be_visible()
            downloaded = page.context.request.get(f"{base}{link.get_attribute('href')}")
            assert downloaded.status == 200 and downloaded.body() == blank
            preview = page.get_by_role("link", name="预览申请表空白表格")
            shown = page.context.request.get(f"{base}{preview.get_attribute('href')}")
            assert shown.status == 200 and shown.body().startswith(b"\x89PNG")
            page.locator("#materials").scroll_into_view_if_needed()
            check_page(page, "guide-templates", allow=("TEST",))  # the test item's made-up code

        case = submit_online(client, world)
        with signed_in(shared_chromium, width, base, "clerk_a") as page:
            page.goto(f"{base}/admin/cases/{case['case_id']}")
            expect(page.get_by_role("heading", name="受理指导")).to_be_visible()
            expect(page.get_by_text("核对施工方案签字")).to_be_visible()
            check_page(page, "clerk-case-guidance", verbatim=FILE_NAMES)
