"""One captured payload per WeChat message type (fixtures/wechat), each with what it becomes: the
normalised message the gateway gets, and what the person is answered."""

from fastapi.testclient import TestClient

from channels.wechat import adapter
from tests.channels.conftest import OPENID, FakeRasa, FakeWeChat, fixture_xml, post_plain, reply_content


def test_text_becomes_a_text_turn_for_the_bot(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    inbound = adapter.parse(fixture_xml("text.xml"))
    assert (inbound.channel, inbound.sender_id, inbound.message_id) == ("wechat", OPENID, "6054768590064713728")
    assert (inbound.type, inbound.text, inbound.sender_key) == ("text", "abcdteT", f"wechat:{OPENID}")
    assert inbound.raw["ToUserName"] == "gh_10f6c3c3ac5a"
    assert reply_content(post_plain(chat_client, fixture_xml("text.xml"))) == "您问的是：abcdteT"


def test_subscribe_event_greets_with_what_the_bot_can_do(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    inbound = adapter.parse(fixture_xml("event_subscribe.xml"))
    assert (inbound.type, inbound.event, inbound.message_id) == ("event", "subscribe", f"{OPENID}:1409735700")
    greeting = reply_content(post_plain(chat_client, fixture_xml("event_subscribe.xml")))
    assert greeting.startswith("您好，欢迎关注")
    assert "查询办件进度" in greeting and "办事指南" in greeting and "转人工" in greeting
    assert "请回复数字选择：\n1. 查询办件进度" in greeting
    assert fake_rasa.calls == []  # the welcome needs no bot


def test_subscribe_by_scanning_a_window_code_also_greets(chat_client: TestClient, wechat_account: FakeWeChat) -> None:
    inbound = adapter.parse(fixture_xml("event_subscribe_scan.xml"))
    assert (inbound.type, inbound.event) == ("event", "subscribe")
    assert reply_content(post_plain(chat_client, fixture_xml("event_subscribe_scan.xml"))).startswith("您好，欢迎关注")


def test_unsubscribe_is_recorded_and_not_answered(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    inbound = adapter.parse(fixture_xml("event_unsubscribe.xml"))
    assert (inbound.type, inbound.event, inbound.text) == ("event", "unsubscribe", "")
    response = post_plain(chat_client, fixture_xml("event_unsubscribe.xml"))
    assert response.status_code == 200 and response.text == "success"
    assert fake_rasa.calls == []


def test_menu_click_sends_its_key_to_the_bot(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    inbound = adapter.parse(fixture_xml("event_click.xml"))
    assert (inbound.type, inbound.event, inbound.text) == ("event", "click", "查询办件进度")
    assert reply_content(post_plain(chat_client, fixture_xml("event_click.xml"))) == "您问的是：查询办件进度"


def test_menu_link_is_recorded_and_not_answered(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    assert adapter.parse(fixture_xml("event_view.xml")).event == "view"
    assert post_plain(chat_client, fixture_xml("event_view.xml")).text == "success"
    assert fake_rasa.calls == []


def test_image_is_answered_helpfully_without_the_bot(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    inbound = adapter.parse(fixture_xml("image.xml"))
    assert (inbound.type, inbound.text) == ("unsupported", "[图片]")
    assert inbound.raw["PicUrl"].startswith("http://mmbiz.qpic.cn/")
    answer = reply_content(post_plain(chat_client, fixture_xml("image.xml")))
    assert "只能看懂文字" in answer and "转人工" in answer
    assert fake_rasa.calls == []


def test_voice_without_recognition_is_answered_helpfully(chat_client: TestClient, wechat_account: FakeWeChat) -> None:
    assert adapter.parse(fixture_xml("voice.xml")).text == "[语音]"
    assert "只能看懂文字" in reply_content(post_plain(chat_client, fixture_xml("voice.xml")))


def test_voice_with_wechat_recognition_is_a_text_turn(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    inbound = adapter.parse(fixture_xml("voice_recognition.xml"))
    assert (inbound.type, inbound.text) == ("text", "户外广告审批多久")
    assert reply_content(post_plain(chat_client, fixture_xml("voice_recognition.xml"))) == "您问的是：户外广告审批多久"


def test_location_is_described_for_staff_and_answered_helpfully(
    chat_client: TestClient, wechat_account: FakeWeChat
) -> None:
    inbound = adapter.parse(fixture_xml("location.xml"))
    assert (inbound.type, inbound.text) == ("unsupported", "[位置] 江苏省苏州市绿地大道721号")
    assert "只能看懂文字" in reply_content(post_plain(chat_client, fixture_xml("location.xml")))


def test_emoji_only_text_goes_to_the_bot_as_it_is(
    chat_client: TestClient, wechat_account: FakeWeChat, fake_rasa: FakeRasa
) -> None:
    assert adapter.parse(fixture_xml("emoji.xml")).text == "👍😀🙏"
    assert reply_content(post_plain(chat_client, fixture_xml("emoji.xml"))) == "您问的是：👍😀🙏"
