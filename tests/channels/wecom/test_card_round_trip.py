"""Issue 6, acceptance 3: a case reaches 决定, its card goes to the officer's WeCom, the officer clicks 同意 —
the click (encrypted with the official vectors' crypto) takes the step with the officer's permissions, the audit
log names the officer, and the card is updated with the click's response code to show who decided and when."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import MessageReceipt, WeComCardClick
from core import clock
from core.audit.models import AuditLog
from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from tests.channels.wecom.conftest import (
    OFFICER,
    bind,
    card_sent,
    case_at_decision,
    click_xml,
    counts,
    delete_case,
    fresh_case,
    post,
    send_card,
    steps,
)
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import act
from tests.world import World


def test_a_click_on_agree_decides_the_case_as_the_bound_officer_and_updates_the_card(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    sent = card_sent(db, wecom_app, case_id, officer)  # by the notifications outbox, after the review's commit
    task = sent["task_id"]
    rows = {row["keyname"]: row["value"] for row in sent["horizontal_content_list"]}
    assert (rows["申请人"], rows["办理部门"]) == ("孙*民", "城市管理局")  # masked applicant, the department
    assert sent["quote_area"]["quote_text"] == "符合许可条件"  # the opinion so far
    assert [b["text"] for b in sent["button_list"]] == ["同意", "不同意", "退回"]

    clicked_at = clock.now()
    response = post(wecom_client, click_xml(task, "agree", code="RC-AGREE"))

    assert response.status_code == 200 and response.text == ""
    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "conclude" and case.decision == 1
    assert steps(db, case_id)[-1] == ("decide", "李审批", "同意")
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "case.decide", AuditLog.entity == "case")).all()
    assert [(a.actor_id, a.actor_name, a.actor_kind) for a in audit] == [(officer.id, "李审批(officer_a)", "wecom")]
    [update] = wecom_app.card_updates
    assert update["response_code"] == "RC-AGREE" and update["userids"] == [OFFICER]
    card = update["template_card"]
    assert card["task_id"] == task and card["replace_text"] == "已同意"
    assert card["sub_title_text"].startswith(f"李审批 于 {clicked_at:%m-%d}")
    assert "已同意" in card["sub_title_text"]
    db.rollback()
    click = db.scalar(select(WeComCardClick))
    assert click is not None and (click.outcome, click.card_status, click.user_id) == ("decided", "updated", officer.id)


def test_the_same_click_delivered_three_times_decides_once(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)
    payload = click_xml(task, "agree", code="RC-ONCE")

    answers = [post(wecom_client, payload) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [s[0] for s in steps(db, case_id)].count("decide") == 1
    assert len(wecom_app.card_updates) == 1  # the response code is usable once, and used once
    receipt = db.scalar(select(MessageReceipt).where(MessageReceipt.channel == "wecom"))
    assert receipt is not None and receipt.attempts == 3
    assert counts()["wecom_card_click"] == 1


def test_a_bound_member_of_another_department_is_refused_audited_and_nothing_changes(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    other = bind(db, world, "officer_c", "zhaochuangkou")  # decides cases, of department C
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)  # forwarded, or a task id guessed
    before = steps(db, case_id)

    response = post(wecom_client, click_xml(task, "agree", userid="zhaochuangkou", code="RC-OTHER"))

    assert response.status_code == 200
    assert steps(db, case_id) == before
    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide" and case.decision is None
    [refusal] = db.scalars(select(AuditLog).where(AuditLog.action == "wecom.card_refused")).all()
    assert (refusal.actor_id, refusal.entity, refusal.entity_id) == (other.id, "case", str(case_id))
    assert refusal.after is not None and "不属于您所在部门" in refusal.after["reason"]
    [update] = wecom_app.card_updates
    assert update["template_card"]["replace_text"] == "无权办理"
    assert "不属于您所在部门" in update["template_card"]["sub_title_text"]


def test_a_bound_member_without_the_handling_permission_is_refused_and_audited(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    editor = org_service.create_user(
        db=db, username="editor_a", name="吴编辑", password=DEMO_PASSWORD, role_codes=["editor"]
    )
    editor.wecom_userid = "wubianji"
    db.commit()
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)

    post(wecom_client, click_xml(task, "disagree", userid="wubianji", code="RC-EDITOR"))

    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide"
    [refusal] = db.scalars(select(AuditLog).where(AuditLog.action == "wecom.card_refused")).all()
    assert refusal.after is not None and refusal.actor_id == editor.id
    assert "没有决定、办结办件的权限" in refusal.after["reason"]
    assert wecom_app.card_updates[0]["template_card"]["replace_text"] == "无权办理"


def test_an_unbound_member_is_refused_and_audited(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)

    post(wecom_client, click_xml(task, "agree", userid="stranger", code="RC-STRANGER"))

    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide"
    [refusal] = db.scalars(select(AuditLog).where(AuditLog.action == "wecom.card_refused")).all()
    assert (refusal.actor_id, refusal.actor_name, refusal.actor_kind) == (None, "企业微信:stranger", "channel")
    assert "未绑定" in wecom_app.card_updates[0]["template_card"]["sub_title_text"]


def test_a_card_for_a_case_decided_meanwhile_changes_nothing_and_says_who_decided(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)
    act(wecom_client, world, case_id, "decide", who="leader", agree=False, opinion="不符合规划")
    before = steps(db, case_id)

    post(wecom_client, click_xml(task, "agree", code="RC-LATE"))

    assert steps(db, case_id) == before
    case = fresh_case(db, case_id)
    assert case is not None and case.decision == 0
    card = wecom_app.card_updates[0]["template_card"]
    assert card["replace_text"] == "已失效"
    assert "已由王领导于" in card["sub_title_text"] and "作出决定" in card["sub_title_text"]


def test_a_card_from_before_a_return_is_stale_even_when_the_case_is_back_at_decision(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    old_task = send_card(db, wecom_app, case_id, officer)
    act(wecom_client, world, case_id, "return", who="officer_a", opinion="请补充现场照片")
    act(wecom_client, world, case_id, "review", who="officer_a", agree=True, opinion="已补充，符合条件")

    post(wecom_client, click_xml(old_task, "agree", code="RC-OLD"))

    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide"
    assert "最新的卡片" in wecom_app.card_updates[0]["template_card"]["sub_title_text"]


def test_a_card_older_than_72_hours_changes_nothing_and_says_so(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)
    clock.freeze(clock.now() + timedelta(hours=73))

    post(wecom_client, click_xml(task, "agree", code="RC-OLD"))

    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide" and case.decision is None
    card = wecom_app.card_updates[0]["template_card"]
    assert card["replace_text"] == "已失效" and "超过72小时" in card["sub_title_text"]


def test_a_card_for_a_deleted_case_is_answered_and_changes_nothing(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)
    delete_case(db, case_id)

    response = post(wecom_client, click_xml(task, "agree", code="RC-GONE"))

    assert response.status_code == 200
    assert fresh_case(db, case_id) is None
    card = wecom_app.card_updates[0]["template_card"]
    assert card["replace_text"] == "已失效" and "已被删除" in card["sub_title_text"]
    assert db.scalars(select(AuditLog).where(AuditLog.action == "case.decide")).all() == []


def test_a_click_on_a_card_that_is_not_a_decision_card_is_answered_and_ignored(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    bind(db, world, "officer_a", OFFICER)
    before = counts()

    response = post(wecom_client, click_xml("push-7-claim", "claim", code="RC-OTHERCARD"))

    assert response.status_code == 200 and response.text == ""
    after = counts()
    assert after["wecom_card_click"] == before["wecom_card_click"] and wecom_app.card_updates == []


def test_the_same_click_delivered_three_times_at_once_decides_once(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, case_id, officer)
    payload = click_xml(task, "agree", code="RC-RACE")

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: post(wecom_client, payload), range(3)))

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [s[0] for s in steps(db, case_id)].count("decide") == 1
    assert len(wecom_app.card_updates) == 1
