"""“施工许可申请表在哪下载”: the action sends the forms of the item the real search recognised (issue 18), from the
answers captured from the real API (the sample centre's demo templates), and asks which item when none is."""

from __future__ import annotations

from typing import Any, Dict

from actions.templates import ASK_ITEM, ActionSendTemplates
from conftest import PUBLIC, make_tracker, run, slot_events, texts
from fake_api import SEARCHES, TEMPLATES, FakeApi


def test_the_forms_of_the_recognised_item_are_sent_as_links(api: FakeApi, domain: Dict[str, Any]) -> None:
    question = "施工许可申请表在哪下载"
    assert SEARCHES[question]["recognised_item"]["id"] == 17  # the real recogniser found 建筑工程施工许可证核发
    events, messages = run(ActionSendTemplates(), make_tracker(question, intent="ask_template"), domain)
    said = texts(messages)
    blank, sample = TEMPLATES[17]
    assert said.startswith("「建筑工程施工许可证核发」的表格下载：")
    assert f"· 建筑工程施工许可证申请表（空白表格）：{PUBLIC}{blank['download_link']}" in said
    assert f"· 建筑工程施工许可证申请表（填写样表）：{PUBLIC}{sample['download_link']}" in said
    assert f"预览：{PUBLIC}{blank['preview_link']}" in said  # a PDF: its first page as an image
    assert f"完整办事指南：{PUBLIC}/guides/17" in said
    assert "如不是，请告诉我具体事项" in said
    assert [r["path"] for r in api.requests] == ["/api/v1/knowledge/search", "/api/v1/items/17/templates"]
    assert slot_events(events) == {"failure_count": 0}


def test_another_item_gets_its_own_forms(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionSendTemplates(), make_tracker("户外广告申请表模板", intent="ask_template"), domain)
    said = texts(messages)
    assert said.startswith("「户外广告设置的审批」的表格下载：") and "户外广告设置申请表（空白表格）" in said


def test_no_item_recognised_asks_which(api: FakeApi, domain: Dict[str, Any]) -> None:
    question = "宇宙飞船发射许可要什么材料"  # captured: nothing recognised, nothing good enough
    _, messages = run(ActionSendTemplates(), make_tracker(question, intent="ask_template"), domain)
    assert texts(messages) == ASK_ITEM
    assert [r["path"] for r in api.requests] == ["/api/v1/knowledge/search"]


def test_the_api_down_is_said_plainly(api: FakeApi, domain: Dict[str, Any]) -> None:
    api.down = True
    _, messages = run(ActionSendTemplates(), make_tracker("施工许可申请表在哪下载", intent="ask_template"), domain)
    assert "暂时无法查询" in texts(messages)


def test_the_domain_declares_the_intent_and_action(domain: Dict[str, Any]) -> None:
    assert "ask_template" in domain["intents"] and "action_send_templates" in domain["actions"]
