"""The WeCom provider against the fake WeCom API: messages arrive, refusals come back as typed Chinese errors."""

import pytest

from notifications.providers import wecom
from notifications.providers.errors import Permanent, Retryable
from tests.fakes.wecom_api import FakeWeCom

CARD = {"msgtype": "textcard", "textcard": {"title": "办件已受理", "description": "KF1", "url": "http://x/1"}}


def test_a_text_card_reaches_the_member_and_returns_the_msgid(fake_wecom: FakeWeCom) -> None:
    msgid = wecom.send("zhangsan", CARD)
    [received] = fake_wecom.delivered_to("zhangsan")
    assert received["textcard"]["title"] == "办件已受理"
    assert msgid == fake_wecom.deliveries[0].msgid


def test_an_expired_token_is_fetched_again_and_the_message_still_goes(fake_wecom: FakeWeCom) -> None:
    wecom.send("zhangsan", CARD)
    fake_wecom.expire_tokens()
    wecom.send("zhangsan", CARD | {"textcard": CARD["textcard"] | {"url": "http://x/2"}})
    assert len(fake_wecom.delivered_to("zhangsan")) == 2
    assert fake_wecom.token_fetches == 2


def test_the_same_message_sent_twice_reaches_the_member_once(fake_wecom: FakeWeCom) -> None:
    first = wecom.send("zhangsan", CARD)
    second = wecom.send("zhangsan", CARD)
    assert first == second
    assert len(fake_wecom.delivered_to("zhangsan")) == 1


def test_an_unknown_member_is_a_permanent_error_in_chinese(fake_wecom: FakeWeCom) -> None:
    fake_wecom.unknown_users.add("nobody")
    with pytest.raises(Permanent, match="找不到该成员") as caught:
        wecom.send("nobody", CARD)
    assert caught.value.code == 81013


@pytest.mark.parametrize("failure", [500, 45009, -1])
def test_server_errors_and_frequency_limits_are_retryable(fake_wecom: FakeWeCom, failure: int) -> None:
    fake_wecom.script.append(failure)
    with pytest.raises(Retryable):
        wecom.send("zhangsan", CARD)
    assert fake_wecom.delivered_to("zhangsan") == []


def test_a_clicked_card_is_updated_once_per_response_code(fake_wecom: FakeWeCom) -> None:
    update = {"response_code": "RC1", "button": {"replace_name": "已同意"}}
    wecom.update_template_card(update)
    with pytest.raises(Permanent):
        wecom.update_template_card(update)
    assert fake_wecom.card_updates == [update | {"agentid": 1000002}]
