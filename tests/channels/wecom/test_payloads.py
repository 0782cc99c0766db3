"""One captured payload per WeCom message type (fixtures/), each with what it becomes and what the member hears."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channels.wecom import adapter
from tests.channels.wecom.conftest import bind, counts, fixture_xml, post, reply_text
from tests.fakes.wecom_api import FakeWeCom
from tests.world import World


def test_a_card_click_carries_the_button_the_card_and_the_response_code() -> None:
    message = adapter.parse(fixture_xml("event_template_card.xml"))
    assert (message.kind, message.sender, message.event) == ("card_click", "lishenpi", "template_card_event")
    assert (message.event_key, message.task_id, message.card_type) == ("agree", "c1-e1-u1", "button_interaction")
    assert message.response_code == "RESPONSECODE-0001"
    assert message.dedup_key == "lishenpi:1764210000:c1-e1-u1"


def test_a_text_from_a_bound_member_with_nothing_pending_gets_a_short_help(
    wecom_client: TestClient, wecom_app: FakeWeCom, world: World, db: Session
) -> None:
    message = adapter.parse(fixture_xml("text.xml"))
    assert (message.kind, message.sender, message.text, message.dedup_key) == (
        "text",
        "mycreate",
        "hello",
        "4561255354251345929",
    )
    bind(db, world, "officer_a", "mycreate")
    answer = reply_text(post(wecom_client, fixture_xml("text.xml")))
    assert answer.startswith("您好，这里是通办的办件提醒") and "/admin" in answer
    assert len(answer.encode()) <= adapter.TEXT_LIMIT_BYTES


def test_a_text_from_an_unbound_member_says_how_to_get_bound(wecom_client: TestClient, wecom_app: FakeWeCom) -> None:
    assert "请联系管理员" in reply_text(post(wecom_client, fixture_xml("text.xml")))


def test_an_image_gets_a_note_that_only_text_is_understood(wecom_client: TestClient, wecom_app: FakeWeCom) -> None:
    message = adapter.parse(fixture_xml("image.xml"))
    assert (message.kind, message.dedup_key) == ("unsupported", "4561255354251345930")
    assert "只能识别文字消息" in reply_text(post(wecom_client, fixture_xml("image.xml")))


def test_entering_the_app_is_recorded_once_and_not_answered(wecom_client: TestClient, wecom_app: FakeWeCom) -> None:
    message = adapter.parse(fixture_xml("event_enter_agent.xml"))
    assert (message.kind, message.event, message.dedup_key) == ("event", "enter_agent", "mycreate:1408091189")
    response = post(wecom_client, fixture_xml("event_enter_agent.xml"))
    assert response.status_code == 200 and response.text == ""
    assert counts()["message_receipt"] == 1


def test_a_menu_click_is_answered_without_error(wecom_client: TestClient, wecom_app: FakeWeCom) -> None:
    message = adapter.parse(fixture_xml("event_click.xml"))
    assert (message.kind, message.event, message.event_key) == ("event", "click", "my_cases")
    response = post(wecom_client, fixture_xml("event_click.xml"))
    assert response.status_code == 200 and response.text == ""


def test_an_event_type_the_platform_does_not_know_is_answered_without_error(
    wecom_client: TestClient, wecom_app: FakeWeCom
) -> None:
    message = adapter.parse(fixture_xml("event_change_contact.xml"))
    assert (message.kind, message.event) == ("event", "change_contact")
    response = post(wecom_client, fixture_xml("event_change_contact.xml"))
    assert response.status_code == 200 and response.text == ""
    assert counts()["wecom_card_click"] == 0 and wecom_app.card_updates == []
