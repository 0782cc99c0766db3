"""A case waiting for its decision reaches each handler on WeCom as a template card with 同意 / 不同意 / 退回
(the card of notifications/providers/wecom_cards.py), its task id naming the case, the announcement and the member."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events.models import DomainEvent
from notifications import tasks
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import act, register
from tests.notifications.conftest import WECOM_IDS
from tests.world import World


def test_each_handler_gets_a_decision_card_of_their_own(
    client: TestClient, wecom_staff: World, db: Session, fake_wecom: FakeWeCom
) -> None:
    cid = register(client, wecom_staff)["case_id"]
    act(client, wecom_staff, cid, "accept")
    act(client, wecom_staff, cid, "review", who="officer_a", agree=True, opinion="符合条件，建议同意")
    assert tasks.wait_idle(10)
    db.rollback()
    event = db.scalars(select(DomainEvent).where(DomainEvent.kind == "case.decision_needed")).one()
    assert fake_wecom.delivered_to(WECOM_IDS["clerk_a"]) == []  # a window clerk does not decide
    for who in ("officer_a",):
        [message] = fake_wecom.delivered_to(WECOM_IDS[who])
        assert message["msgtype"] == "template_card"
        card = message["template_card"]
        assert card["card_type"] == "button_interaction"
        assert card["task_id"] == f"c{cid}-e{event.id}-u{wecom_staff.users[who].id}"
        assert [b["text"] for b in card["button_list"]] == ["同意", "不同意", "退回"]
        assert card["quote_area"]["quote_text"] == "符合条件，建议同意"
        assert {"keyname": "办理部门", "value": "城市管理局"} in card["horizontal_content_list"]
