"""The bot introduces the centre by its configured name (asked of the API, not written into the bot); a question
about one service item that the NLU took for the start of an intake, or for a request for a person, gets the
knowledge answer (the item's guide) instead of an intake about a project or a hand-off (issue 15)."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk.events import FollowupAction

from actions.handoff import ActionHandoff
from actions.identity import ActionIAmABot
from actions.intake import INTRO, PROJECT_PHRASING, ActionStartIntake
from conftest import make_tracker, run, texts
from fake_api import CAPTURED, SEARCHES, FakeApi


def test_the_bot_names_the_centre_configured_on_the_platform(api: FakeApi, domain: Dict[str, Any]) -> None:
    centre = CAPTURED["centre"]["name"]
    assert centre and "开发区政务服务中心" not in centre
    _, messages = run(ActionIAmABot(), make_tracker("你是机器人吗", intent="bot_challenge"), domain)
    assert texts(messages) == f"我是{centre}的智能助手“通办小助手”，不是真人。需要工作人员帮忙时，请说“转人工”。"
    assert [r["path"] for r in api.requests] == ["/api/v1/knowledge/centre"]


def test_without_the_platform_the_bot_still_says_what_it_is(api: FakeApi, domain: Dict[str, Any]) -> None:
    api.down = True
    _, messages = run(ActionIAmABot(), make_tracker("你是真人吗", intent="bot_challenge"), domain)
    assert texts(messages).startswith("我是便民服务中心的智能助手“通办小助手”，不是真人。")


def test_a_question_about_one_item_gets_its_guide_not_an_intake(api: FakeApi, domain: Dict[str, Any]) -> None:
    question = "挖开马路埋水管要办什么审批"
    assert SEARCHES[question]["hits"][0]["title"] == "占用、挖掘城市道路审批"
    events, messages = run(ActionStartIntake(), make_tracker(question, intent="start_project_intake"), domain)
    said = texts(messages)
    first = "\n".join(said.splitlines()[:2])  # the guide, or (the ranking unsure) the first of three choices
    assert "占用、挖掘城市道路审批" in first
    assert INTRO not in said and "报建" not in said
    assert events[-1] == FollowupAction("action_listen")  # the intake's form does not start


def test_building_a_project_starts_the_intake_without_asking_the_search(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    for text in ("我要报建一个仓库", "我们准备新建厂房，开工前要办哪些审批", "道路工程需要走什么审批流程", "再报一个项目"):
        api.requests.clear()
        events, messages = run(ActionStartIntake(), make_tracker(text, intent="start_project_intake"), domain)
        assert INTRO in texts(messages) and events == []
        assert "/api/v1/knowledge/search" not in [r["path"] for r in api.requests]


def test_project_phrasings_are_told_from_single_item_questions() -> None:
    projects = ("报建一栋办公楼", "我们要盖个厂房", "新建仓库要走哪些流程", "项目开工前要办哪些审批", "建一个产业园", "有个新项目")
    items = ("道路挖掘要办什么审批", "家门口的树想砍掉要走什么手续", "店招要审批吗", "排水证怎么办")
    assert all(PROJECT_PHRASING.search(t) for t in projects)
    assert not any(PROJECT_PHRASING.search(t) for t in items)


def test_a_service_question_taken_for_a_handoff_is_answered(api: FakeApi, domain: Dict[str, Any]) -> None:
    question = "小卖部卖烟要办什么证"  # no word asks for a person; the search recognises the item
    events, messages = run(ActionHandoff(), make_tracker(question, intent="human_handoff"), domain)
    assert texts(messages).startswith("【烟草专卖零售许可证核发】办事指南")
    assert not [m for m in messages if m.get("custom")]


def test_asking_for_a_person_hands_off_without_searching(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionHandoff(), make_tracker("麻烦转一下人工", intent="human_handoff"), domain)
    assert [m for m in messages if m.get("custom")] and api.requests == []
