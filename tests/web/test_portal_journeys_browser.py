"""The applicant's journeys walked in a real Chromium on a phone (375×800) and a desktop (1366×900): apply, refresh
the 申报成功 page (still one case), open the case, query its progress, download the result and rate it once
concluded; withdraw another application; apply for a 一件事. Every screen passes ``check_page`` (no sideways
scrolling, no English or internal codes, nothing covered); the screenshots are in var/screenshots/."""

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.items.models import ItemMaterial
from core.seed.demo import DEMO_PASSWORD
from knowledge.models import Bundle
from tests.browser import SCREENS, check_page
from tests.conftest import serve_app
from tests.helpers import PERSON
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app

FILE_TYPES = ("pdf", "jpg", "jpeg", "png", "ofd", "doc", "docx", "xls", "xlsx")
"""The file types the forms name (what a person recognises on their files), not English prose."""
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def width_of(page: Page) -> int:
    return page.viewport_size["width"] if page.viewport_size else 0


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("登录名").fill("13800000001")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()


def fill_applicant(page: Page) -> None:
    page.locator("#id_number").fill(PERSON["id_number"])
    page.locator("#name").fill(PERSON["name"])
    page.locator("#phone").fill(PERSON["phone"])
    page.locator("#address").fill(PERSON["address"])


def attach_all(page: Page) -> None:
    for field in page.locator("input[type=file]").all():
        field.set_input_files(files=[{"name": "材料.pdf", "mimeType": "application/pdf", "buffer": PDF}])


def act(base: str, world: World, case_id: int, action: str, who: str, **body: object) -> None:
    headers = {"Authorization": f"Bearer {world.tokens[who]}"}
    answer = httpx.post(f"{base}/api/v1/cases/{case_id}/{action}", json=body, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text


def fields_under_the_chat_button(page: Page) -> list[str]:
    """The form's fields whose right end the 在线咨询 button covers at some point while one scrolls the page."""
    return list(
        page.evaluate(
            """() => {
              const covered = new Set(), step = Math.max(100, window.innerHeight / 3);
              const fields = [...document.querySelectorAll('main form input:not([type=hidden]), main form select')];
              for (let y = 0; y <= document.documentElement.scrollHeight; y += step) {
                window.scrollTo(0, y);
                for (const field of fields) {
                  const r = field.getBoundingClientRect();
                  if (r.width === 0 || r.bottom < 0 || r.top > window.innerHeight) continue;
                  const hit = document.elementFromPoint(r.right - 6, (r.top + r.bottom) / 2);
                  if (hit && hit.closest('.webchat-toggle')) covered.add(field.name || field.id);
                }
              }
              window.scrollTo(0, 0);
              return [...covered];
            }"""
        )
    )


def cases(db: Session) -> list[Case]:
    db.rollback()
    return list(db.scalars(select(Case).order_by(Case.id)))


def test_apply_refresh_progress_download_and_rate(page: Page, world: World, db: Session) -> None:
    width = width_of(page)
    with serve_app() as base:
        log_in(page, base)
        page.goto(f"{base}/apply/{world.item.id}")
        assert fields_under_the_chat_button(page) == [], "在线咨询 lies over a field of the form"
        fill_applicant(page)
        # the first sending lacks a material: the form comes back with the chosen file still attached
        page.locator("input[type=file]").first.set_input_files(
            files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        with page.expect_navigation():
            page.get_by_role("button", name="提交申报").click()
        expect(page.locator(".error-box")).to_contain_text("缺少必需材料")
        expect(page.locator(".kept").first).to_have_text("已上传：申请表.pdf")
        check_page(page, "apply-kept-file", allow=FILE_TYPES)
        page.locator("input[type=file]").nth(1).set_input_files(
            files=[{"name": "施工方案.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        with page.expect_navigation():
            page.get_by_role("button", name="提交申报").click()
        expect(page.get_by_role("heading", name="申报成功")).to_be_visible()
        code = page.locator("dd.secret").last.inner_text().strip()
        check_page(page, "apply-done", allow=FILE_TYPES)
        page.reload()
        expect(page.locator("#code-shown")).to_be_visible()
        check_page(page, "apply-done-refreshed", allow=FILE_TYPES)
        filed = cases(db)
        assert len(filed) == 1
        case_id, case_no = filed[0].id, filed[0].case_no

        page.goto(f"{base}/progress")
        page.locator("input[name=case_no]").fill(case_no)
        page.locator("input[name=query_code]").fill(code)
        with page.expect_navigation():
            page.get_by_role("button", name="查询").click()
        expect(page.get_by_role("heading", name="办件进度")).to_be_visible()
        check_page(page, "progress-result", allow=FILE_TYPES)

        for action, who, body in (
            ("accept", "clerk_a", {}),
            ("review", "officer_a", {"agree": True, "opinion": "符合条件"}),
            ("decide", "officer_a", {"agree": True, "opinion": "同意"}),
            ("conclude", "officer_a", {"result": 0}),
        ):
            act(base, world, case_id, action, who, **body)
        page.goto(f"{base}/my/cases")
        check_page(page, "my-cases", allow=FILE_TYPES)
        page.goto(f"{base}/my/cases/{case_id}")
        with page.expect_download() as download:
            page.get_by_role("button", name="下载电子证照（PDF）").click()
        assert download.value.suggested_filename.endswith(".pdf")
        check_page(page, "my-case-concluded", allow=FILE_TYPES)
        page.goto(f"{base}/my/inbox")
        expect(page.locator(".inbox-row").first).to_be_visible()
        check_page(page, "my-inbox", allow=FILE_TYPES)
        # 带出以往信息 on a new application: the licence is offered for the one material whose guide names it
        first, second = world.item.materials[0].id, world.item.materials[1].id
        db.rollback()
        db.get(ItemMaterial, first).licence_name = "占用挖掘城市道路许可决定书"  # type: ignore[union-attr]
        db.commit()
        page.goto(f"{base}/apply/{world.item.id}")
        page.locator("#id_number").fill(PERSON["id_number"])
        page.get_by_role("button", name="带出以往信息").click()
        expect(page.locator("#prefill-status")).to_contain_text("已带出以往信息")
        offered = page.locator(f"select[name=reuse_{first}] option").all_inner_texts()
        assert any(text.startswith("电子证照：") for text in offered), offered
        assert any(text.startswith("历史材料：申请表") for text in offered), offered
        elsewhere = page.locator(f"select[name=reuse_{second}] option").all_inner_texts()
        assert not any(text.startswith("电子证照：") for text in elsewhere), elsewhere
        check_page(page, "apply-picker", allow=FILE_TYPES)

        page.goto(f"{base}/my/cases/{case_id}")
        with page.expect_navigation():
            page.get_by_role("link", name="评价本次服务（好差评）").click()
        page.locator("input[name=level][value='5']").check()
        with page.expect_navigation():
            page.get_by_role("button", name="提交评价").click()
        check_page(page, "rated", allow=FILE_TYPES)
        page.goto(f"{base}/my/cases/{case_id}")
        expect(page.locator("#rating")).to_contain_text("您已评价")
    assert width in SCREENS


def test_withdraw_and_apply_for_a_bundle(page: Page, world: World, db: Session) -> None:
    theme = Bundle(
        theme="我要占道施工",
        applicant_type="企业",
        item_ids=[world.item.id, world.immediate_item.id],
        materials=[],
        steps=[],
        status="published",
    )
    db.add(theme)
    db.commit()
    with serve_app() as base:
        log_in(page, base)
        page.goto(f"{base}/bundles/{theme.id}/apply")
        check_page(page, "bundle-form", allow=FILE_TYPES)
        fill_applicant(page)
        attach_all(page)
        with page.expect_navigation():
            page.get_by_role("button", name="一次提交全部事项").click()
        expect(page.get_by_role("heading", name="申报成功")).to_be_visible()
        check_page(page, "bundle-done", allow=FILE_TYPES)
        assert len(cases(db)) == 2
        page.goto(f"{base}/my/cases")
        expect(page.locator(".group-head")).to_contain_text("一件事：我要占道施工")
        check_page(page, "my-cases-bundle", allow=FILE_TYPES)

        first = cases(db)[0].id
        page.goto(f"{base}/my/cases/{first}")
        check_page(page, "my-case-bundle", allow=FILE_TYPES)
        page.locator("#reason").fill("信息填错，重新申报")
        with page.expect_navigation():
            page.get_by_role("button", name="确认撤回").click()
        expect(page.locator(".flash")).to_contain_text("已撤回")
        check_page(page, "withdrawn", allow=FILE_TYPES)
        db.rollback()
        assert db.scalar(select(func.count()).select_from(Case).where(Case.status == "withdrawn")) == 1
