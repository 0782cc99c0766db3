"""The law pages and the rules admin listing in a real Chromium on a phone (375×800) and a desktop (1366×900): a
repealed law says so with its replacement, search marks it, the rules admin page lists the rules citing it, and the
law form offers the status and dates. Every screen passes ``check_page``; screenshots in var/screenshots/."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from core.rules import service as rules_service
from core.rules.document import RuleSetDocument
from knowledge import service as knowledge_service
from knowledge.seed_loader import top_up_laws
from tests.browser import check_page, log_in
from tests.conftest import serve_app
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import Filing

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app

filing = project_fixtures.filing
OLD_RULES = RuleSetDocument.model_validate(
    json.loads((Path(__file__).parents[1] / "rules" / "ruleset_2023.json").read_text(encoding="utf-8"))
)


def test_a_repealed_law_on_its_page_in_search_and_on_the_rules_admin_page(
    page: Page, filing: Filing, db: Session
) -> None:
    top_up_laws(db)
    version = rules_service.published(db)
    assert version is not None
    version.document = OLD_RULES.model_dump(mode="json")
    db.commit()
    laws = {law.title: law for law in knowledge_service.list_laws(db=db)}
    old = laws["固定资产投资项目节能审查办法"]

    with serve_app() as base:
        page.goto(f"{base}/knowledge/laws/{old.id}")
        assert page.locator("#law-status").inner_text() == "已废止"
        assert "现行规定见《固定资产投资项目节能审查和碳排放评价办法》" in page.locator("#law-notice").inner_text()
        check_page(page, "law-repealed")
        page.locator("#law-replacement").click()
        page.wait_for_url(f"**/knowledge/laws/{laws['固定资产投资项目节能审查和碳排放评价办法'].id}")
        assert page.locator("#law-status").inner_text() == "现行有效"
        check_page(page, "law-in-force")

        page.goto(f"{base}/knowledge/laws")
        check_page(page, "laws")

        page.goto(f"{base}/knowledge/search?q=年电力消费量不满500万千瓦时&kind=law")
        assert "现行规定见" in page.locator(".kb-law-notice").first.inner_text()
        check_page(page, "search-repealed-law")

        log_in(page, base, "admin")
        page.goto(f"{base}/admin/filing/rules")
        assert "已于2025年9月1日废止" in page.locator("#law-alert-energy_by_coal").inner_text()
        check_page(page, "rules-law-alerts", allow=("energy_by_coal", "energy_by_electricity", "advertising"))

        page.goto(f"{base}/admin/knowledge/law/new")
        assert page.get_by_label("效力状态（必填）").input_value() == "in_force"
        check_page(page, "law-form")
