"""The request id of a channel message goes with its bot turn, from web chat and from WeChat (tests/test_observability.py
has the other hops)."""

import logging

from fastapi.testclient import TestClient

from tests.channels.conftest import FakeRasa, FakeWeChat, post_plain, text_xml, webchat_say
from tests.test_observability import PROMETHEUS, records_fixture, scrape, value  # noqa: F401  (a fixture)


def test_a_web_chat_turn_sends_its_request_id_to_the_bot(
    client: TestClient, fake_rasa: FakeRasa, records: list[logging.LogRecord]
) -> None:
    webchat_say(client, "怎么查进度")
    rid = fake_rasa.request_ids[-1]
    assert len(rid) == 32
    answered = [r for r in records if r.name == "tongban.channels" and r.getMessage().startswith("智能客服已回答")]
    assert answered and answered[-1].request_id == rid  # type: ignore[attr-defined]
    access = [r for r in records if r.name == "tongban.access" and "/channels/webchat/messages" in r.getMessage()]
    assert access[-1].request_id == rid  # type: ignore[attr-defined]
    samples = scrape(TestClient(client.app, client=PROMETHEUS))  # type: ignore[arg-type]
    assert value(samples, "tongban_bot_turn_duration_seconds_count", outcome="answered") >= 1


def test_a_wechat_message_sends_the_callbacks_request_id_to_the_bot(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa, records: list[logging.LogRecord]
) -> None:
    response = post_plain(chat_client, text_xml("怎么查进度", "7001"))
    assert response.status_code == 200
    rid = response.headers["X-Request-ID"]
    # The turn runs on the channels' own threads (the callback may stop waiting): the id goes with it.
    assert fake_rasa.request_ids[-1] == rid
    answered = [r for r in records if r.getMessage().startswith("智能客服已回答")]
    assert answered[-1].request_id == rid  # type: ignore[attr-defined]
