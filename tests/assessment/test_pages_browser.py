"""The assessment pages walked in a real Chromium on a phone (375×800) and a desktop (1366×900): the administrator's
history, a scheme refused for weights adding up to 95, the ranking with its correction form, a department's result
with an explanation opened, the appeals; and a department's officer on its own result with the appeal form. Every
screen passes ``check_page``; the screenshots are in var/screenshots/."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from tests.assessment.conftest import S1, compute, post, scheme
from tests.browser import check_page, log_in
from tests.conftest import serve_app
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app


def prepared(client: TestClient, world: World) -> tuple[int, int]:
    """November published (version 1) with an appeal of A pending, and a draft of October; their ids."""
    made = scheme(client, world, S1)
    v1 = compute(client, world, made["id"])
    assert post(client, world, f"/assessments/{v1['id']}/publish").status_code == 200
    filed = post(client, world, f"/assessments/{v1['id']}/appeals", "officer_a", reason="节点延期系申请人补充材料所致")
    assert filed.status_code == 201, filed.text
    october = compute(client, world, made["id"], "2026-10")
    return v1["id"], october["id"]


def test_an_administrator_walks_the_assessment_pages(
    page: Page, client: TestClient, world: World, november: dict[str, Any]
) -> None:
    published, draft = prepared(client, world)
    with serve_app() as base:
        log_in(page, base, "admin")
        page.get_by_role("link", name="进度考核").first.click()
        expect(page.get_by_role("heading", name="各期考核")).to_be_visible()
        check_page(page, "assessment-history")

        page.goto(f"{base}/admin/assessment/schemes/new")
        page.get_by_label("方案名称").fill("季度考核方案")
        page.get_by_label("办件按时办结率").fill("45")
        page.get_by_label("逾期办件数").fill("50")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("alert")).to_contain_text("各项指标的权重合计应为 100，现为 95")
        check_page(page, "assessment-scheme-refused")

        page.goto(f"{base}/admin/assessment/{draft}")
        expect(page.get_by_role("heading", name="发布", exact=True)).to_be_visible()
        check_page(page, "assessment-draft")
        page.goto(f"{base}/admin/assessment/{published}")
        expect(page.locator("#ranking")).to_contain_text("生态环境分局")
        check_page(page, "assessment-ranking")

        page.goto(f"{base}/admin/assessment/{published}/departments/{world.dept_a.id}")
        page.locator("#scores").get_by_role("link", name="办件按时办结率").click()
        expect(page.get_by_text("计为未达标").first).to_be_visible()
        check_page(page, "assessment-department")

        page.goto(f"{base}/admin/assessment/appeals")
        expect(page.get_by_role("button", name="提交答复")).to_be_visible()
        check_page(page, "assessment-appeals")


def test_a_department_officer_reads_its_result_and_finds_the_appeal_form(
    page: Page, client: TestClient, world: World, november: dict[str, Any]
) -> None:
    published, _ = prepared(client, world)
    with serve_app() as base:
        log_in(page, base, "officer_b")
        page.get_by_role("link", name="进度考核").first.click()
        expect(page.get_by_role("heading", name="本部门各期考核结果")).to_be_visible()
        check_page(page, "assessment-own-history")
        page.locator("#own").get_by_role("link", name="2026年11月").click()
        expect(page.locator("#rank")).to_contain_text("第 1 名（共 2 个部门）")
        page.locator("#scores").get_by_role("link", name="监管反馈及时率").click()
        expect(page.get_by_text("至今未认领")).to_be_visible()
        expect(page.get_by_role("button", name="提交申诉")).to_be_visible()
        check_page(page, "assessment-own-result")
        assert published
