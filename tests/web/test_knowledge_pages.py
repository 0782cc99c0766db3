"""Knowledge base pages: curation in the admin site (draft → review → publish → new version → archive),
the public portal pages and search, and bad input shown in Chinese with the values kept."""

import re
from collections.abc import Callable
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Faq, Law, Revision, UnansweredQuestion
from tests.knowledge.helpers import FAQ, LAW, publish
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]

LAW_TEXT = "\n\n".join(f"{a['number']} {a['text']}" for a in LAW["articles"])
LAW_FORM = {
    "title": LAW["title"],
    "doc_no": LAW["doc_no"],
    "issuer": LAW["issuer"],
    "category": LAW["category"],
    "published_on": "1996-06-04",
    "effective_on": "1996-10-01",
    "sort_order": "1",
    "articles": LAW_TEXT,
}
POLICY = {
    "doc_no": "开管发〔2026〕3号",
    "issuer": "开发区管委会",
    "title": "关于优化道路挖掘审批服务的通知",
    "category": "审批改革",
    "published_on": "2026-03-01",
    "valid_from": "2026-03-01",
    "valid_until": "2028-02-29",
    "target_groups": ["建设单位", "管线单位"],
    "summary": "道路挖掘审批实行一窗受理、并联审查。",
    "sections": [
        {"heading": "一、适用范围", "text": "开发区范围内因工程建设需要占用、挖掘城市道路的项目。"},
        {"heading": "二、办理时限", "text": "材料齐全的，5个工作日内办结。"},
    ],
    "interpretation": {
        "background": "企业反映道路挖掘审批环节多。",
        "key_points": ["一窗受理", "并联审查"],
        "qa": [{"q": "夜间施工需要另行申请吗？", "a": "需要向公安交通管理部门另行报备。"}],
    },
}


def revision_id(response: Any) -> int:
    """The revision a redirect after saving landed on."""
    found = re.search(r"/admin/knowledge/revisions/(\d+)", str(response.url))
    assert found, response.url
    return int(found.group(1))


def draft(who: Browser, kind: str, data: dict[str, Any], entity_id: int | None = None, then: str = "save") -> Any:
    """Fills in the new-draft form of a kind and saves it."""
    page = f"/admin/knowledge/{kind}/new" + (f"?entity_id={entity_id}" if entity_id else "")
    fields = {**data, "then": then}
    if entity_id:
        fields["entity_id"] = str(entity_id)
    return who.submit(page, f"/admin/knowledge/{kind}/new", fields)


def act(who: Browser, rid: int, action: str, **data: str) -> Any:
    """Presses a button of the version page."""
    url = f"/admin/knowledge/revisions/{rid}"
    return who.submit(url, f"{url}/{action}", data)


def faq_form(world: World, **overrides: str) -> dict[str, str]:
    """The FAQ form filled in like an editor would."""
    values = {
        "service_item_id": str(world.item.id),
        "question": FAQ["question"],
        "answer": FAQ["answer"],
        "keywords": "\n".join(FAQ["keywords"]),
        "alternatives": "\n".join(FAQ["alternatives"]),
    }
    return values | overrides


def test_editor_drafts_reviewer_publishes_new_version_replaces_and_archive_removes(
    browser: MakeBrowser, curators: World, db: Session
) -> None:
    editor, reviewer, visitor = browser("editor"), browser("reviewer"), browser()
    assert "知识库" in editor.get("/admin").text

    saved = draft(editor, "faq", faq_form(curators))
    assert saved.status_code == 200 and "草稿已保存" in saved.text
    faq_revision = revision_id(saved)
    submitted = act(editor, faq_revision, "submit")
    assert "已提交审核" in submitted.text and "待审核" in submitted.text

    law_saved = draft(editor, "law", LAW_FORM, then="submit")
    assert law_saved.status_code == 200 and "已保存并提交审核" in law_saved.text
    law_revision = revision_id(law_saved)
    stored = db.get(Revision, law_revision)
    assert stored is not None
    assert [a["number"] for a in stored.data["articles"]] == ["第一条", "第三十条"]

    # the editor may not publish; the reviewer may
    refused = act(editor, faq_revision, "approve")
    assert refused.status_code == 403 and "您没有此操作的权限" in refused.text
    assert db.scalar(select(Faq)) is None
    for rid in (faq_revision, law_revision):
        approved = act(reviewer, rid, "approve", comment="内容准确")
        assert approved.status_code == 200 and "审核通过，已发布" in approved.text, approved.text
    db.rollback()
    faq_row = db.scalars(select(Faq)).one()
    law_row = db.scalars(select(Law)).one()

    # the portal shows them; search finds the FAQ with a highlighted snippet and a link to it
    page = visitor.get(f"/knowledge/faqs/{faq_row.id}")
    assert page.status_code == 200 and FAQ["question"] in page.text and "施工合同" in page.text
    assert FAQ["question"] in visitor.get(f"/knowledge/faqs?service_item_id={curators.item.id}").text
    law_page = visitor.get(f"/knowledge/laws/{law_row.id}").text
    assert 'id="第三十条"' in law_page and "不得占用或者挖掘城市道路" in law_page
    assert 'href="#第三十条"' in law_page and "复制链接" in law_page
    laws = visitor.get("/knowledge/laws").text
    assert LAW["doc_no"] in laws and "1996-10-01" in laws
    found = visitor.get("/knowledge/search", params={"q": "施工许可证要带啥材料"})
    assert found.status_code == 200
    assert f'href="/knowledge/faqs/{faq_row.id}"' in found.text and "<mark>" in found.text
    article = visitor.get("/knowledge/search", params={"q": "挖掘城市道路需要谁批准", "kind": "law"}).text
    assert f'href="/knowledge/laws/{law_row.id}#第三十条"' in article

    # a new version replaces the live text; the old version stays viewable, with the comparison
    form = editor.get(f"/admin/knowledge/faq/new?entity_id={faq_row.id}").text
    assert "施工合同和质量安全监督手续" in form  # filled with the live content
    new_answer = "需提交施工许可证申请表、规划许可证和施工合同；质量安全监督手续由系统共享，无需另交。"
    second = draft(editor, "faq", faq_form(curators, answer=new_answer), entity_id=faq_row.id, then="submit")
    second_revision = revision_id(second)
    assert "第 2 版" in second.text
    act(reviewer, second_revision, "approve")
    page = visitor.get(f"/knowledge/faqs/{faq_row.id}").text
    assert "由系统共享" in page and "质量安全监督手续。" not in page
    old = editor.get(f"/admin/knowledge/revisions/{faq_revision}").text
    assert "历史版本" in old and "施工合同和质量安全监督手续" in old
    compared = editor.get(f"/admin/knowledge/revisions/{second_revision}").text
    assert "与第 1 版比较" in compared
    assert re.search(r'<tr class="changed"><th>解答</th>', compared)
    assert not re.search(r'<tr class="changed"><th>问题</th>', compared)

    # archiving takes it off the portal and out of search
    assert editor.submit("/admin/knowledge/faq", f"/admin/knowledge/faq/{faq_row.id}/archive", {}).status_code == 403
    archived = reviewer.submit("/admin/knowledge/faq", f"/admin/knowledge/faq/{faq_row.id}/archive", {})
    assert archived.status_code == 200 and "已归档" in archived.text
    gone = visitor.get(f"/knowledge/faqs/{faq_row.id}")
    assert gone.status_code == 404 and "不存在或已下线" in gone.text
    again = visitor.get("/knowledge/search", params={"q": "施工许可证要带啥材料", "kind": "faq"}).text
    assert f"/knowledge/faqs/{faq_row.id}" not in again
    assert FAQ["question"] not in visitor.get("/knowledge/faqs").text
    assert "历史版本" in editor.get(f"/admin/knowledge/revisions/{faq_revision}").text


def test_rejected_draft_goes_back_with_the_reason_and_can_be_changed(browser: MakeBrowser, curators: World) -> None:
    editor, reviewer = browser("editor"), browser("reviewer")
    rid = revision_id(draft(editor, "glossary", {"term": "即办件", "explanation": "当场办结的事项"}, then="submit"))
    no_reason = act(reviewer, rid, "reject", comment="")
    assert no_reason.status_code == 422 and "退回时请写明原因" in no_reason.text
    rejected = act(reviewer, rid, "reject", comment="解释过于简单")
    assert "已退回" in rejected.text and "解释过于简单" in rejected.text
    edit = f"/admin/knowledge/revisions/{rid}/edit"
    assert "退回原因：解释过于简单" in editor.get(edit).text
    changed = editor.submit(
        edit, edit, {"term": "即办件", "explanation": "材料齐全、当场或当日办结的事项", "then": "submit"}
    )
    assert changed.status_code == 200 and "已提交审核" in changed.text and "当日办结" in changed.text
    # whoever changed the draft is its author: the reviewer who edits cannot approve the edit
    reviewer.submit(edit.replace("/edit", ""), f"/admin/knowledge/revisions/{rid}/reject", {"comment": "再改"})
    reviewer.submit(edit, edit, {"term": "即办件", "explanation": "材料齐全的当场办结", "then": "submit"})
    own = act(reviewer, rid, "approve")
    assert own.status_code == 403 and "不能审核发布本人编写的内容" in own.text


def test_script_in_a_question_is_stored_as_typed_and_shown_escaped(
    browser: MakeBrowser, curators: World, db: Session
) -> None:
    editor, reviewer, visitor = browser("editor"), browser("reviewer"), browser()
    question = "<script>alert(1)</script>施工许可证怎么办理"
    saved = draft(editor, "faq", faq_form(curators, question=question), then="submit")
    rid = revision_id(saved)
    for page in (saved.text, editor.get("/admin/knowledge/faq").text):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    stored = db.get(Revision, rid)
    assert stored is not None and stored.data["question"] == question
    act(reviewer, rid, "approve")
    db.rollback()
    faq_id = db.scalars(select(Faq)).one().id
    for url in (f"/knowledge/faqs/{faq_id}", "/knowledge/faqs"):
        page = visitor.get(url).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    found = visitor.get("/knowledge/search", params={"q": "施工许可证怎么办理"}).text
    assert "<script>alert" not in found


def test_bad_law_input_is_refused_in_chinese_with_the_values_kept(
    client: TestClient, browser: MakeBrowser, curators: World
) -> None:
    editor = browser("editor")
    publish(client, curators, "law", LAW)
    clash = draft(editor, "law", {**LAW_FORM, "doc_no": "国务院令第999号"})
    assert clash.status_code == 409 and "法规名称“城市道路管理条例”已存在" in clash.text
    assert 'value="国务院令第999号"' in clash.text and "不得占用或者挖掘城市道路" in clash.text
    other = {**LAW_FORM, "title": "城市道路管理办法"}
    loose = draft(editor, "law", {**other, "articles": "为了加强城市道路管理，制定本办法。"})
    assert loose.status_code == 422 and "没有以“第X条”开头" in loose.text
    assert "为了加强城市道路管理，制定本办法。" in loose.text and 'value="城市道路管理办法"' in loose.text
    second = draft(editor, "law", {**other, "articles": "第一条 为了加强管理。\n\n另外，本办法自公布之日起施行。"})
    assert second.status_code == 422 and "条文第2段“另外，本办法自公布之日起施行。”没有以“第X条”开头" in second.text
    bad_date = draft(editor, "law", {**other, "published_on": "1996-13-40"})
    assert bad_date.status_code == 422 and "公布日期应为日期" in bad_date.text
    short = draft(editor, "faq", faq_form(curators, question="问"))
    assert short.status_code == 422 and "问题不能为空或过短" in short.text
    bad_url = draft(editor, "link", {"name": "测试系统", "system_type": "申报平台", "url": "javascript:alert(1)"})
    assert bad_url.status_code == 422 and "链接应以 http:// 或 https:// 开头" in bad_url.text


def test_empty_and_overlong_searches_are_refused_in_chinese(browser: MakeBrowser, world: World) -> None:
    visitor = browser()
    assert visitor.get("/knowledge").status_code == 200
    empty = visitor.get("/knowledge/search", params={"q": "  "})
    assert empty.status_code == 422 and "请输入要查询的问题或关键词" in empty.text
    long = visitor.get("/knowledge/search", params={"q": "查" * 1000})
    assert long.status_code == 422 and "查询内容过长，请控制在200字以内" in long.text


def test_an_unanswered_question_is_recorded_and_becomes_an_faq_draft(
    browser: MakeBrowser, curators: World, db: Session
) -> None:
    visitor, editor = browser(), browser("editor")
    page = visitor.get("/knowledge/search", params={"q": "小区停车位怎么租"})
    assert page.status_code == 200 and "您的问题已记录" in page.text
    question = db.scalars(select(UnansweredQuestion)).one()
    assert question.text == "小区停车位怎么租"
    listing = editor.get("/admin/knowledge/unanswered").text
    assert "小区停车位怎么租" in listing and "转为问答草稿" in listing
    opened = editor.submit("/admin/knowledge/unanswered", f"/admin/knowledge/unanswered/{question.id}/draft", {})
    assert opened.status_code == 200 and str(opened.url).endswith("/edit")
    assert 'value="小区停车位怎么租"' in opened.text and "请填写答案后提交审核" in opened.text
    assert "小区停车位怎么租" not in editor.get("/admin/knowledge/unanswered").text
    assert browser("clerk_a").get("/admin/knowledge/unanswered").status_code == 403


def test_an_unanswered_question_an_faq_answers_is_added_to_its_other_phrasings(
    browser: MakeBrowser, client: TestClient, curators: World, db: Session
) -> None:
    faq_id = publish(client, curators, "faq", FAQ)
    visitor, editor = browser(), browser("editor")
    assert "您的问题已记录" in visitor.get("/knowledge/search", params={"q": "工地开工前办证要准备啥"}).text
    question = db.scalars(select(UnansweredQuestion)).one()
    listing = editor.get("/admin/knowledge/unanswered").text
    assert f'<option value="{faq_id}">{FAQ["question"]}</option>' in listing and "加为其他问法" in listing

    action = f"/admin/knowledge/unanswered/{question.id}/alternatives"
    wrong = editor.submit("/admin/knowledge/unanswered", action, {"faq_id": "abc"})
    assert wrong.status_code == 422 and "问答应为数字" in wrong.text
    added = editor.submit("/admin/knowledge/unanswered", action, {"faq_id": str(faq_id)})
    assert added.status_code == 200 and "/admin/knowledge/revisions/" in str(added.url)
    assert "已加为问答" in added.text and "工地开工前办证要准备啥" in added.text  # the new version shows it
    assert "工地开工前办证要准备啥" not in editor.get("/admin/knowledge/unanswered").text
    db.rollback()  # a fresh read of what the request committed
    assert db.get(UnansweredQuestion, question.id).resolved_faq_id == faq_id


def test_policy_page_shows_sections_interpretation_validity_and_target_groups(
    client: TestClient, browser: MakeBrowser, curators: World
) -> None:
    policy_id = publish(client, curators, "policy", POLICY)
    page = browser().get(f"/knowledge/policies/{policy_id}").text
    assert 'id="section-1"' in page and 'id="section-2"' in page and "二、办理时限" in page
    assert "5个工作日内办结" in page
    assert "出台背景" in page and "企业反映道路挖掘审批环节多" in page
    assert "并联审查" in page and "夜间施工需要另行申请吗？" in page and "另行报备" in page
    assert "2026-03-01 起至 2028-02-29" in page and "建设单位、管线单位" in page
    listing = browser().get("/knowledge/policies", params={"group": "管线单位"}).text
    assert POLICY["title"] in listing
    assert POLICY["title"] not in browser().get("/knowledge/policies", params={"group": "个体工商户"}).text
    found = browser().get("/knowledge/search", params={"q": "道路挖掘办理时限", "kind": "policy"}).text
    assert f"/knowledge/policies/{policy_id}#section-" in found


def test_policy_form_parses_sections_and_interpretation(browser: MakeBrowser, curators: World, db: Session) -> None:
    editor = browser("editor")
    form = {
        "title": POLICY["title"],
        "doc_no": POLICY["doc_no"],
        "issuer": POLICY["issuer"],
        "valid_from": "2026-03-01",
        "valid_until": "2028-02-29",
        "target_groups": "建设单位\n管线单位",
        "summary": POLICY["summary"],
        "sections": "一、适用范围\n开发区范围内的项目。\n\n二、办理时限\n5个工作日内办结。",
        "background": "企业反映审批环节多。",
        "key_points": "一窗受理\n并联审查",
        "qa": "问：夜间施工需要另行申请吗？\n答：需要报备。",
    }
    saved = draft(editor, "policy", form)
    assert saved.status_code == 200, saved.text
    stored = db.get(Revision, revision_id(saved))
    assert stored is not None
    assert stored.data["sections"][1] == {"heading": "二、办理时限", "text": "5个工作日内办结。"}
    assert stored.data["interpretation"]["qa"] == [{"q": "夜间施工需要另行申请吗？", "a": "需要报备。"}]
    assert stored.data["target_groups"] == ["建设单位", "管线单位"]
    headless = draft(editor, "policy", {**form, "doc_no": "开管发〔2026〕4号", "sections": "只有标题"})
    assert headless.status_code == 422 and "缺少正文" in headless.text
    backwards = draft(editor, "policy", {**form, "doc_no": "开管发〔2026〕5号", "valid_until": "2020-01-01"})
    assert backwards.status_code == 422 and "有效期截止日期不能早于起始日期" in backwards.text


def test_glossary_bundles_and_links_pages(client: TestClient, browser: MakeBrowser, curators: World) -> None:
    term_id = publish(client, curators, "glossary", {"term": "即办件", "explanation": "当场办结的事项"})
    bundle = {
        "theme": "我要挖路",
        "applicant_type": "企业",
        "item_ids": [curators.item.id, curators.immediate_item.id],
        "materials": [{"name": "申请表", "for_items": ["占用、挖掘城市道路审批"], "notes": "一表申请"}],
        "promised_limit": 5,
        "steps": ["一窗提交", "并联审查"],
    }
    publish(client, curators, "bundle", bundle)
    publish(
        client,
        curators,
        "link",
        {"name": "内部审批系统", "system_type": "审批系统", "public": False, "url": "https://internal.example.cn/"},
    )
    publish(
        client,
        curators,
        "link",
        {"name": "江苏政务服务网", "system_type": "申报平台", "url": "https://www.jszwfw.gov.cn/"},
    )
    visitor = browser()
    assert f'id="term-{term_id}"' in visitor.get("/knowledge/glossary").text
    bundles = visitor.get("/knowledge/bundles", params={"applicant_type": "企业"}).text
    assert "我要挖路" in bundles and f'href="/guides/{curators.item.id}"' in bundles
    assert "一表申请" in bundles and "并联审查" in bundles
    assert "我要挖路" not in visitor.get("/knowledge/bundles", params={"applicant_type": "个人"}).text
    public = visitor.get("/knowledge/links").text
    assert "江苏政务服务网" in public and "内部审批系统" not in public
    staff = browser("clerk_a").get("/knowledge/links").text
    assert "内部审批系统" in staff and "内部系统" in staff


def test_bundle_form_takes_items_materials_and_steps(browser: MakeBrowser, curators: World, db: Session) -> None:
    editor = browser("editor")
    data = {
        "theme": "我要挖路",
        "applicant_type": "企业",
        "item_ids": [str(curators.item.id), str(curators.immediate_item.id)],
        "materials": "申请表｜占用、挖掘城市道路审批；建设工程验线｜一表申请\n施工方案",
        "promised_limit": "5",
        "steps": "一窗提交\n并联审查",
    }
    saved = draft(editor, "bundle", data)
    assert saved.status_code == 200, saved.text
    stored = db.get(Revision, revision_id(saved))
    assert stored is not None
    assert stored.data["item_ids"] == [curators.item.id, curators.immediate_item.id]
    assert stored.data["materials"][0] == {
        "name": "申请表",
        "for_items": ["占用、挖掘城市道路审批", "建设工程验线"],
        "notes": "一表申请",
    }
    none = draft(editor, "bundle", {**data, "item_ids": []})
    assert none.status_code == 422 and "请至少选择一个包含的事项" in none.text and "一窗提交" in none.text


def test_excel_export_and_a_bad_import_listed_row_by_row(
    client: TestClient, browser: MakeBrowser, curators: World, db: Session
) -> None:
    publish(client, curators, "glossary", {"term": "即办件", "explanation": "当场办结的事项"})
    editor = browser("editor")
    exported = editor.get("/admin/knowledge/glossary/export")
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    assert "spreadsheetml" in exported.headers["content-type"]
    assert editor.get("/admin/knowledge/policy/export").status_code == 404

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "政务百科"
    sheet.append(["编号", "词条", "解释", "同义词"])
    sheet.append([None, "承诺件", "承诺期限内办结的事项", ""])
    sheet.append([None, "X", "太短", ""])
    sheet.append(["abc", "并联审批", "", ""])
    buffer = BytesIO()
    book.save(buffer)
    before = db.scalars(select(Revision)).all()
    files = {"file": ("glossary.xlsx", buffer.getvalue(), "application/octet-stream")}
    bad = editor.submit("/admin/knowledge/glossary/import", "/admin/knowledge/glossary/import", {}, files=files)
    assert bad.status_code == 422 and "未导入任何内容" in bad.text
    assert "第3行" in bad.text and "第4行" in bad.text and 'id="import-errors"' in bad.text
    db.rollback()
    assert len(db.scalars(select(Revision)).all()) == len(before)
    missing = editor.submit("/admin/knowledge/glossary/import", "/admin/knowledge/glossary/import", {})
    assert missing.status_code == 422 and "请选择要导入的 Excel 文件" in missing.text

    good = editor.submit(
        "/admin/knowledge/glossary/import",
        "/admin/knowledge/glossary/import",
        {},
        files={"file": ("glossary.xlsx", exported.content, "application/octet-stream")},
    )
    assert good.status_code == 200 and "没有需要提交的修改" in good.text


def test_knowledge_admin_is_for_editors_only(browser: MakeBrowser, curators: World) -> None:
    assert browser("clerk_a").get("/admin/knowledge").status_code == 403
    assert browser("citizen").get("/admin/knowledge/faq").status_code == 403
    anonymous = browser().get("/admin/knowledge", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    editor = browser("editor")
    assert editor.get("/admin/knowledge").status_code == 200
    assert editor.get("/admin/knowledge/nonsense").status_code == 404
    for kind in ("faq", "law", "policy", "glossary", "bundle", "link"):
        assert editor.get(f"/admin/knowledge/{kind}").status_code == 200
        assert editor.get(f"/admin/knowledge/{kind}/new").status_code == 200
    token_less = editor.client.post("/admin/knowledge/faq/new", data={"question": "没有令牌的提交"})
    assert token_less.status_code == 403 and "页面已过期" in token_less.text
