"""The construction-filing admin pages: the rule editor (draft, dry-run, publish, roll back), projects and department
review, driven through the web forms as staff use them."""

import html
import re
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from core.rules import service as rules_service
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import FACTORY_ANSWERS, Filing, new_project
from tests.web.conftest import Browser

MakeBrowser = Callable[..., Browser]
filing = project_fixtures.filing  # the seed departments and the seed rule set in force

RULES = "/admin/filing/rules"
DRAFT = "/admin/filing/rules/draft"
NEW_RULE = "/admin/filing/rules/draft/rules/new"

LARGE_INVESTMENT_RULE = {
    "code": "large_investment_fire_design",
    "name": "总投资五千万元以上的厂房做消防设计审查",
    "priority": "300",
    "enabled": "1",
    "condition": "total_investment >= 50000000",
    "add_approvals": ["fire_design_review"],
    "add_materials": "fire_design_review：消防设计文件",
    "reason": "总投资{total_investment}，达到五千万元，按开发区规定做消防设计审查",
    "otherwise": "总投资{total_investment}，不足五千万元",
    "legal_basis": "《建设工程消防设计审查验收管理暂行规定》第十四条",
}


def derive(client: TestClient, filing: Filing, project: dict[str, Any]) -> None:
    """The filer derives the project's flow through the API."""
    response = client.post(f"/api/v1/projects/{project['id']}/derive", headers=filing.world.auth("citizen"))
    assert response.status_code == 200, response.text


def flow_of(client: TestClient, filing: Filing, project: dict[str, Any]) -> dict[str, Any]:
    """The project's current flow as the filer sees it through the API."""
    response = client.get(f"/api/v1/projects/{project['id']}/flow", headers=filing.world.auth("citizen"))
    assert response.status_code == 200, response.text
    return dict(response.json()["flow"])


def approvals_in(flow: dict[str, Any]) -> set[str]:
    """The approval codes of a flow."""
    return {item["code"] for stage in flow["stages"] for item in stage["items"]}


def changed_projects(page: str) -> set[str]:
    """The project codes listed in a page's table of changed flows."""
    return set(re.findall(r'<tr data-project="([^"]+)">', page))


def ok(response: Response) -> str:
    """The page of a successful request."""
    assert response.status_code == 200, response.text
    return response.text


def start_draft(admin: Browser) -> None:
    """新建草稿 on the versions page."""
    page = ok(admin.submit(RULES, DRAFT, {}))
    assert "草稿第 2 版" in page


def draft_rules(db: Session) -> list[dict[str, Any]]:
    """The rules of the draft as stored."""
    db.rollback()  # a new transaction sees what the requests committed
    version = rules_service.draft(db)
    assert version is not None
    return list(version.document["rules"])


def test_a_rule_added_in_the_admin_site_changes_derivations_after_publishing_and_not_before(
    client: TestClient, filing: Filing, browser: MakeBrowser
) -> None:
    factory = new_project(client, filing)  # 8,000 万元
    warehouse = new_project(client, filing, {**FACTORY_ANSWERS, "total_investment": 60_000_000.0})
    workshop = new_project(client, filing, {**FACTORY_ANSWERS, "total_investment": 20_000_000.0})
    everyone = (factory, warehouse, workshop)
    for project in everyone:
        derive(client, filing, project)
    before = {p["code"]: flow_of(client, filing, p) for p in everyone}
    assert all("fire_design_review" not in approvals_in(f) for f in before.values())

    admin = browser("admin")
    start_draft(admin)
    form = ok(admin.get(NEW_RULE))
    assert 'id="indicators"' in form and "total_investment" in form and "&#34;enterprise&#34;（企业投资）" in form
    page = ok(admin.submit(NEW_RULE, NEW_RULE, LARGE_INVESTMENT_RULE))
    assert "已保存到草稿" in page and 'id="rule-large_investment_fire_design"' in page
    assert "增加审批：建设工程消防设计审查" in page

    # In the draft only: every project's flow is exactly what it was.
    for project in everyone:
        assert flow_of(client, filing, project) == before[project["code"]]

    page = ok(admin.submit(DRAFT, f"{DRAFT}/dry-run", {}))
    assert "试算结果：2 个项目的流程将发生变化" in page
    assert changed_projects(page) == {factory["code"], warehouse["code"]}
    dry_run = page[page.index('id="changes"') :]
    assert "建设工程消防设计审查" in dry_run
    for project in everyone:
        assert flow_of(client, filing, project) == before[project["code"]]

    page = ok(admin.submit(DRAFT, f"{DRAFT}/publish", {"note": "总投资五千万元以上的项目增加消防设计审查"}))
    assert "已发布第 2 版" in page
    assert changed_projects(page) == {factory["code"], warehouse["code"]}

    for project in (factory, warehouse):
        after = flow_of(client, filing, project)
        assert after["rule_set_version"] == 2
        assert "fire_design_review" in approvals_in(after)
        item = next(i for s in after["stages"] for i in s["items"] if i["code"] == "fire_design_review")
        assert "消防设计文件" in [m["name"] for m in item["materials"]]
        assert "按开发区规定做消防设计审查" in item["reasons"][0]["text"]
    assert flow_of(client, filing, workshop) == before[workshop["code"]]

    versions = ok(admin.get(RULES))
    row = versions[versions.index('id="version-1"') :]
    assert "已停用" in row[: row.index("</tr>")] and "回滚到此版本" in row[: row.index("</tr>")]
    assert "总投资五千万元以上的项目增加消防设计审查" in versions
    published = ok(admin.get(f"{RULES}/versions/2"))
    assert "large_investment_fire_design" in published and factory["code"] in published

    page = ok(admin.submit(RULES, f"{RULES}/versions/1/rollback", {}))
    assert "已回滚到第 1 版的规则（现行第 3 版）" in page
    assert changed_projects(page) == {factory["code"], warehouse["code"]}
    for project in everyone:
        restored = flow_of(client, filing, project)
        assert "fire_design_review" not in approvals_in(restored)
        assert approvals_in(restored) == approvals_in(before[project["code"]])
    versions = ok(admin.get(RULES))
    current = versions[versions.index('id="version-3"') :]
    assert "现行" in current[: current.index("</tr>")] and "回滚到第 1 版" in current[: current.index("</tr>")]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("total_investment >>> 5", "条件语法错误"),
        ("plot_ratio > 2.5", "条件中的“plot_ratio”不是已知的指标名称"),
    ],
)
def test_a_rule_whose_condition_cannot_be_used_is_refused_at_the_condition_field(
    filing: Filing, browser: MakeBrowser, db: Session, condition: str, message: str
) -> None:
    admin = browser("admin")
    start_draft(admin)
    rules_before = draft_rules(db)
    response = admin.submit(NEW_RULE, NEW_RULE, {**LARGE_INVESTMENT_RULE, "condition": condition})
    assert response.status_code == 422
    page = response.text
    at_field = re.search(r'id="error-condition" role="alert">([^<]+)<', page)
    assert at_field and message in html.unescape(at_field.group(1))
    assert "未保存，请修改标出的内容" in page
    assert f">{html.escape(condition)}</textarea>" in page  # what was typed is kept
    assert f'value="{LARGE_INVESTMENT_RULE["name"]}"' in page
    assert re.search(r'value="fire_design_review" checked', page)
    assert draft_rules(db) == rules_before


def test_other_mistakes_in_the_rule_form_are_named_in_chinese(
    filing: Filing, browser: MakeBrowser, db: Session
) -> None:
    admin = browser("admin")
    start_draft(admin)
    rules_before = draft_rules(db)
    cases = [
        ({"code": "Large-Investment"}, "code", "规则编码只能使用小写英文字母"),
        ({"reason": ""}, "reason", "理由不能为空"),
        ({"priority": "高"}, "priority", "优先级应为数字"),
        ({"add_materials": "消防设计文件"}, "add_materials", "应写作“审批编码：材料名称”"),
        ({"add_materials": "no_such_approval：图纸"}, "add_materials", "no_such_approval 不存在于规则集中"),
        ({"code": "invest_government"}, "code", "规则编码 invest_government 已被使用"),
    ]
    for change, field, words in cases:
        response = admin.submit(NEW_RULE, NEW_RULE, {**LARGE_INVESTMENT_RULE, **change})
        assert response.status_code == 422, (change, response.status_code)
        found = re.search(rf'id="error-{field}" role="alert">([^<]+)<', response.text)
        assert found and words in html.unescape(found.group(1)), (change, found)
    assert draft_rules(db) == rules_before


def test_editing_and_deleting_a_draft_rule(filing: Filing, browser: MakeBrowser, db: Session) -> None:
    admin = browser("admin")
    start_draft(admin)
    edit = f"{DRAFT}/rules/invest_government"
    form = ok(admin.get(edit))
    assert 'value="invest_government"' in form and "investor == &#34;government&#34;" in form
    page = ok(admin.submit(edit, edit, {**LARGE_INVESTMENT_RULE, "code": "invest_government", "priority": "50"}))
    assert "已保存到草稿" in page
    saved = next(r for r in draft_rules(db) if r["code"] == "invest_government")
    assert saved["priority"] == 50 and saved["condition"] == "total_investment >= 50000000"
    assert saved["add_materials"] == [{"approval": "fire_design_review", "name": "消防设计文件"}]

    page = ok(admin.submit(DRAFT, f"{edit}/delete", {}))
    assert "已从草稿中删除" in page and 'id="rule-invest_government"' not in page
    assert "invest_government" not in {r["code"] for r in draft_rules(db)}
    published = ok(admin.get(f"{RULES}/versions/1"))
    assert 'id="rule-invest_government"' in published  # the version in force is untouched

    page = ok(admin.submit(DRAFT, f"{DRAFT}/discard", {}))
    assert "草稿已放弃" in page and "新建草稿" in page
    db.rollback()  # a new transaction sees what the requests committed
    assert rules_service.draft(db) is None


def test_publishing_is_refused_while_a_rule_cannot_be_used(
    client: TestClient, filing: Filing, browser: MakeBrowser, db: Session
) -> None:
    admin = browser("admin")
    start_draft(admin)
    draft = rules_service.draft(db)
    assert draft is not None
    bad = {**LARGE_INVESTMENT_RULE, "condition": "total_investment >>> 5", "enabled": True, "priority": 300}
    bad["add_materials"] = []
    draft.document = {**draft.document, "rules": [*draft.document["rules"], bad]}
    db.commit()

    page = ok(admin.get(DRAFT))
    problems = page[page.index('id="problems"') :]
    assert "修正前不能发布" in problems and "条件语法错误" in problems and LARGE_INVESTMENT_RULE["name"] in problems

    response = admin.submit(DRAFT, f"{DRAFT}/publish", {"note": "试图发布"})
    assert response.status_code == 422
    assert "规则草稿不能发布" in response.text and "条件语法错误" in response.text
    assert ">试图发布</textarea>" in response.text

    response = admin.submit(DRAFT, f"{DRAFT}/publish", {"note": ""})
    assert response.status_code == 422 and "请填写发布说明" in response.text

    db.rollback()  # a new transaction sees what the requests committed
    assert [(v.version, v.status) for v in rules_service.list_versions(db)] == [(2, "draft"), (1, "published")]

    response = admin.submit(RULES, f"{RULES}/versions/1/rollback", {})
    assert response.status_code == 409 and "请先发布或放弃当前草稿" in response.text


def test_rule_pages_need_the_rules_permission(filing: Filing, browser: MakeBrowser) -> None:
    clerk = browser("clerk_a")
    for url in (RULES, DRAFT, NEW_RULE, f"{DRAFT}/rules/invest_government", f"{RULES}/versions/1"):
        response = clerk.get(url)
        assert response.status_code == 403, url
        assert "没有此操作的权限" in response.text
    for action in (DRAFT, f"{DRAFT}/publish", f"{DRAFT}/dry-run", f"{RULES}/versions/1/rollback"):
        assert clerk.submit("/admin", action, {"note": "越权"}).status_code == 403, action
    dashboard = ok(clerk.get("/admin"))
    assert "推演规则" not in dashboard and "报建项目" not in dashboard and "部门审核" not in dashboard
    assert clerk.get("/admin/filing/projects").status_code == 403
    assert clerk.get("/admin/filing/reviews").status_code == 403

    citizen = browser("citizen")
    assert citizen.get(RULES).status_code == 403
    anonymous = browser(None).get(RULES, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")

    admin_nav = ok(browser("admin").get("/admin"))
    assert all(link in admin_nav for link in ("报建项目", "部门审核", "推演规则"))


def test_projects_list_and_page_for_guides_and_officers(
    client: TestClient, filing: Filing, browser: MakeBrowser
) -> None:
    factory = new_project(client, filing)
    other = new_project(client, filing, {**FACTORY_ANSWERS, "digs_road": True})
    derive(client, filing, factory)
    guide = browser("guide")
    listing = ok(guide.get("/admin/filing/projects"))
    assert factory["code"] in listing and other["code"] in listing
    listing = ok(guide.get("/admin/filing/projects", params={"status": "derived"}))
    assert factory["code"] in listing and other["code"] not in listing
    listing = ok(guide.get("/admin/filing/projects", params={"q": other["code"]}))
    assert other["code"] in listing and factory["code"] not in listing

    page = ok(guide.get(f"/admin/filing/projects/{factory['id']}"))
    assert 'id="phone">139****5678<' in page and "13912345678" not in page
    assert "总投资" in page and "8,000万元" in page
    assert "工程建设许可" in page and "建筑工程施工许可证核发" in page
    assert "无需办理" in page and "固定资产投资项目节能审查" in page  # ruled out, with its reason
    assert "流程推演" in page and "提交部门审核" in page
    assert "/api/v1/letters/" in page and "初稿" in page

    # the guide derives the underived project in the web, then sends it to the departments
    page = ok(guide.submit(f"/admin/filing/projects/{other['id']}", f"/admin/filing/projects/{other['id']}/derive", {}))
    assert "流程推演完成，已生成指导意见书（初稿）第 1 版" in page and "占用、挖掘城市道路审批" in page
    page = ok(guide.submit(f"/admin/filing/projects/{other['id']}", f"/admin/filing/projects/{other['id']}/review", {}))
    assert "个部门审核" in page and 'id="status">部门审核中<' in page and "城市管理局" in page

    filing.token_of("officer_d11")  # 城管: the road permit
    officer = browser("officer_d11")
    listing = ok(officer.get("/admin/filing/projects"))
    assert other["code"] in listing and factory["code"] not in listing
    assert officer.get(f"/admin/filing/projects/{factory['id']}").status_code == 404
    page = ok(officer.get(f"/admin/filing/projects/{other['id']}"))
    assert f"/admin/filing/projects/{other['id']}/derive" not in page  # the guide's buttons are not theirs


def review_ids(page: str) -> list[int]:
    """The review links of the reviews page, in order."""
    return [int(n) for n in re.findall(r'href="/admin/filing/reviews/(\d+)"', page)]


def pdf_text(client: TestClient, code: str) -> str:
    """The text of a letter's PDF."""
    response = client.get(f"/api/v1/letters/{code}/pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    result = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
    return result.stdout.decode()


def test_departments_review_in_the_web_and_the_last_confirmation_issues_the_final_letter(
    client: TestClient, filing: Filing, browser: MakeBrowser
) -> None:
    project = new_project(client, filing)
    derive(client, filing, project)
    guide = browser("guide")
    page = f"/admin/filing/projects/{project['id']}"
    ok(guide.submit(page, f"{page}/review", {}))
    departments = sorted({i["department_code"] for s in flow_of(client, filing, project)["stages"] for i in s["items"]})
    assert "D04" in departments and "D05" not in departments

    for code in [*departments, "D05"]:
        filing.token_of(f"officer_{code.lower()}")
    planning_office = browser("officer_d04")  # 规划建设局: construction permit, fire filing, completion filing
    listing = ok(planning_office.get("/admin/filing/reviews"))
    (review_id,) = review_ids(listing)
    url = f"/admin/filing/reviews/{review_id}"
    review = ok(planning_office.get(url))
    assert project["name"] in review and "建筑工程施工许可证核发" in review and "待审核" in review
    assert 'id="form-correct"' in review and 'id="form-confirm"' in review

    for stranger in ("officer_d05", f"officer_{departments[0].lower()}"):
        assert browser(stranger).get(url).status_code == 404

    response = planning_office.submit(
        url, f"{url}/adjust", {"action": "correct", "approval_code": "construction_permit", "opinion": "好"}
    )
    assert response.status_code == 422 and "审核意见不能为空或过短" in response.text
    corrected = ok(
        planning_office.submit(
            url,
            f"{url}/adjust",
            {
                "action": "correct",
                "approval_code": "construction_permit",
                "name": "",
                "time_limit_days": "2",
                "materials": "建筑工程施工许可申请表\n深基坑专项施工方案",
                "opinion": "本项目实行告知承诺，2个工作日办结",
            },
        )
    )
    assert "已更正事项" in corrected and "深基坑专项施工方案" in corrected and "2 个工作日" in corrected
    confirmed = ok(planning_office.submit(url, f"{url}/confirm", {"opinion": "规划建设局同意按调整后的流程办理"}))
    assert "已确认本部门事项，等待其他部门确认" in confirmed and 'id="review-status">已确认<' in confirmed
    assert 'id="form-confirm"' not in confirmed

    others = [code for code in departments if code != "D04"]
    for code in others:
        officer = browser(f"officer_{code.lower()}")
        (other_id,) = review_ids(ok(officer.get("/admin/filing/reviews")))
        other_url = f"/admin/filing/reviews/{other_id}"
        last = ok(officer.submit(other_url, f"{other_url}/confirm", {"opinion": "同意"}))
    assert "各部门均已确认，已出具正式指导意见书第 2 版" in last and 'id="final-letter"' in last

    status = client.get(f"/api/v1/projects/{project['id']}", headers=filing.world.auth("citizen")).json()["status"]
    assert status == "confirmed"
    letters = client.get(f"/api/v1/projects/{project['id']}/letters", headers=filing.world.auth("citizen")).json()
    assert letters[0]["is_final"] and letters[0]["version"] == 2
    text = pdf_text(client, letters[0]["verification_code"])
    assert "规划建设局同意按调整后的流程办理" in text and "2个工作日办结" in text

    done = ok(planning_office.get("/admin/filing/reviews"))
    assert review_ids(done) == [review_id] and "已确认" in done
    project_page = ok(guide.get(page))
    assert (
        'id="status">部门已确认<' in project_page and "正式版" in project_page and "深基坑专项施工方案" in project_page
    )
