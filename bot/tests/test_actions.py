"""The custom actions on tracker fixtures, against the fake /api/v1 on 127.0.0.1 (tests/fake_api.py)."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from actions.cases import (
    ActionBindCase,
    ActionMyCases,
    ActionQueryProgress,
    ActionSubmitRating,
    ValidateBindForm,
    ValidateProgressForm,
    ValidateRatingForm,
)
from actions.handoff import ActionHandoff
from actions.intake import (
    DONE,
    ActionAskIndicatorAnswer,
    ActionCorrectAnswer,
    ActionStartIntake,
    ActionStopForm,
    ActionSubmitProject,
    ValidateProjectForm,
)
from actions.knowledge import ActionAnswerQuestion, ActionShowGuide, aspects_of, format_answer, format_guide
from conftest import PUBLIC, make_tracker, run, slot_events, texts
from fake_api import (
    BOUND_USER,
    CONCLUDED,
    GUIDES,
    IN_PROGRESS,
    RATING_ERRORS,
    RATINGS,
    SEARCHES,
    VALID_CREDIT_CODE,
    WRONG_CREDENTIALS,
    FakeApi,
    shown,
)

USER = "wechat:oyORnuTest0001"
OPEN = IN_PROGRESS
"""The sample case in progress, as the real API numbered it (the fake accepts the password 385920 for it)."""


def answered_from(question: str) -> str:
    """The title of the real search's best hit for ``question``, which the bot's first answer presents first."""
    return str(SEARCHES[question]["hits"][0]["title"])


def presents_first(question: str, said: str) -> bool:
    """Whether the bot's answer begins with the real search's best hit: quoted (“【title】”), or the first of the
    three choices it offers when the search says the top hit is not clearly ahead."""
    title = answered_from(question)
    if SEARCHES[question].get("clear") is False:
        return f"\n1. {title} " in said
    return said.startswith(f"【{title}】")


def next_slot(domain: Dict[str, Any], form: str, slots: Dict[str, Any]) -> Any:
    """The slot the form asks for next (as Rasa decides when the validation action does not say)."""
    if "requested_slot" in slots:
        return slots["requested_slot"]
    return next((s for s in domain["forms"][form]["required_slots"] if slots.get(s) is None), None)


def deactivated(events) -> bool:
    """Whether the events end the active form."""
    return any(e.get("event") == "active_loop" and e.get("name") is None for e in events)


def custom(messages) -> list:
    return [m["custom"] for m in messages if m.get("custom")]


# --- knowledge base ----------------------------------------------------------------------------------------------


def test_answer_cites_its_source(api: FakeApi, domain: Dict[str, Any]) -> None:
    events, messages = run(ActionAnswerQuestion(), make_tracker("什么是容缺受理", intent="ask_question"), domain)
    said = texts(messages)
    assert SEARCHES["什么是容缺受理"]["clear"] is True
    assert said.startswith("【容缺受理】\n申请事项基本条件具备、主要材料齐全")
    assert "<mark>" not in said and "&lt;" not in said
    # the kind of source is named by the API (kind_label), the link is the API's
    assert f"来源：政务百科“容缺受理” {PUBLIC}/knowledge/glossary#term-18" in said  # the API's citation
    assert f"{PUBLIC}/knowledge/policies/23" in said  # a related hit
    assert slot_events(events) == {"failure_count": 0}
    request = api.requests[-1]
    assert request["path"] == "/api/v1/knowledge/search"
    assert request["query"] == {"q": "什么是容缺受理", "kind": "all", "limit": "3", "channel": "bot"}
    assert request["headers"]["authorization"] == "Bearer test-bot-token"
    assert request["headers"]["x-channel-user"] == USER


def test_law_article_answer(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(
        ActionAnswerQuestion(), make_tracker("城乡规划法第四十条怎么规定的", intent="ask_question"), domain
    )
    assert texts(messages).startswith("【《中华人民共和国城乡规划法》第四十条】\n在城市、镇规划区内进行建筑物")
    assert f"来源：法律法规《中华人民共和国城乡规划法》第四十条 {PUBLIC}/knowledge/laws/2#第四十条" in texts(messages)


def test_an_article_of_a_repealed_law_says_so_and_where_the_law_in_force_is(api: FakeApi) -> None:
    hit = {
        "kind": "law",
        "key": "law:11:第八条",
        "title": "《固定资产投资项目节能审查办法》第八条（已废止）",
        "link": "/knowledge/laws/11#第八条",
        "score": 9.0,
        "confidence": 0.8,
        "snippet": "年综合能源消费量不满1000吨标准煤且年<mark>电力消费量</mark>不满500万千瓦时的项目……",
        "law_status": "repealed",
        "notice": "该法规已于2025年9月1日废止，现行规定见《固定资产投资项目节能审查和碳排放评价办法》。",
        "replaced_by_link": "/knowledge/laws/10",
    }
    said = format_answer({"query": "用电500万千瓦时要节能审查吗", "answered": True, "hits": [hit]})
    assert said.startswith("【《固定资产投资项目节能审查办法》第八条（已废止）】")
    assert (
        "注意：该法规已于2025年9月1日废止，现行规定见《固定资产投资项目节能审查和碳排放评价办法》。"
        f" {PUBLIC}/knowledge/laws/10"
    ) in said


def test_no_good_answer_is_said_honestly_and_offers_a_person(api: FakeApi, domain: Dict[str, Any]) -> None:
    events, messages = run(ActionAnswerQuestion(), make_tracker("今天天气怎么样", intent="ask_question"), domain)
    assert "没有找到可靠的答案" in texts(messages)
    assert "已经记录" in texts(messages)
    assert [b["title"] for b in messages[0]["buttons"]] == ["转人工", "换个问法"]
    assert slot_events(events) == {"failure_count": 1}
    assert not custom(messages)


def test_possible_matches_are_offered_when_none_is_good_enough_to_answer_with(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    """The search answers nothing with confidence, but its best hits share words with the question: the bot says it
    found no exact answer and offers them, with a person, instead of a dead end; it still counts as a miss."""
    events, messages = run(ActionAnswerQuestion(), make_tracker("量子纠缠实验室备案", intent="ask_question"), domain)
    said = texts(messages)
    assert said.startswith("没有找到确切的答案") and "没有找到可靠的答案" not in said
    offered = [h["title"] for h in SEARCHES["量子纠缠实验室备案"]["hits"][:3]]
    assert [line.rsplit(" ", 1)[0] for line in said.splitlines()[1:]] == [f"{n}. {t}" for n, t in enumerate(offered, 1)]
    assert [b["title"] for b in messages[0]["buttons"]] == [t[:60] for t in offered] + ["转人工"]
    assert slot_events(events) == {"failure_count": 1}
    assert not custom(messages)


def test_repeated_failure_hands_off(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker("今天天气怎么样", intent="nlu_fallback", slots={"failure_count": 1})
    events, messages = run(ActionAnswerQuestion(), tracker, domain)
    assert custom(messages) == [
        {"handoff": {"reason": "repeated_failure", "last_message": "今天天气怎么样", "active_loop": None}}
    ]
    assert "转接人工" in texts(messages)
    assert slot_events(events)["failure_count"] == 0


def test_knowledge_base_down(api: FakeApi, domain: Dict[str, Any]) -> None:
    api.down = True
    events, messages = run(ActionAnswerQuestion(), make_tracker("什么是容缺受理"), domain)
    assert "暂时无法访问" in texts(messages)
    assert events == []


def test_emoji_only_message_is_not_searched(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionAnswerQuestion(), make_tracker("👍👍🙂", intent="nlu_fallback"), domain)
    assert "用文字" in texts(messages)
    assert api.requests == []


def test_sender_without_channel_is_not_sent_as_channel_user(api: FakeApi, domain: Dict[str, Any]) -> None:
    run(ActionAnswerQuestion(), make_tracker("什么是容缺受理", sender="default"), domain)
    assert "x-channel-user" not in api.requests[-1]["headers"]


def test_the_turns_request_id_goes_back_to_the_api(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker("什么是容缺受理", metadata={"request_id": "req-7f3a9c"})
    run(ActionAnswerQuestion(), tracker, domain)
    assert api.requests[-1]["headers"]["x-request-id"] == "req-7f3a9c"
    run(ActionAnswerQuestion(), make_tracker("什么是容缺受理", metadata={"request_id": "坏的 id\n"}), domain)
    assert "x-request-id" not in api.requests[-1]["headers"]  # a malformed id is not passed on


# --- service guides -----------------------------------------------------------------------------------------------


def test_guide_materials(api: FakeApi, domain: Dict[str, Any]) -> None:
    said = format_guide(GUIDES[17], aspects_of("施工许可证要什么材料"))
    assert said.startswith("【建筑工程施工许可证核发】办事指南")
    assert GUIDES[17]["name"] == "建筑工程施工许可证核发"  # the sample catalogue's id of the item
    assert "申请材料（共9项）" in said and "1. 建筑工程施工许可证申请表" in said
    assert "授权委托书及受托人身份证明（非必要）" in said
    assert "承诺3个工作日（法定7个自然日）" in said
    assert f"完整指南：{PUBLIC}/guides/17" in said and f"在线申报：{PUBLIC}/apply/17" in said


def test_a_guide_question_the_search_answers_with_an_faq_names_the_item_understood(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    _, messages = run(ActionShowGuide(), make_tracker("施工许可证要什么材料", intent="ask_guide"), domain)
    said = texts(messages)
    # the FAQ the search puts clearly first answers the question; the item is the one the search's recogniser
    # found (not the bot's own keyword guess), and the bot says so, with the guide's link
    assert said.startswith("【申请建筑工程施工许可证需要哪些材料？】\n")
    assert SEARCHES["施工许可证要什么材料"]["recognised_item"]["id"] == 17
    assert f"（按「建筑工程施工许可证核发」理解，完整办事指南：{PUBLIC}/guides/17；如不是，请告诉我具体事项。）" in said
    assert [r["path"] for r in api.requests] == ["/api/v1/knowledge/search"]


def test_guide_time_limit_first(api: FakeApi, domain: Dict[str, Any]) -> None:
    said = format_guide(GUIDES[13], aspects_of("户外广告审批多久"))
    lines = said.splitlines()
    assert lines[0] == "【户外广告设置的审批】办事指南"
    assert lines[1] == "办理时限：承诺5个工作日（法定20个工作日）"
    assert "申请材料" not in said  # not asked about
    assert "收费标准：不收费" in said


def test_an_unknown_item_with_nothing_good_enough_is_not_guessed(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionShowGuide(), make_tracker("宇宙飞船发射许可要什么材料", intent="ask_guide"), domain)
    # no item recognised and no hit good enough to answer with: no guide of a guessed item; the best hits share
    # only 许可 and 材料 with the question, so they are offered as possible matches, plainly not as answers
    result = SEARCHES["宇宙飞船发射许可要什么材料"]
    assert result["recognised_item"] is None and result["answered"] is False
    said = texts(messages)
    assert said.startswith("没有找到确切的答案") and "办事指南" not in said
    assert "转人工" in [b["title"] for b in messages[0]["buttons"]]
    assert [r["path"] for r in api.requests] == ["/api/v1/knowledge/search"]


# --- progress ------------------------------------------------------------------------------------------------------


def test_case_number_is_normalised_and_the_password_asked(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(OPEN.lower(), set_now={"case_no": OPEN.lower()}, active_loop="progress_form")
    events, messages = run(ValidateProgressForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["case_no"] == OPEN
    assert slots["case_bound"] is False
    assert next_slot(domain, "progress_form", {**slots, "query_code": None}) == "query_code"
    assert messages == []  # nothing about the case is said before the password


def test_bound_channel_user_needs_no_password(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(OPEN, sender=BOUND_USER, set_now={"case_no": OPEN}, active_loop="progress_form")
    events, _ = run(ValidateProgressForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["case_bound"] is True
    assert slots["progress_result"]["status_label"] == "办理中"
    assert slots["requested_slot"] is None  # the form is done
    done = make_tracker("", sender=BOUND_USER, slots={"case_no": OPEN, **{k: v for k, v in slots.items()}})
    before = len(api.requests)
    _, messages = run(ActionQueryProgress(), done, domain)
    assert "状态：办理中（当前环节：审查）" in texts(messages)
    assert len(api.requests) == before  # answered from the validated result
    assert "绑定办件" not in texts(messages)


@pytest.mark.parametrize("value", ["KF2026", "你好", "KF20261126001"])
def test_malformed_case_number_is_asked_again(api: FakeApi, domain: Dict[str, Any], value: str) -> None:
    tracker = make_tracker(value, set_now={"case_no": value}, active_loop="progress_form")
    events, messages = run(ValidateProgressForm(), tracker, domain)
    assert slot_events(events)["case_no"] is None
    assert "KF 加 12 位数字" in texts(messages)


def test_query_code_format(api: FakeApi, domain: Dict[str, Any]) -> None:
    base = {"case_no": OPEN, "case_bound": False}
    events, messages = run(
        ValidateProgressForm(),
        make_tracker("12345", slots=base, set_now={"query_code": "12345"}, active_loop="progress_form"),
        domain,
    )
    assert slot_events(events)["query_code"] is None and "6 位数字" in texts(messages)
    events, _ = run(
        ValidateProgressForm(),
        make_tracker("密码是385920", slots=base, set_now={"query_code": "密码是385920"}, active_loop="progress_form"),
        domain,
    )
    assert slot_events(events)["query_code"] == "385920"


def test_progress_with_password(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker("", slots={"case_no": OPEN, "query_code": "385920", "case_bound": False})
    events, messages = run(ActionQueryProgress(), tracker, domain)
    said = texts(messages)
    assert f"办件 {OPEN} 的办理进度" in said
    assert "事项：建筑工程施工许可证核发" in said
    assert "状态：办理中（当前环节：审查）" in said
    assert "承办部门：XX经济开发区规划建设局" in said
    assert "承诺办结日期：2026年12月1日" in said
    assert "最近进展：2026年11月26日 受理" in said
    assert "绑定办件" in said  # offered to a WeChat user
    assert api.requests[-1]["body"] == {"case_no": OPEN, "query_code": "385920"}
    assert all(v is None for v in slot_events(events).values())  # the next query starts afresh


def test_concluded_case_shows_the_result(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker("", slots={"case_no": CONCLUDED, "query_code": "604213"})
    _, messages = run(ActionQueryProgress(), tracker, domain)
    assert "状态：已办结" in texts(messages)
    assert "办结结果：出证办结（2026年11月4日）" in texts(messages)


def test_wrong_password_and_unknown_number_get_the_same_answer(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, wrong = run(ActionQueryProgress(), make_tracker("", slots={"case_no": OPEN, "query_code": "111111"}), domain)
    _, unknown = run(
        ActionQueryProgress(), make_tracker("", slots={"case_no": "KF209912310001", "query_code": "385920"}), domain
    )
    assert texts(wrong) == texts(unknown) == WRONG_CREDENTIALS
    assert "建筑工程" not in texts(wrong)


# --- my cases and binding -----------------------------------------------------------------------------------------


def test_my_cases_of_a_bound_user(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionMyCases(), make_tracker("我的办件", sender=BOUND_USER, intent="my_cases"), domain)
    assert "您共有 1 个办件" in texts(messages)
    assert f"{OPEN} 建筑工程施工许可证核发（办理中·审查，XX经济开发区规划建设局）" in texts(messages)
    assert api.requests[-1]["headers"]["x-channel-user"] == BOUND_USER


def test_my_cases_when_none_bound(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionMyCases(), make_tracker("我的办件", intent="my_cases"), domain)
    assert "还没有关联的办件" in texts(messages)
    assert [b["title"] for b in messages[0]["buttons"]] == ["绑定办件", "查询办件进度"]


def test_my_cases_needs_a_channel_user(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionMyCases(), make_tracker("我的办件", sender="default", intent="my_cases"), domain)
    assert "无法识别您的身份" in texts(messages)
    assert api.requests == []


def test_bind_then_query_without_password(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker("", slots={"case_no": OPEN, "query_code": "385920"})
    _, messages = run(ActionBindCase(), tracker, domain)
    assert "绑定成功" in texts(messages)
    assert api.requests[-1]["body"] == {"case_no": OPEN, "query_code": "385920"}
    form = make_tracker(OPEN, set_now={"case_no": OPEN}, active_loop="progress_form")
    events, _ = run(ValidateProgressForm(), form, domain)
    assert slot_events(events)["case_bound"] is True


def test_bind_form_always_asks_the_password(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(OPEN, sender=BOUND_USER, set_now={"case_no": OPEN}, active_loop="bind_form")
    events, _ = run(ValidateBindForm(), tracker, domain)
    assert next_slot(domain, "bind_form", {**slot_events(events), "query_code": None}) == "query_code"


def test_bind_with_wrong_password(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionBindCase(), make_tracker("", slots={"case_no": OPEN, "query_code": "000000"}), domain)
    assert texts(messages) == WRONG_CREDENTIALS


# --- rating ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "level"),
    [("非常满意", "5"), ("很满意", "5"), ("满意", "4"), ("一般", "3"), ("不太满意", "2"), ("太差了", "1")],
)
def test_rating_level(api: FakeApi, domain: Dict[str, Any], said: str, level: str) -> None:
    slots = {"case_no": CONCLUDED, "query_code": "604213"}
    tracker = make_tracker(said, slots=slots, set_now={"rating_level": said}, active_loop="rating_form")
    events, _ = run(ValidateRatingForm(), tracker, domain)
    assert slot_events(events)["rating_level"] == level
    assert next_slot(domain, "rating_form", {**slots, **slot_events(events)}) == "rating_comment"


def test_rating_level_not_understood(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = {"case_no": CONCLUDED, "query_code": "604213"}
    events, messages = run(
        ValidateRatingForm(),
        make_tracker("嗯", slots=slots, set_now={"rating_level": "嗯"}, active_loop="rating_form"),
        domain,
    )
    assert slot_events(events)["rating_level"] is None
    assert "非常满意、满意、基本满意、不满意、非常不满意" in texts(messages)


def test_no_comment(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = {"case_no": CONCLUDED, "query_code": "604213", "rating_level": "5"}
    tracker = make_tracker("没有了", slots=slots, set_now={"rating_comment": "没有了"}, active_loop="rating_form")
    events, _ = run(ValidateRatingForm(), tracker, domain)
    assert slot_events(events)["rating_comment"] == ""
    assert next_slot(domain, "rating_form", {**slots, **slot_events(events)}) is None


def test_bad_rating_goes_to_follow_up(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = {"case_no": CONCLUDED, "query_code": "604213", "rating_level": "2", "rating_comment": "排队太久"}
    _, messages = run(ActionSubmitRating(), make_tracker("", slots=slots), domain)
    assert "已记录：不满意" in texts(messages)
    assert "转交承办部门核实整改，将在2026年12月4日前答复您" in texts(messages)
    body = api.requests[-1]["body"]
    assert body == {
        "case_no": CONCLUDED,
        "level": 2,
        "comment": "排队太久",
        "channel": "wechat",
        "query_code": "604213",
    }
    _, again = run(ActionSubmitRating(), make_tracker("", slots=slots), domain)
    assert (
        texts(again)
        == RATING_ERRORS["already_rated"]["body"]["error"]["message"]
        == "该办件已评价过，每件办件只能评价一次"
    )


def test_good_rating(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = {"case_no": CONCLUDED, "query_code": "604213", "rating_level": "5", "rating_comment": ""}
    events, messages = run(ActionSubmitRating(), make_tracker("", sender="webchat:abc", slots=slots), domain)
    assert "感谢您的评价！已记录：非常满意" in texts(messages)
    assert api.requests[-1]["body"]["channel"] == "webchat"
    assert slot_events(events)["rating_level"] is None


def test_rating_a_case_not_concluded(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = {"case_no": OPEN, "query_code": "385920", "rating_level": "4", "rating_comment": ""}
    _, messages = run(ActionSubmitRating(), make_tracker("", slots=slots), domain)
    assert texts(messages) == RATING_ERRORS["not_concluded"]["body"]["error"]["message"] == "办件办结后才能评价"


# --- construction-project intake --------------------------------------------------------------------------------------

ANSWERS = {
    "investor": "我们企业自己投的",
    "in_approval_catalogue": "没有",
    "project_type": "工业项目",
    "new_land": "是的",
    "land_supply": "出让",
    "total_investment": "五千万",
    "floor_area": "两万平方米",
    "civil_building": "不是",
    "has_basement": "有",
    "energy_tce": "800吨标煤",
    "electricity_kwh": "300万千瓦时",
    "coal_tonnes": "不烧煤",
    "industry": "做芯片封装的",
    "sewage_to_network": "是",
    "digs_road": "不需要",
    "bridge_pipeline": "否",
    "moves_trees": "没有",
    "occupies_green_space": "不涉及",
    "outdoor_advertising": "要设置招牌",
}


def _answer(domain, slots: Dict[str, Any], slot: str, text: str):
    tracker = make_tracker(
        text, slots={**slots, "requested_slot": slot}, set_now={slot: text}, active_loop="project_form"
    )
    events, messages = run(ValidateProjectForm(), tracker, domain)
    slots.update(slot_events(events))
    return events, messages


def _start(api: FakeApi, domain) -> Dict[str, Any]:
    slots: Dict[str, Any] = {}
    _, messages = _answer(domain, slots, "project_name", "恒创智能装备产业园一期")
    assert "已为「恒创智能装备产业园一期」建立报建草稿" in texts(messages)
    assert slots["project_id"] == 101
    assert slots["current_question"]["key"] == "investor"
    assert next_slot(domain, "project_form", slots) == "indicator_answer"
    return slots


def test_intake_asks_only_applicable_questions_and_derives(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    asked = []
    while slots.get("indicator_answer") != DONE:
        key = slots["current_question"]["key"]
        asked.append(key)
        _, messages = _answer(domain, slots, "indicator_answer", ANSWERS[key])
        assert texts(messages).startswith("✓ ")
    # civil_building is asked for an industrial project; alters_structure_or_facade (renovation only) is not
    assert "alters_structure_or_facade" not in asked and "civil_building" in asked
    assert asked[:3] == ["investor", "in_approval_catalogue", "project_type"]
    saved = api.projects[101]["indicators"]
    assert saved["investor"] == "enterprise" and saved["in_approval_catalogue"] is False
    assert saved["total_investment"] == 50_000_000 and saved["floor_area"] == 20_000
    assert saved["energy_tce"] == 800 and saved["electricity_kwh"] == 3_000_000 and saved["coal_tonnes"] == 0
    assert "regional_energy_review" not in asked, "no energy review is needed, so its follow-up is not asked"
    assert saved["industry"] == "electronics" and saved["outdoor_advertising"] is True
    assert next_slot(domain, "project_form", slots) == "project_enterprise_name"

    _answer(domain, slots, "project_enterprise_name", "苏州恒创科技有限公司")
    _, messages = _answer(domain, slots, "project_credit_code", "91320583MA1X2Y3B4A")
    assert "校验位不正确" in texts(messages) and slots["project_credit_code"] is None
    _answer(domain, slots, "project_credit_code", VALID_CREDIT_CODE.lower())
    assert slots["project_credit_code"] == VALID_CREDIT_CODE
    _answer(domain, slots, "project_location", "开发区科技大道88号")
    _answer(domain, slots, "project_contact_name", "张伟")
    _, messages = _answer(domain, slots, "project_contact_phone", "12345")
    assert "11位手机号" in texts(messages)
    _answer(domain, slots, "project_contact_phone", "138 1234 5678")
    assert next_slot(domain, "project_form", slots) is None  # form complete
    assert api.projects[101]["contact_phone"] == "13812345678"

    events, messages = run(ActionSubmitProject(), make_tracker("", slots=slots), domain)
    said = texts(messages)
    # the flow the real API derived for the sample factory (tongban/bot_samples.py)
    assert "「恒创智能装备产业园一期」的审批流程已推演完成：共 10 个审批事项，预计总用时约 24 个工作日" in said
    assert "一、立项用地规划许可" in said and "1. 企业投资项目备案（XX经济开发区经济发展局，1个工作日）" in said
    assert "另有 23 项经判断无需办理（如建设项目用地预审与选址意见书核发、" in said
    assert f"指导意见书（初稿，第1版）：{PUBLIC}/api/v1/letters/K7Q2M9X4/pdf" in said
    cleared = slot_events(events)
    assert cleared["project_id"] is None and cleared["last_project_id"] == 101


def test_answer_in_the_wrong_unit_is_asked_again_with_the_reason(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["current_question"] = api._question_out("total_investment", {})
    _, messages = _answer(domain, slots, "indicator_answer", "两万平方米")
    assert "这里需要填写金额" in texts(messages)
    assert slots["indicator_answer"] is None and slots["current_question"]["key"] == "total_investment"
    assert "total_investment" not in api.projects[101]["indicators"]


def test_answer_refused_by_the_api_is_asked_again(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["current_question"] = api._question_out("total_investment", {})
    _, messages = _answer(domain, slots, "indicator_answer", "0")
    assert texts(messages) == "总投资不能为 0，请重新回答。"
    assert slots["indicator_answer"] is None


def _at(api: FakeApi, slots: Dict[str, Any], key: str) -> None:
    slots["current_question"] = api._question_out(key, {})


def _say(domain, slots: Dict[str, Any], slot: str, text: str, intent: str):
    asked = {**slots, "requested_slot": slots.get("requested_slot", slot)}
    tracker = make_tracker(text, intent=intent, slots=asked, set_now={slot: text}, active_loop="project_form")
    events, messages = run(ValidateProjectForm(), tracker, domain)
    slots.update(slot_events(events))
    return messages


def test_question_during_the_intake_is_answered_then_asked_again(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    _at(api, slots, "outdoor_advertising")
    messages = _say(domain, slots, "indicator_answer", "施工许可证要什么材料", "ask_guide")
    assert texts(messages).startswith("【申请建筑工程施工许可证需要哪些材料？】")
    assert slots["indicator_answer"] is None and slots["current_question"]["key"] == "outdoor_advertising"
    assert not [r for r in api.requests if r["method"] == "PATCH"]
    messages = _say(domain, slots, "indicator_answer", "什么是容缺受理", "ask_question")
    assert presents_first("什么是容缺受理", texts(messages))


def test_answer_that_looks_like_a_guide_request_is_taken_as_the_answer(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    _at(api, slots, "outdoor_advertising")
    messages = _say(domain, slots, "indicator_answer", "要设置招牌", "ask_guide")
    assert texts(messages) == "✓ 是否设置户外广告：是"
    assert api.projects[101]["indicators"]["outdoor_advertising"] is True


def test_out_of_scope_during_the_intake(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    messages = _say(domain, slots, "indicator_answer", "今天天气怎么样", "out_of_scope")
    assert messages[0]["response"] == "utter_out_of_scope"
    assert slots["indicator_answer"] is None


def test_question_instead_of_a_project_fact(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["indicator_answer"] = DONE
    messages = _say(domain, slots, "project_credit_code", "容缺受理是什么意思？", "ask_question")
    assert presents_first("容缺受理是什么意思？", texts(messages))
    assert slots["project_credit_code"] is None
    assert "credit_code" not in api.projects[101]


def test_project_name_is_not_saved_again_on_resume(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["requested_slot"] = None
    before = len(api.requests)
    messages = _say(domain, slots, "project_name", "恒创智能装备产业园一期", "resume")
    assert messages == [] and len(api.requests) == before


def test_dont_know_gets_an_explanation(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    _answer(domain, slots, "indicator_answer", "企业投资")
    assert slots["current_question"]["key"] == "in_approval_catalogue"
    _, messages = _answer(domain, slots, "indicator_answer", "不太清楚")
    assert "列入目录的企业投资项目实行核准制" in texts(messages)
    assert slots["indicator_answer"] is None


def test_ask_shows_position_options_and_buttons(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    _, messages = run(ActionAskIndicatorAnswer(), make_tracker("", slots=slots, active_loop="project_form"), domain)
    assert messages[0]["text"].startswith("（第1题）")
    assert "项目由谁投资？" in messages[0]["text"] and "1. 政府投资\n2. 企业投资" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["政府投资", "企业投资"]
    _answer(domain, slots, "indicator_answer", "企业投资")
    _, messages = run(ActionAskIndicatorAnswer(), make_tracker("", slots=slots, active_loop="project_form"), domain)
    assert [b["title"] for b in messages[0]["buttons"]] == ["是", "否"]


def test_ask_fetches_the_question_when_none_is_kept(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["current_question"] = None
    events, messages = run(
        ActionAskIndicatorAnswer(), make_tracker("", slots=slots, active_loop="project_form"), domain
    )
    assert "项目由谁投资？" in texts(messages)
    assert slot_events(events)["current_question"]["key"] == "investor"


def test_number_question_hint(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["current_question"] = api._question_out("energy_tce", {})
    _, messages = run(ActionAskIndicatorAnswer(), make_tracker("", slots=slots, active_loop="project_form"), domain)
    assert "单位：吨标准煤" in texts(messages) and messages[0]["buttons"] == []


def test_correction_during_the_intake(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    for key in ("investor", "in_approval_catalogue", "project_type", "new_land", "land_supply", "total_investment"):
        _answer(domain, slots, "indicator_answer", ANSWERS[key])
    assert api.projects[101]["indicators"]["total_investment"] == 50_000_000
    tracker = make_tracker("刚才投资额说错了，是1.2亿", intent="correct", slots=slots, active_loop="project_form")
    events, messages = run(ActionCorrectAnswer(), tracker, domain)
    assert texts(messages) == f"好的，已把总投资更正为{shown('total_investment', 120_000_000)}。"  # the API's display
    assert api.projects[101]["indicators"]["total_investment"] == 120_000_000
    assert slot_events(events)["current_question"]["key"] == "floor_area"  # the intake goes on where it was


def test_correcting_a_gating_answer_changes_the_questions(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    for key in ("investor", "in_approval_catalogue", "project_type"):
        _answer(domain, slots, "indicator_answer", ANSWERS[key])
    tracker = make_tracker(
        "项目类型选错了，应该是既有建筑装修改造", intent="correct", slots=slots, active_loop="project_form"
    )
    events, messages = run(ActionCorrectAnswer(), tracker, domain)
    assert "已把项目类型更正为既有建筑装修改造" in texts(messages)
    assert slot_events(events)["current_question"]["key"] == "alters_structure_or_facade"


def test_correction_without_a_value_asks_that_question_again(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    _answer(domain, slots, "indicator_answer", "企业投资")
    tracker = make_tracker("投资主体那个答错了", intent="correct", slots=slots, active_loop="project_form")
    events, messages = run(ActionCorrectAnswer(), tracker, domain)
    assert "请重新回答“投资主体”" in texts(messages)
    assert slot_events(events)["current_question"]["key"] == "investor"


def test_correction_of_a_project_fact(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    tracker = make_tracker("联系电话写错了，改成13700001234", intent="correct", slots=slots, active_loop="project_form")
    events, messages = run(ActionCorrectAnswer(), tracker, domain)
    assert "已把联系电话更正为“13700001234”" in texts(messages)
    assert api.projects[101]["contact_phone"] == "13700001234"
    assert slot_events(events) == {"project_contact_phone": "13700001234"}


def test_correction_after_derivation_derives_again(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    while slots.get("indicator_answer") != DONE:
        _answer(domain, slots, "indicator_answer", ANSWERS[slots["current_question"]["key"]])
    api.projects[101].update(
        enterprise_name="苏州恒创科技有限公司",
        credit_code=VALID_CREDIT_CODE,
        location="科技大道88号",
        contact_name="张伟",
        contact_phone="13812345678",
    )
    events, _ = run(ActionSubmitProject(), make_tracker("", slots=slots), domain)
    after = {"last_project_id": 101, "project_name": None, "project_id": None}
    tracker = make_tracker("刚才面积说错了，是3万平方米", intent="correct", slots=after)
    _, messages = run(ActionCorrectAnswer(), tracker, domain)
    assert f"已把总建筑面积更正为{shown('floor_area', 30_000)}" in texts(messages)
    assert "「恒创智能装备产业园一期」的审批流程已推演完成" in texts(messages)
    assert [r["path"] for r in api.requests].count("/api/v1/projects/101/derive") == 2


def test_a_question_naming_a_field_is_answered_not_taken_as_a_correction(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    tracker = make_tracker("容缺受理的信用代码在哪里查？", intent="correct", slots=slots, active_loop="project_form")
    events, messages = run(ActionCorrectAnswer(), tracker, domain)
    assert presents_first("容缺受理的信用代码在哪里查？", texts(messages))
    assert not [r for r in api.requests if r["method"] == "PATCH"]


def test_thanks_during_the_intake_is_not_an_answer(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["indicator_answer"] = DONE
    messages = _say(domain, slots, "project_enterprise_name", "谢谢", "thank")
    assert texts(messages) == "不客气！我们接着来。"
    assert slots["project_enterprise_name"] is None


def test_correction_with_nothing_in_progress(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionCorrectAnswer(), make_tracker("刚才投资额说错了，是1.2亿", intent="correct"), domain)
    assert "没有进行中的报建" in texts(messages)


def test_stop_and_resume(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    _answer(domain, slots, "indicator_answer", "企业投资")
    events, messages = run(
        ActionStopForm(), make_tracker("先暂停", intent="stop", slots=slots, active_loop="project_form"), domain
    )
    assert "报建已暂停" in texts(messages) and "继续报建" in texts(messages)
    assert deactivated(events)
    assert "project_id" not in slot_events(events)  # kept for later
    events, messages = run(ActionStartIntake(), make_tracker("继续报建", intent="resume", slots=slots), domain)
    assert "欢迎回来！我们接着填写「恒创智能装备产业园一期」的报建" in texts(messages)
    assert slot_events(events)["current_question"]["key"] == "in_approval_catalogue"


def test_resume_without_an_intake_starts_a_new_one(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionStartIntake(), make_tracker("继续报建", intent="resume"), domain)
    assert "没有找到未完成的报建" in texts(messages)
    assert "我会先问项目名称" in texts(messages)


def test_stop_cancels_a_query(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker("不查了", intent="stop", slots={"case_no": OPEN}, active_loop="progress_form")
    events, messages = run(ActionStopForm(), tracker, domain)
    assert "已取消" in texts(messages)
    assert slot_events(events)["case_no"] is None


# --- hand-off --------------------------------------------------------------------------------------------------------


def test_handoff_on_request(api: FakeApi, domain: Dict[str, Any]) -> None:
    events, messages = run(ActionHandoff(), make_tracker("转人工", intent="human_handoff"), domain)
    assert "正在为您转接人工客服" in texts(messages)
    assert custom(messages) == [{"handoff": {"reason": "user_request", "last_message": "转人工", "active_loop": None}}]
    assert slot_events(events) == {"failure_count": 0}


def test_handoff_during_intake_pauses_it(api: FakeApi, domain: Dict[str, Any]) -> None:
    tracker = make_tracker("找工作人员", intent="human_handoff", slots={"project_id": 101}, active_loop="project_form")
    events, messages = run(ActionHandoff(), tracker, domain)
    assert custom(messages)[0]["handoff"]["active_loop"] == "project_form"
    assert "填写进度已保存" in texts(messages)
    assert deactivated(events)


def test_a_question_with_many_options_offers_every_option_as_a_button(api: FakeApi, domain: Dict[str, Any]) -> None:
    slots = _start(api, domain)
    slots["current_question"] = api._question_out("industry", {})
    options = list(slots["current_question"]["options"].values())
    assert len(options) > 10  # the industry list (14) was cut to ten buttons
    _, messages = run(ActionAskIndicatorAnswer(), make_tracker("", slots=slots, active_loop="project_form"), domain)
    assert [b["title"] for b in messages[0]["buttons"]] == options
    assert all(f"{n}. {label}" in messages[0]["text"] for n, label in enumerate(options, 1))
