"""Search first, before a flow the NLU chose for a question (issue 15, actions/guards.py), on answers captured from
the real API (tongban/bot_samples.py SEARCH_QUERIES): a service question taken for a progress query, a yes/no
question about one requirement taken for the start of an intake, and a question taken for a hand-off are answered
from the knowledge base; the user's own requests still start their flows."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker

from actions.cases import ActionQueryProgress, ValidateProgressForm
from actions.guards import BOOKING_WORDS, asks_instead
from actions.guidance import ActionGuidance
from actions.handoff import ActionHandoff
from actions.intake import ActionStartIntake, ActionStopForm, asks_one_requirement
from conftest import make_tracker, run, texts
from fake_api import SEARCHES, FakeApi


def test_a_service_question_taken_for_a_progress_query_is_answered_and_the_form_ends(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    question = "排水许可几天能办好"
    assert SEARCHES[question]["answered"] and SEARCHES[question]["clear"]
    events, messages = run(ValidateProgressForm(), make_tracker(question, intent="query_progress"), domain)
    said = texts(messages)
    assert said.startswith("【城市排水许可证多久能办好？】\n") and "办件编号" not in said
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events
    assert any(e.get("event") == "followup" and e.get("name") == "action_listen" for e in events)
    # the action the form's rule runs next has nothing more to say
    after = Tracker.from_dict(
        {
            "sender_id": "wechat:oyORnuTest0001",
            "slots": {},
            "latest_message": {"text": question, "intent": {"name": "query_progress"}},
            "events": [{"event": "user", "text": question}, {"event": "bot", "text": said}],
            "active_loop": {},
        }
    )
    _, more = run(ActionQueryProgress(), after, domain)
    assert more == []


def test_a_progress_request_still_starts_the_form_without_searching(api: FakeApi, domain: Dict[str, Any]) -> None:
    for request in ("我想查下办件进度", "帮我查一下办件", "审批到哪个环节了"):
        _, messages = run(ValidateProgressForm(), make_tracker(request, intent="query_progress"), domain)
        assert not texts(messages) and api.requests == [], request


def test_a_yes_or_no_question_about_one_requirement_is_answered_not_taken_for_an_intake(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    question = "新建住宅要不要配建人防地下室"  # 新建 reads like a project, but it asks one thing
    assert asks_one_requirement(question)
    events, messages = run(ActionStartIntake(), make_tracker(question, intent="start_project_intake"), domain)
    said = texts(messages)
    assert said.startswith("【哪些建设项目需要修建防空地下室？】\n") and "项目名称" not in said
    assert events[-1].get("event") == "followup" and events[-1].get("name") == "action_listen"


def test_intake_requests_are_not_taken_for_single_questions() -> None:
    for request in ("公司准备盖新车间，报建找你们吗", "我要报建一栋研发楼", "新建厂房要走哪些审批", "帮我们梳理下报建流程"):
        assert not asks_one_requirement(request), request


def test_a_question_taken_for_a_handoff_that_the_search_answers_clearly_is_answered(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    question = "农用地转建设用地谁批"  # no item named, but the article is clearly first
    assert SEARCHES[question]["recognised_item"] is None and SEARCHES[question]["clear"]
    _, messages = run(ActionHandoff(), make_tracker(question, intent="human_handoff"), domain)
    assert texts(messages).startswith("【《中华人民共和国土地管理法》第四十四条】\n")
    assert not [m for m in messages if m.get("custom")]


def test_what_reads_as_a_question_rather_than_a_request() -> None:
    assert asks_instead("排水许可几天能办好") and asks_instead("帮办代办收不收费")
    assert not asks_instead("我的办件到哪了") and not asks_instead("帮我查一下KF202611260017")
    assert not asks_instead("查询办件进度")


def test_a_question_taken_for_stop_with_nothing_to_stop_is_answered(api: FakeApi, domain: Dict[str, Any]) -> None:
    question = "营业执照原件弄丢了咋办"  # the NLU heard 算了 in 弄丢了
    _, messages = run(ActionStopForm(), make_tracker(question, intent="stop"), domain)
    assert texts(messages).startswith("【证照丢了怎么办？】\n")
    _, messages = run(ActionStopForm(), make_tracker("算了", intent="stop"), domain)
    assert texts(messages) == "好的。还有什么可以帮您？"


def test_asking_whether_a_visit_must_be_booked_is_answered_not_booked(api: FakeApi, domain: Dict[str, Any]) -> None:
    question = "去办事要不要先预约"
    _, messages = run(ActionGuidance(), make_tracker(question, intent="book_guidance"), domain)
    assert texts(messages).startswith("【办事需要提前预约吗，怎么预约？】\n")
    for whether in ("需要提前预约吗", "办事需不需要预约", "用不用先预约"):
        assert not BOOKING_WORDS.search(whether), whether
    for booking in ("预约帮办 施工许可", "怎么预约帮办", "帮我约个时间", "我想预约"):
        assert BOOKING_WORDS.search(booking), booking


def test_a_yes_or_no_question_naming_one_approval_of_a_project_is_answered_even_with_bao_jian(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    question = "报建仓库要办消防设计审查吗"  # 报建 reads like an intake, but it asks about one approval it names
    assert SEARCHES[question]["recognised_item"] is not None
    events, messages = run(ActionStartIntake(), make_tracker(question, intent="start_project_intake"), domain)
    assert texts(messages).startswith("【哪些工程需要做消防设计审查，普通工程需要吗？】\n")
    assert events[-1].get("event") == "followup" and events[-1].get("name") == "action_listen"
    # no approval named: the intake it asks about starts
    question = "新建厂房报建找你们吗"
    assert SEARCHES[question]["recognised_item"] is None
    _, messages = run(ActionStartIntake(), make_tracker(question, intent="start_project_intake"), domain)
    assert "项目名称" in texts(messages)


def test_a_finished_building_is_answered_from_the_knowledge_base_not_an_intake(
    api: FakeApi, domain: Dict[str, Any]
) -> None:
    question = "车间建好了要办不动产证 怎么弄"  # 建…车间 reads like a project, but it is built already
    events, messages = run(ActionStartIntake(), make_tracker(question, intent="start_project_intake"), domain)
    said = texts(messages)
    assert "项目名称" not in said and "不动产登记" in said
    assert events[-1].get("event") == "followup" and events[-1].get("name") == "action_listen"
