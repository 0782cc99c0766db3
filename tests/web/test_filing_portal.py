"""全流程报建指导 on the portal: the filer's wizard from a new project to the derived flow, bad input shown in
Chinese next to its field with the rest kept, other people's projects hidden, the public letter verification
page, and a real Chromium showing the next question as soon as an answer that it depends on is chosen."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.projects.letter_pdf import working_day_window
from core.projects.models import GuidanceLetter, Project
from core.rules.engine import DerivedFlow
from core.seed.demo import DEMO_PASSWORD
from tests.browser import chromium_page
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import FACTORY_ANSWERS, FACTORY_INFO, Filing, new_project
from tests.web.conftest import Browser

filing = project_fixtures.filing  # the seed departments and the seed rule set in force

MakeBrowser = Callable[..., Browser]
RENOVATION = {"investor": "enterprise", "project_type": "renovation", "total_investment": "500"}


def _form_of(answers: dict[str, Any]) -> dict[str, str]:
    """Answers as the wizard's form posts them: 是/否 as yes/no, 总投资 in 万元."""
    form: dict[str, str] = {}
    for key, value in answers.items():
        if isinstance(value, bool):
            form[key] = "yes" if value else "no"
        elif key == "total_investment":
            form[key] = f"{value / 10_000:g}"
        elif isinstance(value, float):
            form[key] = f"{value:f}".rstrip("0").rstrip(".")
        else:
            form[key] = str(value)
    return form


def _new_project(filer: Browser, info: dict[str, str] | None = None) -> tuple[int, str]:
    """Creates a project through the form; the id and the page it leads to."""
    response = filer.submit("/filing/projects/new", "/filing/projects/new", info or FACTORY_INFO)
    assert response.status_code == 200, response.text
    found = re.search(r"/filing/projects/(\d+)/indicators$", str(response.url))
    assert found, response.url
    return int(found.group(1)), response.text


def _save(filer: Browser, project_id: int, answers: dict[str, str], action: str = "draft") -> Any:
    url = f"/filing/projects/{project_id}/indicators"
    return filer.submit(url, url, {**answers, "action": action})


def _asked(page: str) -> list[str]:
    """The question keys the wizard shows, in order."""
    return re.findall(r'<fieldset class="card" id="q-([a-z_]+)"', page)


def _labels(page: str) -> list[str]:
    """The labels of the questions the wizard shows."""
    return re.findall(r"<legend[^>]*>\d+\. ([^<（]+)", page)


def _field_block(page: str, key: str) -> str:
    """The part of the wizard page belonging to one question."""
    start = page.index(f'id="q-{key}"')
    return page[start : page.index("</fieldset>", start)]


def _value_of(page: str, key: str) -> str:
    found = re.search(rf'name="{key}" value="([^"]*)"', page)
    assert found, key
    return found.group(1)


def _checked(page: str, key: str) -> str | None:
    found = re.search(rf'name="{key}" value="([^"]*)" checked', page)
    return found.group(1) if found else None


# ---------------------------------------------------------------- landing


def test_landing_explains_the_service_and_lists_the_filers_projects(
    client: TestClient, browser: MakeBrowser, filing: Filing
) -> None:
    anonymous = browser().get("/filing").text
    assert "全流程报建指导" in anonymous and "部门审核" in anonymous and "指导意见书" in anonymous
    assert 'href="/filing/topics"' in anonymous
    assert 'href="/login?next=/filing"' in anonymous and "我的项目" not in anonymous
    assert 'href="/filing">项目报建</a>' in anonymous  # the portal's navigation

    project = new_project(client, filing)
    page = browser("citizen").get("/filing").text
    assert "我的项目" in page and 'href="/filing/projects/new"' in page
    assert project["code"] in page and FACTORY_INFO["name"] in page and "填报中" in page
    assert project["code"] not in browser("citizen2").get("/filing").text


def test_anonymous_visitors_are_sent_to_login_first(browser: MakeBrowser, filing: Filing) -> None:
    response = browser().get("/filing/projects/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/filing/projects/new"


# ---------------------------------------------------------------- the whole path


def test_from_a_new_project_through_drafts_to_the_derived_flow(
    client: TestClient, browser: MakeBrowser, filing: Filing, db: Session
) -> None:
    filer = browser("citizen")
    project_id, first = _new_project(filer)
    assert "项目已创建" in first and "填写项目指标" in first
    asked = _asked(first)
    assert asked[:3] == ["investor", "project_type", "new_land"]
    assert "in_approval_catalogue" not in asked and "land_supply" not in asked  # they depend on answers to come
    assert "总投资（万元）" in first and "系统换算为元保存" in first

    # A renovation: asked whether it alters the structure, never about new land or its supply.
    saved = _save(filer, project_id, RENOVATION)
    assert saved.status_code == 200 and "草稿已保存" in saved.text
    page = filer.get(f"/filing/projects/{project_id}/indicators").text
    asked = _asked(page)
    assert "in_approval_catalogue" in asked and "alters_structure_or_facade" in asked
    assert "new_land" not in asked and "land_supply" not in asked
    assert not {"土地供应方式", "是否新增用地"} & set(_labels(page))
    assert _checked(page, "investor") == "enterprise" and _checked(page, "project_type") == "renovation"
    assert _value_of(page, "total_investment") == "500"
    assert "待填写" in _field_block(page, "in_approval_catalogue")
    db.rollback()  # a fresh snapshot of what the app committed
    assert db.get_one(Project, project_id).indicators["total_investment"] == 5_000_000.0

    # An industrial project on new land: now 是否新增用地, then 土地供应方式 once new land is answered.
    _save(filer, project_id, {"project_type": "industrial"})
    asked = _asked(filer.get(f"/filing/projects/{project_id}/indicators").text)
    assert "new_land" in asked and "land_supply" not in asked and "alters_structure_or_facade" not in asked
    _save(filer, project_id, {"new_land": "yes"})
    page = filer.get(f"/filing/projects/{project_id}/indicators").text
    assert "land_supply" in _asked(page) and _value_of(page, "total_investment") == "500"

    # 保存并推演 with what is still missing: the draft is kept and the first open question is named.
    response = _save(filer, project_id, {"land_supply": "transfer"}, action="derive")
    assert response.status_code == 422
    assert "请先回答：是否列入政府核准的投资项目目录" in _field_block(response.text, "in_approval_catalogue")
    db.rollback()  # a fresh snapshot of what the app committed
    assert db.get_one(Project, project_id).indicators["land_supply"] == "transfer"

    # Everything answered: the flow page with stages, items, reasons and what need not be done.
    response = _save(filer, project_id, _form_of(FACTORY_ANSWERS), action="derive")
    assert response.status_code == 200, response.text
    assert str(response.url).endswith(f"/filing/projects/{project_id}/flow")
    page = response.text
    assert "流程推演完成" in page and "无需办理的事项" in page
    flow = client.get(f"/api/v1/projects/{project_id}/flow", headers=filing.world.auth("citizen")).json()["flow"]
    for stage in flow["stages"]:
        assert str(escape(stage["name"])) in page
        for item in stage["items"]:
            assert str(escape(item["name"])) in page and str(escape(item["department_name"])) in page
            for reason in item["reasons"]:
                assert str(escape(reason["text"])) in page
                assert str(escape(reason["legal_basis"])) in page
    assert flow["ruled_out"], "the factory rules out some approvals"
    ruled_out = page[page.index('id="ruled-out"') :]
    for excluded in flow["ruled_out"]:
        assert str(escape(excluded["name"])) in ruled_out
        assert str(escape(excluded["reasons"][0]["text"])) in ruled_out
    assert f"约需 <strong>{flow['total_days']}</strong> 个工作日" in page
    for item in DerivedFlow.model_validate(flow).items():
        assert f"预计{working_day_window(item)}" in page
    assert "<svg" in page  # the diagram

    overview = filer.get(f"/filing/projects/{project_id}").text
    assert "已推演" in overview and "投资主体" in overview and "企业投资" in overview and "8,000万元" in overview
    assert "提交部门审核" in overview and "V1" in overview and "初稿" in overview
    assert "1391234" not in overview and "139****5678" in overview  # the phone masked as everywhere else


def test_sending_for_review_and_downloading_the_letter(
    client: TestClient, browser: MakeBrowser, filing: Filing, db: Session
) -> None:
    filer = browser("citizen")
    project_id, _ = _new_project(filer)
    _save(filer, project_id, _form_of(FACTORY_ANSWERS), action="derive")
    flow_url = f"/filing/projects/{project_id}/flow"

    letter = filer.submit(flow_url, f"/filing/projects/{project_id}/letter", {})
    assert letter.status_code == 200
    assert letter.headers["content-type"] == "application/pdf" and letter.content.startswith(b"%PDF")

    sent = filer.submit(flow_url, f"/filing/projects/{project_id}/review", {})
    assert sent.status_code == 200 and "已提交部门审核" in sent.text and "部门审核中" in sent.text
    flow = client.get(f"/api/v1/projects/{project_id}/flow", headers=filing.world.auth("citizen")).json()["flow"]
    departments = {item["department_name"] for stage in flow["stages"] for item in stage["items"]}
    asked = re.search(r"已提交部门审核：([^。]+)。", sent.text)
    assert asked and set(asked.group(1).split("、")) == departments
    assert f'action="/filing/projects/{project_id}/review"' not in sent.text
    again = filer.submit(flow_url, f"/filing/projects/{project_id}/review", {})
    assert "项目已提交部门审核，如需修改请联系报建专员" in again.text

    # While the departments review it the filer cannot change it; the page says whom to ask.
    assert "请联系报建专员" in sent.text and f"/filing/projects/{project_id}/indicators" not in sent.text
    refused = _save(filer, project_id, {"digs_road": "yes"})
    assert refused.status_code == 409 and "项目已提交部门审核，如需修改请联系报建专员" in refused.text
    db.rollback()  # a fresh snapshot of what the app committed
    assert db.get_one(Project, project_id).indicators["digs_road"] is False


def test_a_stale_derivation_is_flagged_on_the_overview(browser: MakeBrowser, filing: Filing) -> None:
    filer = browser("citizen")
    project_id, _ = _new_project(filer)
    _save(filer, project_id, _form_of(FACTORY_ANSWERS), action="derive")
    _save(filer, project_id, {"digs_road": "yes"})
    page = filer.get(f"/filing/projects/{project_id}").text
    assert "原推演结果已失效" in page and "填报中" in page and "重新推演" in page
    flow = filer.get(f"/filing/projects/{project_id}/flow")
    assert str(flow.url).endswith(f"/filing/projects/{project_id}") and "请先完成填报并进行流程推演" in flow.text


def test_deriving_from_the_overview_with_missing_facts_points_to_them(browser: MakeBrowser, filing: Filing) -> None:
    filer = browser("citizen")
    project_id, _ = _new_project(filer, {"name": "仅有名称的项目"})
    _save(filer, project_id, _form_of(FACTORY_ANSWERS))
    response = filer.submit(f"/filing/projects/{project_id}", f"/filing/projects/{project_id}/derive", {})
    assert str(response.url).endswith(f"/filing/projects/{project_id}/info")
    assert "请先填写建设单位" in response.text

    info = {**FACTORY_INFO, "name": "仅有名称的项目"}
    url = f"/filing/projects/{project_id}/info"
    saved = filer.submit(url, url, info)
    assert "项目信息已保存" in saved.text and FACTORY_INFO["enterprise_name"] in saved.text
    derived = filer.submit(f"/filing/projects/{project_id}", f"/filing/projects/{project_id}/derive", {})
    assert str(derived.url).endswith(f"/filing/projects/{project_id}/flow")


# ---------------------------------------------------------------- bad input


def test_bad_input_is_shown_next_to_its_field_and_the_rest_is_kept(browser: MakeBrowser, filing: Filing) -> None:
    filer = browser("citizen")
    wrong_check = FACTORY_INFO["credit_code"][:17] + ("1" if FACTORY_INFO["credit_code"][17] != "1" else "2")
    info = {**FACTORY_INFO, "credit_code": wrong_check}
    response = filer.submit("/filing/projects/new", "/filing/projects/new", info)
    assert response.status_code == 422
    assert "统一社会信用代码校验位不正确，请核对后重新输入" in response.text
    assert response.text.index('id="credit_code"') < response.text.index('id="err-credit_code"')
    assert _value_of(response.text, "credit_code") == wrong_check
    assert _value_of(response.text, "name") == FACTORY_INFO["name"]
    assert _value_of(response.text, "location") == FACTORY_INFO["location"]

    project_id, _ = _new_project(filer)
    answers = {"investor": "enterprise", "project_type": "industrial", "floor_area": "24000", "total_investment": "-5"}
    response = _save(filer, project_id, answers)
    assert response.status_code == 422
    assert "总投资不能为负数" in _field_block(response.text, "total_investment")
    assert _value_of(response.text, "total_investment") == "-5" and _value_of(response.text, "floor_area") == "24000"
    assert _checked(response.text, "project_type") == "industrial"
    assert _checked(response.text, "investor") == "enterprise"
    assert "in_approval_catalogue" in _asked(response.text)  # what shows follows the answers given, saved or not

    answers = {**answers, "total_investment": "8000", "floor_area": "0", "energy_tce": "800"}
    response = _save(filer, project_id, answers)
    assert response.status_code == 422
    assert "工业项目的总建筑面积不能为 0，请填写新建建筑的面积" in _field_block(response.text, "floor_area")
    assert _value_of(response.text, "total_investment") == "8000" and _value_of(response.text, "energy_tce") == "800"

    response = _save(filer, project_id, {**answers, "floor_area": "两万"})
    assert "总建筑面积应为数字（单位：平方米）" in _field_block(response.text, "floor_area")

    filer.get(f"/filing/projects/{project_id}/indicators")
    page = filer.get(f"/filing/projects/{project_id}/indicators").text
    assert _checked(page, "investor") is None and _value_of(page, "total_investment") == ""  # nothing was saved


def test_emptying_a_fact_asks_for_it_instead_of_ignoring_it(browser: MakeBrowser, filing: Filing) -> None:
    filer = browser("citizen")
    project_id, _ = _new_project(filer)
    url = f"/filing/projects/{project_id}/info"
    response = filer.submit(url, url, {**FACTORY_INFO, "contact_phone": "", "location": "开发区新址"})
    assert response.status_code == 422 and "请填写联系电话" in response.text
    assert _value_of(response.text, "location") == "开发区新址"


# ---------------------------------------------------------------- who sees what


def test_another_citizen_gets_not_found_for_the_project(
    client: TestClient, browser: MakeBrowser, filing: Filing
) -> None:
    project = new_project(client, filing)
    other = browser("citizen2")
    for page in ("", "/indicators", "/info", "/flow"):
        response = other.get(f"/filing/projects/{project['id']}{page}")
        assert response.status_code == 404, page
        assert "项目不存在或您无权查看" in response.text
    derive = other.submit("/filing", f"/filing/projects/{project['id']}/derive", {})
    assert derive.status_code == 404
    unchanged = client.get(f"/api/v1/projects/{project['id']}", headers=filing.world.auth("citizen")).json()
    assert unchanged["status"] == "draft"


def test_staff_without_filing_permission_cannot_start_a_project(browser: MakeBrowser, filing: Filing) -> None:
    response = browser("clerk_a").get("/filing/projects/new")
    assert response.status_code == 403 and "您没有此操作的权限" in response.text


# ---------------------------------------------------------------- letter verification


def test_the_verification_page_resolves_a_letter_and_flags_a_newer_version(
    browser: MakeBrowser, filing: Filing, db: Session
) -> None:
    filer = browser("citizen")
    project_id, _ = _new_project(filer)
    _save(filer, project_id, _form_of(FACTORY_ANSWERS), action="derive")
    first = db.scalars(select(GuidanceLetter).where(GuidanceLetter.project_id == project_id)).one()
    project = db.get_one(Project, project_id)

    anonymous = browser()
    page = anonymous.get(f"/letters/{first.verification_code}").text
    assert "验证通过" in page and project.code and project.code in page
    assert FACTORY_INFO["name"] in page and FACTORY_INFO["enterprise_name"] in page
    assert "V1（初稿）" in page and "已有更新版本" not in page
    assert f'href="/api/v1/letters/{first.verification_code}/pdf"' in page
    typed = anonymous.get("/letters", params={"code": first.verification_code.lower()})
    assert str(typed.url).endswith(f"/letters/{first.verification_code}") and "验证通过" in typed.text

    _save(filer, project_id, _form_of({**FACTORY_ANSWERS, "digs_road": True}), action="derive")
    page = anonymous.get(f"/letters/{first.verification_code}").text
    assert "验证通过" in page and "已有更新版本 V2" in page

    unknown = anonymous.get("/letters/ZZZZZZZZZZZZ")
    assert unknown.status_code == 404
    assert "验证码对应的指导意见书不存在，请核对验证码" in unknown.text and "验证通过" not in unknown.text
    assert 'action="/letters"' in unknown.text


# ---------------------------------------------------------------- a real browser


@pytest.mark.slow  # Chromium on the app served by uvicorn
@pytest.mark.one_pass("sqlite")
def test_choosing_enterprise_investment_shows_the_catalogue_question_at_once_in_chromium(
    client: TestClient, filing: Filing, live_app: str, db: Session
) -> None:
    project = new_project(client, filing, answers={})
    with chromium_page() as page:
        page.goto(f"{live_app}/login?next=/filing/projects/{project['id']}/indicators")
        page.fill("#username", "13800000001")
        page.fill("#password", DEMO_PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"**/filing/projects/{project['id']}/indicators")
        question = page.locator("#q-in_approval_catalogue")
        assert question.count() == 0

        page.get_by_label("企业投资").check()  # no button pressed: filing.js posts the draft
        question.wait_for(state="visible")
        assert "是否列入政府核准的投资项目目录" in question.inner_text()
        assert page.get_by_label("企业投资").is_checked()
        assert page.url.endswith("#q-investor")
    db.rollback()  # a fresh snapshot of what the app committed
    assert db.get_one(Project, project["id"]).indicators == {"investor": "enterprise"}
