"""不同意 and 退回 need an opinion: the card asks for it, and the member's next text within 30 minutes is the
opinion the step is taken with (confirmed in a text reply); 取消 gives up; a late reply changes nothing."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import WeComCardClick
from core import clock
from core.audit.models import AuditLog
from tests.channels.wecom.conftest import (
    OFFICER,
    bind,
    case_at_decision,
    click_xml,
    fresh_case,
    post,
    reply_text,
    send_card,
    steps,
    text_xml,
)
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import act
from tests.world import World


def _ask_for_opinion(client: TestClient, fake: FakeWeCom, world: World, db: Session, key: str) -> int:
    officer = bind(db, world, "officer_a", OFFICER)
    case_id = case_at_decision(client, world)
    task = send_card(db, fake, case_id, officer)
    response = post(client, click_xml(task, key, code=f"RC-{key}"))
    assert response.status_code == 200
    return case_id


def test_disagree_asks_for_the_opinion_and_the_reply_decides_with_it(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    case_id = _ask_for_opinion(wecom_client, wecom_app, world, db, "disagree")
    card = wecom_app.card_updates[0]["template_card"]
    assert card["replace_text"] == "请回复意见" and "30分钟内直接回复意见" in card["sub_title_text"]
    assert card["jump_list"][0]["url"].endswith(f"/admin/cases/{case_id}")  # or the form in the admin site
    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide"  # nothing decided before the opinion

    answer = reply_text(post(wecom_client, text_xml("占道时间过长，影响交通，不予许可", "7000000000000000001")))

    assert answer.startswith("已办理：办件") and "不同意" in answer and "占道时间过长" in answer and "李审批" in answer
    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "conclude" and case.decision == 0
    assert steps(db, case_id)[-1] == ("decide", "李审批", "占道时间过长，影响交通，不予许可")
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "case.decide", AuditLog.entity == "case")).all()
    assert [(a.actor_id, a.actor_kind) for a in audit] == [(world.users["officer_a"].id, "wecom")]


def test_return_asks_for_the_reason_and_the_reply_returns_the_case_to_review(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    case_id = _ask_for_opinion(wecom_client, wecom_app, world, db, "return")

    answer = reply_text(post(wecom_client, text_xml("请补充交通疏导方案", "7000000000000000002")))

    assert "退回审查" in answer
    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "review"
    assert steps(db, case_id)[-1] == ("return", "李审批", "请补充交通疏导方案")


def test_the_same_reply_delivered_twice_takes_the_step_once_and_confirms_twice(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    case_id = _ask_for_opinion(wecom_client, wecom_app, world, db, "disagree")
    payload = text_xml("不符合条件", "7000000000000000003")
    first, second = reply_text(post(wecom_client, payload)), reply_text(post(wecom_client, payload))
    assert first == second and first.startswith("已办理")
    assert [s[0] for s in steps(db, case_id)].count("decide") == 1


def test_cancel_gives_up_and_the_next_text_gets_the_help(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    case_id = _ask_for_opinion(wecom_client, wecom_app, world, db, "return")
    assert reply_text(post(wecom_client, text_xml("取消", "7000000000000000004"))).startswith("已取消")
    assert reply_text(post(wecom_client, text_xml("请补充材料", "7000000000000000005"))).startswith("您好")
    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide"


def test_a_reply_after_30_minutes_changes_nothing_and_says_so(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    case_id = _ask_for_opinion(wecom_client, wecom_app, world, db, "disagree")
    clock.freeze(clock.now() + timedelta(minutes=31))
    answer = reply_text(post(wecom_client, text_xml("不同意", "7000000000000000006")))
    assert "超过30分钟未收到意见，未作处理" in answer
    case = fresh_case(db, case_id)
    assert case is not None and case.current_step == "decide"


def test_a_reply_after_the_case_moved_on_changes_nothing_and_says_why(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    case_id = _ask_for_opinion(wecom_client, wecom_app, world, db, "disagree")
    act(wecom_client, world, case_id, "decide", who="leader", agree=True, opinion="同意许可")
    answer = reply_text(post(wecom_client, text_xml("不同意", "7000000000000000007")))
    assert "未处理" in answer and "王领导" in answer
    assert steps(db, case_id)[-1][1] == "王领导"


def test_a_blank_or_overlong_opinion_is_asked_for_again(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    case_id = _ask_for_opinion(wecom_client, wecom_app, world, db, "disagree")
    assert "最多500字" in reply_text(post(wecom_client, text_xml("长" * 501, "7000000000000000008")))
    assert reply_text(post(wecom_client, text_xml("不符合规划要求", "7000000000000000009"))).startswith("已办理")
    case = fresh_case(db, case_id)
    assert case is not None and case.decision == 0


def test_a_second_click_awaiting_an_opinion_supersedes_the_first(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    first_case = _ask_for_opinion(wecom_client, wecom_app, world, db, "disagree")
    officer = world.users["officer_a"]
    second_case = case_at_decision(wecom_client, world)
    task = send_card(db, wecom_app, second_case, officer)
    post(wecom_client, click_xml(task, "return", create_time="1764210100", code="RC-second"))

    reply_text(post(wecom_client, text_xml("请补充施工方案", "7000000000000000010")))

    first, second = fresh_case(db, first_case), fresh_case(db, second_case)
    assert first is not None and second is not None
    assert (first.current_step, second.current_step) == ("decide", "review")
    outcomes = [c.outcome for c in db.scalars(select(WeComCardClick).order_by(WeComCardClick.id))]
    assert outcomes == ["superseded", "decided"]
