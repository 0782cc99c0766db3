"""The major project pages walked in a real Chromium on a phone (375×800) and a desktop (1366×900), on the demo's
projects: the register with a filter, a project page with its Gantt-style timeline (planned and actual bars,
milestones, today's line), nodes with their cases, problems and a 会商, and a refused form. Every screen passes
``check_page`` (no sideways scrolling, no English or internal codes, nothing covered); on the phone the timeline
scrolls sideways inside its own box. The screenshots are in var/screenshots/."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.major_projects.models import MajorProject
from core.seed import demo
from tests.browser import check_page, log_in
from tests.conftest import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app


def test_the_register_and_a_project_page_with_its_timeline(page: Page, db: Session) -> None:
    demo.seed_all(db, cases=20, seed=5)
    flagship = db.scalar(select(MajorProject).where(MajorProject.name == "新能源汽车零部件智能制造项目"))
    assert flagship is not None
    width = page.viewport_size["width"] if page.viewport_size else 0
    with serve_app() as base:
        log_in(page, base, "tracker")
        page.get_by_role("link", name="重大项目").first.click()
        expect(page.get_by_role("heading", name="重大项目跟踪")).to_be_visible()
        expect(page.locator("#projects tbody tr")).to_have_count(10)
        check_page(page, "major-projects")

        page.get_by_label("项目阶段").select_option(label="审批")
        page.get_by_role("button", name="查询").click()
        expect(page).to_have_url(re.compile(r"stage=approval"))
        expect(page.locator("#projects tbody tr")).to_have_count(5)
        page.get_by_role("link", name="新能源汽车零部件智能制造项目").click()

        expect(page.get_by_role("heading", name="新能源汽车零部件智能制造项目")).to_be_visible()
        timeline = page.locator("#timeline")
        expect(timeline).to_be_visible()
        expect(timeline.locator(".gantt-row.node")).to_have_count(len(flagship.nodes))
        expect(timeline.locator(".gantt-row.milestone")).to_have_count(len(flagship.milestones))
        expect(timeline.locator(".bar.actual.done").first).to_be_attached()
        expect(timeline.locator(".bar.actual.late").first).to_be_attached()  # the environmental review, stuck
        expect(timeline.locator(".today-label")).to_have_text("今天")
        expect(page.locator("#node-table")).to_contain_text("逾期")
        expect(page.locator("#node-table a").first).to_have_attribute("href", re.compile(r"^/admin/cases/\d+$"))
        expect(page.locator("#issues ~ .issue").first).to_contain_text("施工用电10千伏专线接入")
        expect(page.locator(".meeting")).to_contain_text("施工许可并联推进会商")
        if width < 640:
            scrolls = timeline.evaluate("(el) => el.scrollWidth > el.clientWidth + 50")
            assert scrolls, "on a phone the timeline scrolls inside its own box"
        check_page(page, "major-project")

        # a milestone that finishes before it starts: the form again with the reason, nothing saved
        page.locator("#milestone-add summary").click()
        page.locator("#ma-kind").select_option(label="主体封顶")
        page.locator("#ma-ps").fill("2027-06-01")
        page.locator("#ma-pf").fill("2027-05-01")
        page.get_by_role("button", name="添加里程碑").click()
        expect(page.locator(".error-box")).to_contain_text("不能早于开始日期（2027-06-01）")
        expect(page.locator("#milestone-add")).to_have_attribute("open", "")
        check_page(page, "major-project-refused")
        db.expire_all()
        assert len(db.get(MajorProject, flagship.id).milestones) == len(flagship.milestones)  # type: ignore[union-attr]

        page.goto(f"{base}/admin/major-projects/stats")
        expect(page.get_by_role("heading", name="按项目阶段")).to_be_visible()
        check_page(page, "major-project-stats")
