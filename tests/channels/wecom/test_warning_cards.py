"""Issue 14, acceptance 2: a warning's card goes to the responsible officer's WeCom; a click on 签收 (encrypted
with the official vectors' crypto) signs for the warning as the bound member, with the web's permission checks,
audited under the member's name, and the card is updated with the click's response code; a member without the
permission, of another department or not bound is refused and audited; a card whose warning was signed, closed or
ended meanwhile changes nothing and says why."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import WeComCardClick
from core import clock
from core.audit.models import AuditLog
from core.early_warnings.models import EarlyWarning
from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from notifications import tasks
from tests.channels.wecom.conftest import OFFICER, bind, click_xml, counts, post
from tests.early_warnings import conftest as warning_fixtures
from tests.early_warnings.conftest import at, node, project, scan_at
from tests.fakes.wecom_api import FakeWeCom
from tests.world import World

projects = warning_fixtures.projects  # the world with an officer of B and a 项目专员


def warning_card(db: Session, world: World, fake: FakeWeCom) -> tuple[int, str]:
    """A red warning of department A, scanned, and the task id of the card the outbox sent the officer."""
    owner = project(db, world.dept_a)
    node(db, owner, world.dept_a, date(2026, 10, 9))
    db.commit()
    scan_at(at(10, 12, 0, 15))
    clock.freeze(at(10, 12, 9, 30))
    assert tasks.wait_idle(15)
    cards = [b["template_card"] for b in fake.delivered_to(OFFICER) if b.get("msgtype") == "template_card"]
    assert len(cards) == 1
    db.rollback()
    warning = db.scalar(select(EarlyWarning))
    assert warning is not None
    return warning.id, str(cards[0]["task_id"])


def stored(db: Session, warning_id: int) -> EarlyWarning:
    db.rollback()
    found = db.get(EarlyWarning, warning_id, populate_existing=True)
    assert found is not None
    return found


def test_a_click_on_sign_signs_as_the_bound_officer_audited_and_updates_the_card(
    wecom_client: TestClient,
    wecom_app: FakeWeCom,
    projects: World,
    db: Session,
) -> None:
    officer = bind(db, projects, "officer_a", OFFICER)
    warning_id, task = warning_card(db, projects, wecom_app)

    response = post(wecom_client, click_xml(task, "sign", code="RC-SIGN"))

    assert response.status_code == 200 and response.text == ""
    warning = stored(db, warning_id)
    assert (warning.state, warning.signed_by_id, warning.signed_by_name) == ("signed", officer.id, "李审批")
    assert warning.signed_at == at(10, 12, 9, 30)
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "warning.sign")).all()
    assert [(a.actor_id, a.actor_name, a.actor_kind, a.entity_id) for a in audit] == [
        (officer.id, "李审批(officer_a)", "wecom", str(warning_id))
    ]
    [update] = wecom_app.card_updates
    assert update["response_code"] == "RC-SIGN" and update["userids"] == [OFFICER]
    card = update["template_card"]
    assert card["task_id"] == task and card["replace_text"] == "已签收"
    assert card["sub_title_text"].startswith("李审批 于 10-12 09:30 已签收")
    click = db.scalar(select(WeComCardClick))
    assert click is not None and (click.outcome, click.card_status, click.case_id) == ("signed", "updated", None)


def test_the_same_click_delivered_twice_signs_once(
    wecom_client: TestClient,
    wecom_app: FakeWeCom,
    projects: World,
    db: Session,
) -> None:
    bind(db, projects, "officer_a", OFFICER)
    warning_id, task = warning_card(db, projects, wecom_app)
    payload = click_xml(task, "sign", code="RC-TWICE")
    assert [post(wecom_client, payload).status_code for _ in range(2)] == [200, 200]
    assert stored(db, warning_id).state == "signed"
    assert len(wecom_app.card_updates) == 1 and counts()["wecom_card_click"] == 1


def test_a_member_without_the_permission_or_of_another_department_is_refused_and_audited(
    wecom_client: TestClient,
    wecom_app: FakeWeCom,
    projects: World,
    db: Session,
) -> None:
    bind(db, projects, "officer_a", OFFICER)
    clerk = bind(db, projects, "clerk_a", "zhangchuangkou")  # department A, no warning.handle
    other = bind(db, projects, "officer_b", "wuhuanbao")  # warning.handle, department B
    warning_id, task = warning_card(db, projects, wecom_app)

    post(wecom_client, click_xml(task, "sign", userid="zhangchuangkou", code="RC-CLERK"))
    post(wecom_client, click_xml(task, "sign", userid="wuhuanbao", code="RC-OTHER", create_time="1764210001"))
    post(wecom_client, click_xml(task, "sign", userid="stranger", code="RC-STRANGER", create_time="1764210002"))

    assert stored(db, warning_id).state == "open"
    refusals = db.scalars(select(AuditLog).where(AuditLog.action == "wecom.card_refused").order_by(AuditLog.id)).all()
    assert [(r.actor_id, r.entity, r.entity_id) for r in refusals] == [
        (clerk.id, "early_warning", str(warning_id)),
        (other.id, "early_warning", str(warning_id)),
        (None, "early_warning", str(warning_id)),
    ]
    reasons = [r.after["reason"] for r in refusals if r.after is not None]
    assert reasons[0] == "您没有签收预警的权限，如需开通请联系管理员"
    assert reasons[1] == "该预警的责任部门是“城市管理局”，您不能签收"
    assert "未绑定" in reasons[2]
    assert [u["template_card"]["replace_text"] for u in wecom_app.card_updates] == ["无权签收"] * 3


def test_a_stale_card_changes_nothing_and_says_why(
    wecom_client: TestClient,
    wecom_app: FakeWeCom,
    projects: World,
    db: Session,
) -> None:
    bind(db, projects, "officer_a", OFFICER)
    second = org_service.create_user(
        db=db,
        username="officer_a2",
        name="郑审批",
        password=DEMO_PASSWORD,
        role_codes=["officer"],
        department_id=projects.dept_a.id,
    )
    second.wecom_userid = "zhengshenpi"
    db.commit()
    warning_id, task = warning_card(db, projects, wecom_app)
    assert tasks.wait_idle(15)
    [second_card] = [
        b["template_card"] for b in wecom_app.delivered_to("zhengshenpi") if b.get("msgtype") == "template_card"
    ]

    post(wecom_client, click_xml(task, "sign", code="RC-FIRST"))
    post(wecom_client, click_xml(second_card["task_id"], "sign", userid="zhengshenpi", code="RC-SECOND"))

    warning = stored(db, warning_id)
    assert warning.signed_by_name == "李审批"
    late = wecom_app.card_updates[1]["template_card"]
    assert late["replace_text"] == "已失效"
    assert late["sub_title_text"] == "此卡片已失效，未作任何处理：该预警已由李审批于 10-12 09:30 签收"

    warning.state, warning.ended_at, warning.end_reason, warning.active_key = (
        "ended",
        at(10, 12, 10),
        "审批节点已完成或不涉及",
        None,
    )
    db.commit()
    post(wecom_client, click_xml(task, "sign", code="RC-ENDED", create_time="1764210009"))
    ended = wecom_app.card_updates[2]["template_card"]
    assert "自动解除（审批节点已完成或不涉及）" in ended["sub_title_text"]
    assert len(db.scalars(select(AuditLog.id).where(AuditLog.action == "warning.sign")).all()) == 1
