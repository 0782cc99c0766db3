"""The bot's first answer follows the knowledge search (issue 15), on answers captured from the real API
(tongban/bot_samples.py SEARCH_QUERIES): out of scope declines only what the search has nothing for, the item is
the one the search recognised and the bot says so, a penalty question gets its law article, and a top hit that is
not clearly ahead is offered with the next two as buttons."""

from __future__ import annotations

from typing import Any, Dict

from actions.knowledge import ActionAnswerQuestion, ActionOutOfScope, ActionShowGuide
from conftest import PUBLIC, make_tracker, run, slot_events, texts
from fake_api import SEARCHES, FakeApi


def paths(api: FakeApi) -> list:
    return [r["path"] for r in api.requests]


def test_a_service_question_the_nlu_took_for_out_of_scope_is_answered_not_declined(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    question = "小卖部卖烟要办什么证"
    assert SEARCHES[question]["answered"] and SEARCHES[question]["recognised_item"]["id"] == 43
    events, messages = run(ActionOutOfScope(), make_tracker(question, intent="out_of_scope"), domain)
    said = texts(messages)
    assert "不在我的服务范围" not in said and not [m for m in messages if m.get("response") == "utter_out_of_scope"]
    assert said.startswith("【烟草专卖零售许可证核发】办事指南")
    assert "您问的是「烟草专卖零售许可证核发」的办事指南，如不是，请告诉我具体事项。" in said
    assert f"完整指南：{PUBLIC}/guides/43" in said
    assert slot_events(events) == {"failure_count": 0}


def test_out_of_scope_is_declined_when_the_search_has_nothing(api: FakeApi, domain: Dict[str, Any]) -> None:
    assert SEARCHES["今天天气怎么样"]["answered"] is False
    events, messages = run(ActionOutOfScope(), make_tracker("今天天气怎么样", intent="out_of_scope"), domain)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]
    assert events == [] and paths(api) == ["/api/v1/knowledge/search"]


def test_a_penalty_question_gets_the_law_article_not_the_guide(api: FakeApi, domain: Dict[str, Any]) -> None:
    question = "没办施工许可证就开工怎么处罚"
    assert SEARCHES[question]["recognised_item"]["id"] == 17  # the guide would have been 施工许可 …
    _, messages = run(ActionShowGuide(), make_tracker(question, intent="ask_guide"), domain)
    said = texts(messages)
    assert said.startswith("【《中华人民共和国建筑法》第六十四条】\n")  # … the article on the penalty answers
    assert f"来源：法律法规《中华人民共和国建筑法》第六十四条 {PUBLIC}/knowledge/laws/3#第六十四条" in said
    assert "办事指南" not in said and "/api/v1/items/17" not in paths(api)


def test_the_guide_intent_and_the_question_intent_follow_the_search(api: FakeApi, domain: Dict[str, Any]) -> None:
    for intent in ("ask_guide", "ask_question"):  # the FAQ the search puts clearly first, the item understood
        _, answer = run(ActionShowGuide(), make_tracker("户外广告审批多久", intent=intent), domain)
        assert texts(answer).startswith("【户外广告设置审批多久能批下来？】\n")
        assert f"（按「户外广告设置的审批」理解，完整办事指南：{PUBLIC}/guides/13" in texts(answer)


def test_no_clear_top_hit_offers_the_best_three_as_buttons(api: FakeApi, domain: Dict[str, Any]) -> None:
    result = SEARCHES["施工"]
    assert result["answered"] and result["clear"] is False
    events, messages = run(ActionAnswerQuestion(), make_tracker("施工", intent="ask_question"), domain)
    titles = [h["title"] for h in result["hits"][:3]]
    assert [b["title"] for b in messages[0]["buttons"]] == titles
    assert [b["payload"] for b in messages[0]["buttons"]] == titles  # choosing one asks for it by name
    lines = texts(messages).splitlines()
    assert lines[0] == "您的问题可能涉及以下几项，请选择您想了解的一项（也可以换个说法再问）："
    assert lines[1] == f"1. {titles[0]} {PUBLIC}{result['hits'][0]['link']}"
    assert slot_events(events) == {"failure_count": 0}


def test_answers_end_at_a_sentence_end(api: FakeApi, domain: Dict[str, Any]) -> None:
    for question in (
        "什么是容缺受理",
        "城乡规划法第四十条怎么规定的",
        "户外广告审批多久",
        "没办施工许可证就开工怎么处罚",
    ):
        intent = "ask_question" if "处罚" not in question else "ask_guide"
        _, messages = run(ActionAnswerQuestion(), make_tracker(question, intent=intent), domain)
        body = texts(messages).splitlines()[1]
        assert body[-1] in "。！？；”", (question, body)


def test_a_business_opening_question_asks_the_items_and_lists_them_only_when_good_enough(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    """Opening a business needs a list of items, so the items alone are searched as well: a hot-pot restaurant
    (火锅店, a name the food licence is known by) gets the list with the food licence first; for a business the
    search knows nothing of (answered false) no list of unrelated items is made, the main search's three are
    offered."""
    from fake_api import OPENING_SEARCHES

    question = "开个火锅店要办哪些证"
    assert OPENING_SEARCHES[question]["answered"] is True
    _, messages = run(ActionAnswerQuestion(), make_tracker(question, intent="ask_guide"), domain)
    said = texts(messages)
    assert said.startswith("开办这类经营场所") and said.splitlines()[1].startswith("1. 食品经营许可 ")

    api.requests.clear()
    question = "开个时光机工作室要办哪些证"
    assert OPENING_SEARCHES[question]["answered"] is False
    _, messages = run(ActionAnswerQuestion(), make_tracker(question, intent="ask_guide"), domain)
    assert [r["query"].get("kind") for r in api.requests] == ["all", "item"]
    assert "开办这类经营场所" not in texts(messages)  # no list of unrelated items