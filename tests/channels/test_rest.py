"""The REST channel: for integrations and tests, service clients only."""

from fastapi.testclient import TestClient

from tests.channels.conftest import FakeRasa
from tests.helpers import api_error
from tests.world import World


def test_rest_channel_needs_a_service_client(client: TestClient, world: World, fake_rasa: FakeRasa) -> None:
    body = {"sender": "crm-1", "text": "你好"}
    api_error(client.post("/channels/rest/messages", json=body), 401)
    api_error(client.post("/channels/rest/messages", json=body, headers=world.auth("clerk_a")), 403)
    api_error(client.get("/channels/rest/messages", params={"sender": "crm-1"}, headers=world.auth("citizen")), 403)
    assert fake_rasa.calls == []


def test_a_turn_answers_with_outbound_messages_and_a_repeated_id_is_one_turn(
    client: TestClient, world: World, fake_rasa: FakeRasa
) -> None:
    fake_rasa.answer = lambda sender, text: [
        {"text": "可以在线申报。", "buttons": [{"title": "去申报", "payload": "/apply"}]},
        {"custom": {"text": "办事指南", "links": [{"title": "指南全文", "url": "https://example.gov.cn/g/1"}]}},
    ]
    body = {"sender": "crm-1", "text": "能网上办吗", "message_id": "m-1"}
    first = client.post("/channels/rest/messages", json=body, headers=world.auth("admin"))
    again = client.post("/channels/rest/messages", json=body, headers=world.auth("admin"))
    assert first.status_code == 200 and first.json() == again.json()
    assert first.json()["messages"] == [
        {"text": "可以在线申报。", "buttons": [{"title": "去申报", "payload": "/apply"}], "links": [], "files": []},
        {
            "text": "办事指南",
            "buttons": [],
            "links": [{"title": "指南全文", "url": "https://example.gov.cn/g/1"}],
            "files": [],
        },
    ]
    assert fake_rasa.calls == [{"sender": "rest:crm-1", "message": "能网上办吗"}]
    bad = client.post("/channels/rest/messages", json={"sender": "有 空格", "text": "x"}, headers=world.auth("admin"))
    api_error(bad, 422)
