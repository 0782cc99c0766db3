"""Acceptance management on the web (issue 18, 4.13): an administrator creates and edits a whole item (materials,
steps, questions), publishes it; uploads templates that then appear on the guide page and in the online
application; writes 受理指导 that the clerk sees on the case page while accepting."""

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from core.items.demo import form_pdf
from core.items.models import ServiceItem
from tests.helpers import db_state
from tests.web.conftest import Browser
from tests.web.test_admin_cases import register_case
from tests.world import World

MakeBrowser = Callable[..., Browser]

FIELDS = {
    "code": "11320583MB0000001X0001",
    "name": "临时占用城市绿地审批",
    "aliases": "占绿、临时占绿",
    "item_type": "行政许可",
    "category": "投资建设",
    "legal_basis": "《城市绿化条例》第十九条",
    "scope": "开发区内临时占用城市绿地的单位和个人",
    "conditions": "有占用方案和恢复措施",
    "location": "便民服务中心二楼",
    "office_hours": "工作日 9:00-17:00",
    "consult_phone": "0512-57860011",
    "complaint_phone": "0512-57860012",
    "fee": "不收费",
    "result_name": "临时占用城市绿地许可决定书",
    "delivery_method": "窗口领取",
    "online_depth": "三级",
    "statutory_limit": "20",
    "promised_limit": "5",
    "visits": "1",
    "case_type": "2",
    "is_online": "1",
}


def rows(prefix: str, entries: list[dict[str, str]]) -> dict[str, Any]:
    """The numbered fields of a list on the item form."""
    out: dict[str, Any] = {f"{prefix}_rows": str(len(entries))}
    for index, entry in enumerate(entries):
        out |= {f"{prefix}{index}_{key}": value for key, value in entry.items()}
    return out


def test_an_admin_creates_edits_and_publishes_a_whole_item(browser: MakeBrowser, world: World, db: Session) -> None:
    admin = browser("admin")
    form = {
        **FIELDS,
        "department_id": str(world.dept_a.id),
        **rows(
            "m",
            [
                {"name": "临时占用绿地申请表", "required": "1", "copies": "1", "form": "原件", "seq": "1"},
                {"name": "占用方案", "required": "1", "copies": "2", "form": "原件", "seq": "2"},
                {"name": "", "seq": "3"},  # an empty row offered for an addition, left empty
            ],
        ),
        **rows("s", [{"name": "受理", "description": "窗口受理", "seq": "1"}]),
        **rows("f", [{"q": "占用期限最长多久？", "a": "一般不超过一年。", "seq": "1"}]),
    }
    created = admin.submit("/admin/items/new", "/admin/items/new", form)
    assert created.status_code == 200 and "尚未发布" in created.text
    item_url = created.url.path
    item = db.get(ServiceItem, int(item_url.rsplit("/", 1)[1]))
    assert item is not None and not item.is_published
    assert [m.name for m in item.materials] == ["临时占用绿地申请表", "占用方案"] and item.materials[1].copies == 2
    assert browser().get(f"/guides/{item.id}").status_code == 404  # offline until published

    page = admin.get(item_url).text
    ids = re.findall(r'name="m(\d+)_id" value="(\d+)"', page)
    assert len(ids) == 2
    edit = {
        **FIELDS,
        "department_id": str(world.dept_a.id),
        **rows(
            "m",
            [
                {"id": ids[0][1], "name": "临时占用绿地申请表", "required": "1", "copies": "1", "seq": "2"},
                {"id": ids[1][1], "name": "占用方案", "remove": "1", "seq": "1"},
                {"name": "绿地恢复承诺书", "copies": "1", "seq": "1"},  # added first, not required
            ],
        ),
        **rows("s", [{"name": "受理", "description": "窗口受理", "seq": "1"}, {"name": "审查", "seq": "2"}]),
        **rows("f", []),
    }
    saved = admin.submit(item_url, item_url, edit)
    assert "已保存" in saved.text and "并发布为第" not in saved.text
    db.rollback()
    db.refresh(item)
    assert [(m.name, m.required) for m in item.materials] == [("绿地恢复承诺书", False), ("临时占用绿地申请表", True)]
    assert [s["name"] for s in item.process_steps] == ["受理", "审查"] and item.faqs == []

    before = db_state()
    no_answer = admin.submit(item_url, item_url, {**edit, **rows("f", [{"q": "要交钱吗？", "a": ""}])})
    assert no_answer.status_code == 422 and "还没有填写答案" in no_answer.text
    bad_copies = admin.submit(item_url, item_url, {**edit, "m0_copies": "许多"})
    assert bad_copies.status_code == 422 and "份数" in bad_copies.text
    assert db_state() == before

    published = admin.submit(item_url, f"{item_url}/publish", {"note": "首次发布"})
    assert "已发布第1版指南" in published.text
    assert "绿地恢复承诺书" in browser().get(f"/guides/{item.id}").text
    again = admin.submit(item_url, item_url, edit)  # an item online: every saved change is the next version
    assert "并发布为第2版" in again.text
    assert "第2版（当前）" in admin.get(item_url).text


def test_a_template_appears_on_the_guide_and_the_application(browser: MakeBrowser, world: World) -> None:
    admin = browser("admin")
    url = f"/admin/items/{world.item.id}/templates"
    material = world.item.materials[0]
    before = db_state()
    refused = admin.submit(
        url, url, {"material_id": str(material.id), "kind": "blank"}, files={"file": ("申请表.exe", b"MZ", "x")}
    )
    assert refused.status_code == 422 and "不能作为模板" in refused.text
    assert db_state() == before

    pdf = form_pdf("户外广告设置申请表", False)
    page = admin.submit(
        url,
        url,
        {"material_id": str(material.id), "kind": "blank"},
        files={"file": ("申请表.pdf", pdf, "application/pdf")},
    )
    assert "已上传“申请表”的空白表格（第1版）" in page.text

    guide = browser().get(f"/guides/{world.item.id}").text
    link = re.search(r'href="(/guides/\d+/templates/\d+)" download>空白表格', guide)
    assert link and browser().get(link.group(1)).content == pdf
    assert "预览" in guide and browser().get(f"{link.group(1)}/preview").content.startswith(b"\x89PNG")
    application = browser("citizen").get(f"/apply/{world.item.id}").text
    assert f'href="{link.group(1)}" download>下载空白表格' in application


def test_the_clerk_reads_the_guidance_while_accepting(browser: MakeBrowser, world: World) -> None:
    admin = browser("admin")
    url = f"/admin/items/{world.item.id}/guidance"
    form = {
        "acceptance_checklist": "核对申请表盖章\n\n核对施工方案签字",
        "common_mistakes": "交通疏导方案缺少示意图",
        "g_rows": "2",
        "g0_what": "占用快速路主线",
        "g0_why": "依据《城市道路管理条例》第三十一条不予受理",
        "g1_what": "",
        "g1_why": "",
    }
    half = admin.submit(url, url, {**form, "g1_what": "只写了情形"})
    assert half.status_code == 422 and "写明情形和理由" in half.text and "只写了情形" in half.text
    assert "受理指导已保存" in admin.submit(url, url, form).text

    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    page = clerk.get(f"/admin/cases/{case_id}").text
    assert "受理指导" in page and "核对施工方案签字" in page and "占用快速路主线" in page
    assert browser("clerk_b").get(url).status_code == 403  # clerks read it on the case page, admins edit it
    clerk.submit(f"/admin/cases/{case_id}", f"/admin/cases/{case_id}/accept", {"opinion": "材料齐全"})
    assert "核对施工方案签字" not in clerk.get(f"/admin/cases/{case_id}").text  # accepted: no longer shown
