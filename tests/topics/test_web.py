"""Special-topic pages: the portal shows the flowchart inline with the steps; rule managers edit the steps."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tests.topics.helpers import CODE, create_topic, topic_body
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]
FORM = f"/admin/filing/topics/{CODE}"
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def inline_svg(html: str) -> ET.Element:
    """The flowchart inlined in a page, parsed as XML."""
    found = _SVG.search(html)
    assert found, "page has no inline SVG"
    return ET.fromstring(found.group(0))


def form_rows(world: World) -> dict[str, Any]:
    """The edit form's fields for the test topic, one list per column (as a browser posts the rows)."""
    steps = topic_body(world)["steps"]
    columns: dict[str, Any] = {"title": "排水专项", "summary": "雨污水接入城市排水管网的手续。"}
    for field in ("key", "name", "kind", "department_code", "duration", "description", "service_item_code"):
        columns[field] = [step.get(field) or ("step" if field == "kind" else "") for step in steps] + [""]
    columns["next"] = [", ".join(step.get("next", [])) for step in steps] + [""]
    return columns


def test_the_portal_lists_the_topics(browser: MakeBrowser, world: World, db: Session) -> None:
    create_topic(db, world)
    page = browser().get("/filing/topics")
    assert page.status_code == 200
    assert f'href="/filing/topics/{CODE}"' in page.text and "排水专项" in page.text
    assert 'href="/filing/topics"' in browser().get("/").text  # in the portal's navigation


def test_the_topic_page_shows_the_flowchart_inline_and_the_steps_with_links(
    browser: MakeBrowser, world: World, db: Session
) -> None:
    create_topic(db, world)
    page = browser().get(f"/filing/topics/{CODE}")
    assert page.status_code == 200
    assert "<?xml" not in page.text and "<!DOCTYPE svg" not in page.text
    shown = {t.strip() for t in inline_svg(page.text).itertext() if t.strip()}
    assert {"排水接管咨询", "判断是否开挖道路", "占用挖掘道路审批", "排水设施验收", "取得排水许可"} <= shown
    steps = page.text[page.text.index("办理环节") :]
    assert steps.index("排水接管咨询") < steps.index("占用挖掘道路审批") < steps.index("取得排水许可")
    assert "办理部门：城市管理局" in steps and "办理时限：5个工作日" in steps
    assert f'<a href="/guides/{world.item.id}">查看办事指南</a>' in steps
    assert f'<a href="/apply/{world.item.id}">在线申报</a>' in steps
    assert browser().get("/filing/topics/nothing").status_code == 404


def test_an_admin_edits_the_steps_and_the_portal_draws_them(browser: MakeBrowser, world: World, db: Session) -> None:
    create_topic(db, world)
    admin = browser("admin")
    assert 'href="/admin/filing/topics"' in admin.get("/admin").text
    listing = admin.get("/admin/filing/topics")
    assert listing.status_code == 200 and f'href="{FORM}"' in listing.text
    page = admin.get(FORM)
    assert page.status_code == 200 and 'value="排水设施验收"' in page.text and 'value="s3, s4"' in page.text
    data = form_rows(world)
    data["name"][3] = "排水设施竣工验收"
    data["next"][3] = "s6"
    # the blank row becomes a new step between the acceptance and the end
    for field, value in {"key": "s6", "name": "排水许可审查", "kind": "step", "department_code": "DB"}.items():
        data[field][5] = value
    data["next"][5] = "s5"
    saved = admin.submit(FORM, FORM, data)
    assert saved.status_code == 200, saved.text
    assert "已保存" in saved.text
    portal = browser().get(f"/filing/topics/{CODE}").text
    shown = {t.strip() for t in inline_svg(portal).itertext() if t.strip()}
    assert {"排水设施竣工验收", "排水许可审查"} <= shown and "排水设施验收" not in shown


def test_a_mistake_in_the_form_is_shown_in_chinese_and_the_input_kept(
    browser: MakeBrowser, world: World, db: Session
) -> None:
    create_topic(db, world)
    admin = browser("admin")
    data = form_rows(world)
    data["title"] = "排水专项（改）"
    data["next"][3] = "s5，s9"  # a Chinese comma, and a step that does not exist
    page = admin.submit(FORM, FORM, data)
    assert page.status_code == 422
    assert "环节“排水设施验收”（s4）的后续环节“s9”不存在" in page.text
    assert 'value="排水专项（改）"' in page.text and 'value="s5，s9"' in page.text
    assert "排水专项（改）" not in browser().get(f"/filing/topics/{CODE}").text
    empty_name = form_rows(world)
    empty_name["name"][2] = ""
    page = admin.submit(FORM, FORM, empty_name)
    assert page.status_code == 422 and "第3行：环节名称不能为空" in page.text


def test_only_rule_managers_reach_the_editor(browser: MakeBrowser, world: World, db: Session) -> None:
    create_topic(db, world)
    clerk = browser("clerk_a")
    assert clerk.get("/admin/filing/topics").status_code == 403
    assert clerk.get(FORM).status_code == 403
    assert 'href="/admin/filing/topics"' not in clerk.get("/admin").text
    anonymous = browser().get(FORM, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
