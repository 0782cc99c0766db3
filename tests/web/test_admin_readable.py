"""Issue 16: what staff read in the back office is in words and names, and each role's 工作台 is its own work —
the inbox in pages with 全部标为已读, the reviewer told of versions waiting, the delivery list and the audit log
without codes, a missing page inside /admin in the admin layout."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.events.kinds import KIND_LABELS, EventKind
from core.org import service as org_service
from core.projects.demo import INITIAL_NOTE
from core.rules import service as rules_service
from core.rules.seed import initial_document
from core.seed.demo import DEMO_PASSWORD
from notifications.models import Channel, Notification
from tests.helpers import submit_online
from tests.knowledge.helpers import FAQ, draft
from tests.notifications.helpers import stored_notification
from tests.topics.helpers import CODE as TOPIC_CODE
from tests.topics.helpers import create_topic
from tests.web.conftest import Browser
from tests.web.test_admin_cases import act, register_case
from tests.world import World

MakeBrowser = Callable[..., Browser]
CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")
"""An action or event code such as ``case.accept`` or ``user.update``."""


def visible_text(html: str) -> str:
    """The page's text as a person reads it (no tags, scripts or styles)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_event_kind_has_a_chinese_name() -> None:
    assert set(KIND_LABELS) == {k.value for k in EventKind}


def test_the_inbox_pages_and_marks_everything_read(browser: MakeBrowser, world: World, db) -> None:
    clerk_id = world.users["clerk_a"].id
    for n in range(45):
        stored_notification(db, user_id=clerk_id, title=f"办件已受理：第{n}件")
    clerk = browser("clerk_a")
    first = clerk.get("/admin/inbox").text
    assert first.count("inbox-row") == 20 and "共 45 条，第 1 / 3 页" in first
    third = clerk.get("/admin/inbox?page=3").text
    assert third.count("inbox-row") == 5
    done = clerk.submit("/admin/inbox", "/admin/inbox/read-all", {}).text
    assert "已将 45 条消息标为已读" in done and "条未读" not in done


def test_the_reviewer_is_told_of_a_version_waiting(client: TestClient, curators: World, db) -> None:
    revision = draft(client, curators, "faq", FAQ)
    response = client.post(f"/api/v1/knowledge/revisions/{revision['id']}/submit", headers=curators.auth("editor"))
    assert response.status_code == 200, response.text
    db.rollback()
    told = db.scalars(select(Notification).where(Notification.kind == "knowledge.review_requested")).all()
    inboxes = {n.user_id for n in told if n.channel == Channel.INBOX}
    assert curators.users["reviewer"].id in inboxes and curators.users["editor"].id not in inboxes
    assert FAQ["question"] in told[0].title and "陈编辑" in told[0].body


def test_each_role_sees_its_own_work(browser: MakeBrowser, client: TestClient, curators: World) -> None:
    draft(client, curators, "faq", FAQ)
    editor = browser("editor").get("/admin").text
    assert "我的草稿" in editor and "待受理" not in editor
    reviewer = browser("reviewer").get("/admin").text
    assert "待我审核" in reviewer and "待受理" not in reviewer
    clerk = browser("clerk_a").get("/admin").text
    assert "待受理" in clerk and "我的草稿" not in clerk


def test_the_delivery_list_names_people_and_kinds(browser: MakeBrowser, client: TestClient, world: World, db) -> None:
    online = submit_online(client, world)
    clerk = browser("clerk_a")
    act(clerk, online["case_id"], "accept")
    stored_notification(db, user_id=world.users["clerk_a"].id)
    page = visible_text(browser("admin").get("/admin/notifications").text)
    assert "办件受理通知" in page and "张窗口" in page
    assert not CODE.findall(page), CODE.findall(page)
    assert "用户#" not in page and "申请人#" not in page


def test_the_audit_log_reads_as_names(browser: MakeBrowser, world: World, db) -> None:
    auditor = org_service.create_user(
        db=db, username="auditor", name="周审计", password=DEMO_PASSWORD, role_codes=["auditor"]
    )
    db.commit()
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept")
    html = browser(auditor.username).get("/admin/audit").text
    page = visible_text(re.sub(r"<details>.*?</details>", " ", html, flags=re.S))  # the SQL is for auditors
    assert "办件受理" in page and "张窗口" in page
    assert not CODE.findall(page), CODE.findall(page)
    assert not re.search(r"[0-9a-f]{32,}", page)


def test_a_missing_admin_page_keeps_the_admin_layout(browser: MakeBrowser, world: World) -> None:
    page = browser("clerk_a").get("/admin/no-such-page")
    assert page.status_code == 404
    assert "通办管理后台" in page.text and "张窗口" in page.text
    assert ">登录<" not in page.text and ">注册<" not in page.text
    assert "回到工作台" in page.text
    anonymous = browser().get("/no-such-page")
    assert anonymous.status_code == 404 and "通办管理后台" not in anonymous.text


def test_topic_lists_and_the_rules_note_speak_to_people(browser: MakeBrowser, world: World, db) -> None:
    create_topic(db, world)
    listing = visible_text(browser("admin").get("/admin/filing/topics").text)
    assert TOPIC_CODE not in listing
    rules_service.install(db, initial_document(), note=INITIAL_NOTE)
    db.commit()
    rules = visible_text(browser("admin").get("/admin/filing/rules").text)
    assert "《城乡规划法》" in rules and "DOMAIN" not in rules
