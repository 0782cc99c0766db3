"""Acceptance 4: citizens get Official Account template messages at the right case events — accepted,
supplement needed, concluded, rating invitation — each field within the 20 characters WeChat shows."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case, ChannelBinding
from core.settings import get_settings
from notifications import tasks
from notifications.models import Notification, Status
from tests.fakes.wechat_api import FakeWeChatTemplates
from tests.helpers import act, register
from tests.world import World

OPENID = "oFakeFollower0000000000000001"
TEMPLATES = {
    "case.accepted": "TPL-ACCEPTED",
    "case.supplement_requested": "TPL-SUPPLEMENT",
    "case.concluded": "TPL-CONCLUDED",
    "case.rating_invited": "TPL-RATING",
}
LONG_REASON = "施工方案缺少设计单位和施工单位的签章，交通疏导方案未经交警部门确认"


@pytest.fixture
def templates(fake_wechat_templates: FakeWeChatTemplates, monkeypatch: pytest.MonkeyPatch) -> FakeWeChatTemplates:
    monkeypatch.setattr(get_settings(), "wechat_templates", TEMPLATES)
    return fake_wechat_templates


def bound_case(client: TestClient, world: World, db: Session, openid: str = OPENID) -> Case:
    """A case registered at the window whose applicant follows the Official Account and bound it."""
    cid = register(client, world)["case_id"]
    case = db.get_one(Case, cid)
    db.add(ChannelBinding(channel_user=f"wechat:{openid}", case_id=case.id))
    db.commit()
    return case


def test_the_applicant_hears_of_each_step_in_template_messages_of_at_most_20_characters_a_field(
    client: TestClient, world: World, db: Session, templates: FakeWeChatTemplates
) -> None:
    case = bound_case(client, world, db)
    act(client, world, case.id, "supplement", reason=LONG_REASON, materials=["施工方案", "交通疏导方案"])
    act(client, world, case.id, "resupply", note="已补交", materials=[])
    act(client, world, case.id, "accept", opinion="材料齐全")
    act(client, world, case.id, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, case.id, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, case.id, "conclude", who="officer_a", result=0)
    assert tasks.wait_idle(15)

    # The conclusion and the rating invitation are announced in one transaction and sent side by side.
    sent = sorted(templates.to(OPENID), key=lambda m: list(TEMPLATES.values()).index(m["template_id"]))
    sent = [sent[1], sent[0], sent[2], sent[3]]
    assert [m["template_id"] for m in sent] == ["TPL-SUPPLEMENT", "TPL-ACCEPTED", "TPL-CONCLUDED", "TPL-RATING"]
    assert [m["template_id"] for m in templates.to(OPENID)][:2] == ["TPL-SUPPLEMENT", "TPL-ACCEPTED"]
    for message in sent:
        assert message["data"]["character_string1"]["value"] == case.case_no
        assert message["data"]["thing2"]["value"] == "占用、挖掘城市道路审批"
        assert all(len(field["value"]) <= 20 for field in message["data"].values()), message
    supplement, accepted, concluded, rating = sent
    assert supplement["data"]["thing3"]["value"] == LONG_REASON[:19] + "…"
    assert supplement["data"]["thing4"]["value"] == "施工方案、交通疏导方案"
    assert accepted["data"]["phrase3"]["value"] == "已受理"
    assert concluded["data"]["phrase3"]["value"] == "出证办结"
    for message in (supplement, accepted, concluded):
        assert message["url"].endswith(f"/progress?case_no={case.case_no}")
    assert rating["url"].endswith(f"/rate?case_no={case.case_no}")

    db.rollback()
    rows = db.scalars(select(Notification).where(Notification.channel == "wechat")).all()
    assert {r.status for r in rows} == {Status.DELIVERED} and len(rows) == 4
    assert all(r.address == OPENID and r.provider_msg_id for r in rows)


def test_kinds_without_a_template_and_staff_decisions_send_no_template_message(
    client: TestClient, world: World, db: Session, templates: FakeWeChatTemplates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "wechat_templates", {"case.concluded": "TPL-CONCLUDED"})
    case = bound_case(client, world, db)
    act(client, world, case.id, "accept", opinion="材料齐全")
    act(client, world, case.id, "review", who="officer_a", agree=True, opinion="符合条件")
    assert tasks.wait_idle(10)
    assert templates.sent == []


def test_a_follower_who_unsubscribed_is_recorded_as_failed_with_the_reason(
    client: TestClient, world: World, db: Session, templates: FakeWeChatTemplates
) -> None:
    templates.unsubscribed.add(OPENID)
    case = bound_case(client, world, db)
    act(client, world, case.id, "accept", opinion="材料齐全")
    assert tasks.wait_idle(10)
    db.rollback()
    row = db.scalars(select(Notification).where(Notification.channel == "wechat")).one()
    assert row.status == Status.FAILED and "取消关注" in row.last_error
