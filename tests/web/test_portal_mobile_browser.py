"""The portal's pages in a real Chromium on a phone (375×800) and a desktop (1366×900): tables read as cards with
labelled lines on the phone instead of one character per line, nothing scrolls sideways, the floating 在线咨询
button covers nothing (and a term's explanation shows above it), a glossary term inside a law's title stays
unmarked, the statistics draw their charts from the locally served ECharts, registration sends its code. Every
screen passes ``check_page``; screenshots in var/screenshots/ (issue 16)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from core.seed.demo import DEMO_PASSWORD
from knowledge import service as knowledge_service
from knowledge.seed_loader import top_up_laws
from tests.browser import check_page
from tests.conftest import serve_app
from tests.helpers import act, register, submit_online
from tests.knowledge.helpers import publish
from tests.world import World

TERM = "城市道路"
EXPLANATION = "城市供车辆、行人通行的，具备一定技术条件的道路、桥梁及其附属设施。"

FORMATS = ("pdf", "jpg", "jpeg", "png", "ofd", "doc", "docx", "xls", "xlsx")
"""The file types the application form lists as accepted (names of file formats, as the user sees them on disk)."""

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app


def _concluded(client: TestClient, world: World) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意")
    act(client, world, cid, "conclude", who="officer_a", result=0)


def _width(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["width"])


def _uncovered(page: Page, selector: str) -> Any:
    """What the user sees at the centre and the corners of the element (``True`` each when it is the element)."""
    return page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector), r = el.getBoundingClientRect();
          const points = [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4], [r.left + 4, r.bottom - 4],
                          [r.right - 4, r.bottom - 4], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
          return points.map(([x, y]) => { const hit = document.elementFromPoint(x, y); return !!hit && el.contains(hit); });
        }""",
        selector,
    )


def test_portal_pages_read_well_on_a_phone_and_a_desktop(
    page: Page, client: TestClient, curators: World, db: Session
) -> None:
    world = curators
    publish(client, world, "glossary", {"term": TERM, "explanation": EXPLANATION})
    _concluded(client, world)
    submit_online(client, world)
    top_up_laws(db)
    law = next(law for law in knowledge_service.list_laws(db=db) if law.title == "中华人民共和国行政许可法")
    db.commit()
    phone = page.viewport_size is not None and page.viewport_size["width"] < 640

    with serve_app() as base:
        page.goto(f"{base}/guides")
        if phone:  # a card per item: each line has the screen's width, not one character's
            assert _width(page, "table.stack td[data-label='实施部门']") > 300
            assert page.locator("table.stack thead").first.bounding_box()["height"] <= 1  # type: ignore[index]
            assert _width(page, ".webchat-toggle") < 60  # 在线咨询 collapsed to a small round button
        check_page(page, "portal-guides")

        page.goto(f"{base}/guides/{world.item.id}")
        assert page.locator("#legal_basis .term").count() == 0  # 《城市道路管理条例》 is a title, not a term
        assert "《城市道路管理条例》第三十条" in page.locator("#legal_basis").inner_text()
        term = page.locator("#scope .term").first
        term.focus()
        page.locator("#scope .term .tip").wait_for(state="visible")
        assert all(_uncovered(page, "#scope .term .tip")), "the explanation is covered (by 在线咨询?)"
        page.locator("h1").click()
        if phone:
            assert _width(page, "#materials table.stack td[data-label='来源']") > 250
        check_page(page, "portal-guide", allow=("TEST",))  # the test item's code (事项编码)

        page.goto(f"{base}/publicity")
        assert page.locator("table.stack tbody tr").count() == 1
        check_page(page, "portal-publicity")

        page.emulate_media(reduced_motion="reduce")  # the charts drawn at once, as the screenshot should show them
        page.goto(f"{base}/statistics")
        page.locator("#chart-departments canvas").wait_for()  # ECharts came from /static/vendor and drew
        page.locator("#chart-months canvas").wait_for()
        assert page.locator("#chart-fallback").is_hidden()
        assert page.locator("#by-department tbody tr").count() == 1
        check_page(page, "portal-statistics")

        for path, name in (
            ("/knowledge/faqs", "portal-faqs"),
            ("/knowledge/laws", "portal-laws"),
            (f"/knowledge/laws/{law.id}", "portal-law"),
            ("/knowledge/links", "portal-links"),
        ):
            page.goto(base + path)
            check_page(page, name)
        page.goto(f"{base}/knowledge/laws/{law.id}")
        assert page.locator("#law-coverage").inner_text().startswith("收录条文：第一条、第二条")

        page.goto(f"{base}/register")
        page.get_by_label("手机号（作为登录名）").fill("13912345678")
        page.get_by_label("姓名").fill("吴新")
        with page.expect_navigation():
            page.get_by_role("button", name="获取验证码").click()
        assert "验证码已发送至 139****5678" in page.locator("#code-sent").inner_text()
        assert page.get_by_label("姓名").input_value() == "吴新"
        check_page(page, "portal-register-code-sent")

        page.goto(f"{base}/login?next=/my/cases")
        page.get_by_label("登录名").fill("13800000001")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录", exact=True).click()
        page.goto(f"{base}/my/cases")
        assert page.locator("table.stack tbody tr").count() == 1
        check_page(page, "portal-my-cases")

        page.goto(f"{base}/apply/{world.item.id}")
        choose = page.locator("select[name^='reuse_']").first
        box = choose.bounding_box()
        assert box is not None and box["x"] + box["width"] <= _screen_width(page)  # 选用 is on the screen
        check_page(page, "portal-apply", allow=FORMATS)


def _screen_width(page: Page) -> float:
    size = page.viewport_size
    assert size is not None
    return float(size["width"])
