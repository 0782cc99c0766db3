"""The knowledge editor's list of unanswered questions in a real Chromium on a phone (375×800) and a desktop
(1366×900): a question an FAQ already answers in other words shows that FAQ as a suggestion, and one click adds it
to the FAQ's other phrasings as a new version to review. Every screen passes ``check_page``; screenshots in
var/screenshots/."""

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page

from tests.browser import check_page, log_in
from tests.conftest import serve_app
from tests.knowledge.helpers import FAQ, publish, search
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app


def test_a_question_an_faq_answers_becomes_its_other_phrasing_from_the_list(
    page: Page, client: TestClient, curators: World
) -> None:
    publish(client, curators, "faq", FAQ)
    assert search(client, "工地开工前办证要准备啥")["answered"] is False  # recorded for the editors

    with serve_app() as base:
        log_in(page, base, "editor")
        page.goto(f"{base}/admin/knowledge/unanswered")
        row = page.locator("#groups tbody tr", has_text="工地开工前办证要准备啥")
        choice = row.get_by_label("已有问答能回答：")
        assert choice.locator("option").all_inner_texts() == [FAQ["question"]]
        check_page(page, "knowledge-unanswered")

        with page.expect_navigation():
            row.get_by_role("button", name="加为其他问法").click()
        assert "/admin/knowledge/revisions/" in page.url
        assert "已加为问答" in page.locator("body").inner_text()
        assert "工地开工前办证要准备啥" in page.locator("main").inner_text()  # in the new version's phrasings
        check_page(page, "knowledge-unanswered-added")

        page.goto(f"{base}/admin/knowledge/unanswered")
        assert "暂无未答问题" in page.locator("#groups").inner_text()
