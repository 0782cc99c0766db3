"""The portal's one search box in a real Chromium on a phone (375×800) and a desktop (1366×900): the home page's
box leads to results that name the item the question is about and list its guide with FAQs and laws; the
catalogue's keyword filter finds the home page's own example. Every screen passes ``check_page``; screenshots in
var/screenshots/."""

import pytest
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from core.seed import demo
from knowledge.plugin import seed
from tests.browser import check_page
from tests.conftest import serve_app

pytestmark = pytest.mark.one_pass("sqlite")  # Chromium on the served app


def test_one_search_box_reaches_items_faqs_and_laws(page: Page, db: Session) -> None:
    demo.ensure_roles(db)
    demo.seed_items(db, demo.seed_departments(db))
    db.commit()
    seed(db)

    with serve_app() as base:
        page.goto(f"{base}/")
        check_page(page, "home-search")
        page.fill("input[name=q]", "开个小饭馆要办哪些证")
        page.locator("form.search button").click()
        page.wait_for_url("**/knowledge/search?**")
        assert "食品经营许可" in page.locator("#recognised").inner_text()
        first = page.locator(".kb-hits li").first
        assert "办事指南" in first.inner_text() and "食品经营许可" in first.inner_text()
        check_page(page, "search-item")

        page.goto(f"{base}/knowledge/search?q=没领施工许可证就动工了要罚款吗")
        assert "法律法规" in page.locator(".kb-hits li").first.inner_text()
        check_page(page, "search-penalty")

        page.goto(f"{base}/guides?q=道路挖掘")
        assert "占用、挖掘城市道路审批" in page.locator("table").inner_text()
        check_page(page, "guides-search")
