"""The admin case pages: every handling path, department scope, CSRF, refused forms and the slip."""

import re
from collections.abc import Callable

from httpx import Response
from sqlalchemy import select

from core import clock
from core.cases.models import Case
from tests.helpers import PERSON
from tests.web.conftest import Browser
from tests.world import WORKDAY, World

MakeBrowser = Callable[..., Browser]


def register_case(clerk: Browser, world: World, item_id: int | None = None) -> int:
    """Registers a case through the window form with every material on paper; returns its id."""
    item = {world.item.id: world.item, world.immediate_item.id: world.immediate_item}[item_id or world.item.id]
    page = f"/admin/cases/new?item_id={item.id}"
    data = {"item_id": str(item.id), **PERSON, "paper": [str(m.id) for m in item.materials]}
    response = clerk.submit(page, "/admin/cases/new", data)
    assert response.status_code == 200, response.text
    assert "已登记，办件编号" in response.text
    return int(response.url.path.rsplit("/", 1)[1])


def act(who: Browser, case_id: int, action: str, expect: int = 200, **data: object) -> Response:
    """Posts one action form of the case page."""
    response = who.submit(f"/admin/cases/{case_id}", f"/admin/cases/{case_id}/{action}", data)
    assert response.status_code == expect, response.text
    return response


def status_of(html: str) -> str:
    """The status badge of a case page."""
    found = re.search(r'id="status">([^<]+)<', html)
    assert found
    return found.group(1)


def step_of(html: str) -> str:
    """The current step of a case page."""
    found = re.search(r'id="current-step">([^<]+)<', html)
    assert found
    return found.group(1)


def test_case_goes_accept_review_decide_conclude_through_the_pages(browser: MakeBrowser, world: World) -> None:
    clock.freeze(WORKDAY)
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    page = clerk.get(f"/admin/cases/{case_id}").text
    assert status_of(page) == "待受理"
    assert "1101**********002X" in page and "138****0001" in page  # ID and phone masked
    assert "11010519491231002X" not in page

    page = act(clerk, case_id, "accept", opinion="材料齐全，予以受理").text
    assert "“受理”已办理" in page
    assert status_of(page) == "办理中" and step_of(page) == "审查"
    assert "2026-10-09" in page and 'id="time-state">正常' in page

    officer, leader = browser("officer_a"), browser("leader")
    page = act(officer, case_id, "review", agree="1", opinion="符合条件", opinion_public="1").text
    assert step_of(page) == "决定" and "符合条件" in page
    page = act(leader, case_id, "decide", agree="1", opinion="同意许可", opinion_public="1").text
    assert step_of(page) == "办结"
    page = act(officer, case_id, "conclude", result="0", reason="").text
    assert status_of(page) == "已办结"
    assert 'id="conclusion">出证办结' in page
    steps = page[page.index('id="steps"') :]
    for text in ("窗口登记", "受理", "审查", "决定", "办结", "李审批", "王领导"):
        assert text in steps
    assert "<h2>办理</h2>" not in page  # nothing left to do


def test_refuse_ends_the_case(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    page = act(clerk, case_id, "refuse", reason="不属于本部门职责范围").text
    assert status_of(page) == "不予受理"
    assert "不属于本部门职责范围" in page


def test_supplement_pauses_and_resupply_resumes(browser: MakeBrowser, world: World) -> None:
    clock.freeze(WORKDAY)
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept")
    page = act(clerk, case_id, "request_supplement", reason="施工方案缺少签章", materials=["施工方案"]).text
    assert status_of(page) == "补齐补正中"
    assert "计时暂停" in page and "需补正：施工方案" in page
    plan = next(m for m in world.item.materials if m.name == "施工方案")
    page = act(clerk, case_id, "resupply", note="已补交签章版", paper=[str(plan.id)]).text
    assert status_of(page) == "办理中" and "计时暂停" not in page
    assert "已补交签章版" in page and "（补正）" in page


def test_special_procedure_starts_and_ends(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept")
    page = act(clerk, case_id, "start_special", kind="专家评审", reason="需组织专家论证").text
    assert status_of(page) == "特别程序中" and "专家评审：需组织专家论证" in page
    page = act(clerk, case_id, "end_special", result="专家论证通过").text
    assert status_of(page) == "办理中" and "专家评审结束：专家论证通过" in page


def test_return_goes_back_to_review(browser: MakeBrowser, world: World) -> None:
    clerk, officer = browser("clerk_a"), browser("officer_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept")
    act(officer, case_id, "review", agree="1", opinion="符合条件")
    page = act(officer, case_id, "return", opinion="请补充现场核查情况").text
    assert step_of(page) == "审查"
    assert "<strong>退回</strong>" in page and "请补充现场核查情况" in page


def test_clerk_of_another_department_gets_403_and_changes_nothing(browser: MakeBrowser, world: World, db) -> None:
    case_id = register_case(browser("clerk_a"), world)
    other = browser("clerk_b")
    page = other.get(f"/admin/cases/{case_id}")
    assert page.status_code == 403
    assert "该办件不在您的数据权限范围内" in page.text
    token_page = other.get("/admin").text
    response = other.submit("/admin", f"/admin/cases/{case_id}/accept", {"opinion": "越权受理"})
    assert response.status_code == 403
    assert token_page  # the token came from a page the clerk may see
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None and case.status == "submitted" and len(case.steps) == 1


def test_post_without_or_with_wrong_csrf_token_is_refused(browser: MakeBrowser, world: World, db) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    for data in ({"opinion": "无令牌"}, {"opinion": "错令牌", "csrf_token": "forged"}):
        response = clerk.client.post(f"/admin/cases/{case_id}/accept", data=data)
        assert response.status_code == 403
        assert "页面已过期或表单来源无法验证" in response.text
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None and case.status == "submitted" and case.accepted_at is None


def test_bad_form_shows_the_chinese_error_and_saves_nothing(browser: MakeBrowser, world: World, db) -> None:
    clerk, officer = browser("clerk_a"), browser("officer_a")
    case_id = register_case(clerk, world, world.immediate_item.id)
    act(clerk, case_id, "accept")
    page = act(officer, case_id, "conclude", expect=422, result="1", reason="  ").text
    assert "办结结果“不予许可”必须填写理由" in page
    assert status_of(page) == "办理中"
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None and case.status == "processing" and case.conclusion_result is None
    assert [s.action for s in case.steps] == ["register", "accept"]
    # an action the state does not allow answers 409 with the reason
    page = act(officer, case_id, "decide", expect=409, agree="1", opinion="同意").text
    assert "不能执行“决定”" in page


def test_slip_is_a_pdf(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept")
    response = clerk.submit(f"/admin/cases/{case_id}", f"/admin/cases/{case_id}/slip", {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_admin_pages_need_a_staff_login(browser: MakeBrowser, world: World) -> None:
    anonymous = browser()
    response = anonymous.get("/admin/cases", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    citizen = browser("citizen")
    page = citizen.get("/admin")
    assert page.status_code == 403 and "管理后台仅供工作人员使用" in page.text


def test_dashboard_counts_cases_in_scope(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    register_case(clerk, world)
    accepted = register_case(clerk, world)
    act(clerk, accepted, "accept")
    page = clerk.get("/admin").text
    assert re.search(r'<span class="n">1</span>待受理', page)
    assert re.search(r'<span class="n">1</span>办理中', page)
    assert re.search(r'<span class="n">0</span>待受理', browser("clerk_b").get("/admin").text)
    listing = clerk.get("/admin/cases?status=processing").text
    assert listing.count("/admin/cases/") - listing.count("/admin/cases/new") == 1
