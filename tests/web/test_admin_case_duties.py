"""Issue 16, clerks and officers: a clerk does not decide, staff of the department open the applicant's files
(audited) and nobody else does, the slip never replaces an online applicant's password behind their back, and
the case page speaks in words, not codes."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.audit.models import AuditLog
from core.cases.models import Case
from core.db import get_sessionmaker
from core.events.models import DomainEvent
from tests.helpers import submit_online
from tests.web.conftest import Browser
from tests.web.test_admin_cases import act, register_case
from tests.world import World

MakeBrowser = Callable[..., Browser]


def progress_ok(client: TestClient, case_no: str, code: str) -> bool:
    """True when the case number and the password open the public progress query."""
    return client.post("/api/v1/progress", json={"case_no": case_no, "query_code": code}).status_code == 200


def test_a_clerk_is_not_offered_the_decision_and_cannot_post_it(browser: MakeBrowser, world: World, db) -> None:
    clerk, officer = browser("clerk_a"), browser("officer_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept")
    act(clerk, case_id, "review", agree="1", opinion="符合条件")
    page = clerk.get(f"/admin/cases/{case_id}").text
    assert "提交决定" not in page and "<h3>办结</h3>" not in page
    refused = act(clerk, case_id, "decide", expect=403, agree="1", opinion="越权决定").text
    assert "您没有此操作的权限" in refused
    db.rollback()
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None and case.current_step == "decide" and case.decision is None
    page = officer.get(f"/admin/cases/{case_id}").text
    assert "提交决定" in page
    page = act(officer, case_id, "decide", agree="1", opinion="同意许可").text
    assert "<h3>办结</h3>" in page
    assert '<option value="0">出证办结</option>' in page  # words, not "0 出证办结"


def test_the_clerk_concludes_an_immediate_case_on_the_spot_but_no_other(browser: MakeBrowser, world: World, db) -> None:
    """即办件 are 当场办结 at the window by the clerk who accepted them; a 承诺件's 办结 stays with the deciders."""
    clerk = browser("clerk_a")
    promised = register_case(clerk, world)
    act(clerk, promised, "accept")
    assert "<h3>办结</h3>" not in clerk.get(f"/admin/cases/{promised}").text
    immediate = register_case(clerk, world, world.immediate_item.id)
    act(clerk, immediate, "accept")
    assert "<h3>办结</h3>" in clerk.get(f"/admin/cases/{immediate}").text
    page = act(clerk, immediate, "conclude", result="0", reason="").text
    assert "已办结" in page
    db.rollback()
    case = db.scalar(select(Case).where(Case.id == immediate))
    assert case is not None and case.status == "concluded" and [s.action for s in case.steps][-1] == "conclude"
    other = browser("clerk_b")  # another department's clerk holds case.handle too, not for A's cases
    assert other.get(f"/admin/cases/{immediate}").status_code in (403, 404)


def test_history_does_not_repeat_the_action_as_its_result(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    page = act(clerk, case_id, "accept").text
    steps = page[page.index('id="steps"') :]
    assert "受理（受理）" not in steps and "<strong>受理</strong>" in steps


def test_department_staff_open_uploaded_materials_others_cannot(
    browser: MakeBrowser, client: TestClient, world: World, db
) -> None:
    online = submit_online(client, world)
    case_id = online["case_id"]
    clerk = browser("clerk_a")
    page = clerk.get(f"/admin/cases/{case_id}").text
    assert "C级：申请人自行上传，须核验原件" in page
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None
    material = next(m for m in case.materials if m.file is not None)
    link = f"/admin/cases/{case_id}/materials/{material.id}"
    assert f'href="{link}"' in page
    opened = clerk.get(link)
    assert opened.status_code == 200 and opened.content.startswith(b"%PDF")
    assert opened.headers["content-type"] == "application/pdf"
    assert [a.entity_id for a in downloads()] == [str(material.id)]
    assert "张窗口" in downloads()[0].actor_name
    for who, status in (("clerk_b", 403), ("citizen", 403), (None, 303)):
        denied = browser(who).get(link, follow_redirects=False)
        assert denied.status_code == status, who
        assert b"%PDF" not in denied.content
    assert len(downloads()) == 1  # a refused opening is not on record as a read
    # another case's material through this case's address: not found, not sent
    other = submit_online(client, world)
    db.rollback()  # a fresh snapshot, with the second case in it
    other_case = db.scalar(select(Case).where(Case.id == other["case_id"]))
    assert other_case is not None
    foreign = next(m for m in other_case.materials if m.file is not None)
    assert clerk.get(f"/admin/cases/{case_id}/materials/{foreign.id}").status_code == 404


def downloads() -> list[AuditLog]:
    """The audited openings of materials, read afresh (a GET writes its read record in its own transaction)."""
    with get_sessionmaker()() as fresh:
        return list(fresh.scalars(select(AuditLog).where(AuditLog.action == "case.material_download")))


def test_no_slip_before_acceptance(browser: MakeBrowser, world: World) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    page = clerk.get(f"/admin/cases/{case_id}").text
    assert "打印受理通知书</button>" not in page and "受理后可打印受理通知书" in page
    refused = clerk.submit(f"/admin/cases/{case_id}", f"/admin/cases/{case_id}/slip", {})
    assert refused.status_code == 409 and "受理后才能打印受理通知书" in refused.text


def test_printing_keeps_the_online_applicants_password(
    browser: MakeBrowser, client: TestClient, world: World, db
) -> None:
    online = submit_online(client, world)
    clerk = browser("clerk_a")
    case_id = online["case_id"]
    act(clerk, case_id, "accept")
    for _ in range(2):
        slip = clerk.submit(f"/admin/cases/{case_id}", f"/admin/cases/{case_id}/slip", {})
        assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    assert progress_ok(client, online["case_no"], online["query_code"])
    db.rollback()
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None and not any(s.action == "issue_query_code" for s in case.steps)


def test_a_window_case_gets_its_password_on_the_first_print_only(browser: MakeBrowser, world: World, db) -> None:
    clerk = browser("clerk_a")
    case_id = register_case(clerk, world)
    act(clerk, case_id, "accept")
    for _ in range(2):
        assert clerk.submit(f"/admin/cases/{case_id}", f"/admin/cases/{case_id}/slip", {}).status_code == 200
    db.rollback()
    case = db.scalar(select(Case).where(Case.id == case_id))
    assert case is not None
    assert [s.action for s in case.steps].count("issue_query_code") == 1
    assert "发放查询密码" in clerk.get(f"/admin/cases/{case_id}").text


def test_reissuing_is_explicit_and_tells_the_applicant(
    browser: MakeBrowser, client: TestClient, world: World, db
) -> None:
    online = submit_online(client, world)
    clerk = browser("clerk_a")
    case_id = online["case_id"]
    act(clerk, case_id, "accept")
    page = f"/admin/cases/{case_id}"
    unconfirmed = clerk.submit(page, f"/admin/cases/{case_id}/query-code", {})
    assert unconfirmed.status_code == 422 and "勾选确认" in unconfirmed.text
    assert progress_ok(client, online["case_no"], online["query_code"])
    reissued = clerk.submit(page, f"/admin/cases/{case_id}/query-code", {"confirm": "1"})
    assert reissued.status_code == 200 and reissued.content.startswith(b"%PDF")
    assert not progress_ok(client, online["case_no"], online["query_code"])
    db.rollback()
    told = db.scalars(select(DomainEvent).where(DomainEvent.kind == "case.query_code_reissued")).all()
    assert len(told) == 1 and told[0].subject == f"case:{case_id}"
    assert db.scalars(select(AuditLog).where(AuditLog.action == "case.reissue_query_code")).first() is not None
    # another department's clerk cannot reissue it
    other = browser("clerk_b")
    refused = other.submit("/admin", f"/admin/cases/{case_id}/query-code", {"confirm": "1"})
    assert refused.status_code == 403
    db.rollback()
    assert len(db.scalars(select(DomainEvent).where(DomainEvent.kind == "case.query_code_reissued")).all()) == 1
