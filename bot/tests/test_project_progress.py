"""我的项目到哪一步了 (action_my_project_progress) against the fake /api/v1, which serves what the real API answered
the sample filers (tongban/bot_project_samples.py): one tracked project, several, none."""

from __future__ import annotations

from typing import Any, Dict

from actions.intake import ValidateProjectForm
from actions.projects import (
    CHOOSE_PREFIX,
    MAX_CHARS,
    NO_IDENTITY,
    NONE_YET,
    UNAVAILABLE,
    ActionMyProjectProgress,
    named_project,
    split_messages,
)
from conftest import PUBLIC, make_tracker, run, slot_events, texts
from fake_api import FILERS, MY_PROJECTS, FakeApi

ONE, SEVERAL, NONE = FILERS["one"], FILERS["several"], FILERS["none"]


def ask(domain: Dict[str, Any], text: str, sender: str, **slots: Any) -> tuple:
    tracker = make_tracker(text, sender=sender, intent="ask_project_progress", slots=slots)
    return run(ActionMyProjectProgress(), tracker, domain)


def test_one_project_its_stage_nodes_next_step_and_what_is_late(api: FakeApi, domain: Dict[str, Any]) -> None:
    events, messages = ask(domain, "厂房项目现在办到哪了", ONE)
    said = texts(messages)
    assert said.startswith("「恒创精密零部件生产基地」（重大项目 ZD2026-001）\n目前处于审批阶段，审批节点已完成 2/10（20%）。")
    assert "一对一帮办专员：陈专员。" in said
    assert "已完成：企业投资项目备案（2026年11月16日）；建设用地规划许可证核发（2026年11月25日，晚于计划）。" in said
    assert (
        "正在办理：\n· 建设项目环境影响报告书（表）审批（XX市生态环境局经济开发区分局，计划2026年11月30日完成，已超期）"
    ) in said
    assert (
        "下一步可以办理：\n· 国有建设用地使用权首次登记（XX市不动产登记中心经济开发区分中心，计划2026年12月2日完成）\n"
        "· 建设工程规划许可证核发（XX市自然资源和规划局经济开发区分局，计划2026年12月2日完成）"
    ) in said
    assert "之后还有 5 个审批节点，待前置审批完成后依次办理。" in said
    assert (
        "超期提醒：1 个节点已过计划完成日期（建设项目环境影响报告书（表）审批），如需协调，可联系帮办专员陈专员。" in said
    )
    assert "下一个里程碑：开工（计划2026年12月31日）。" in said
    assert said.endswith(f"报建：部门已确认。\n指导意见书正式版（第2版）：{PUBLIC}/api/v1/letters/P3K8M2R6/pdf")
    assert all(len(m["text"]) <= MAX_CHARS for m in messages)
    assert events == []
    [request] = api.requests
    assert (request["method"], request["path"]) == ("GET", "/api/v1/my/projects")
    assert request["headers"]["x-channel-user"] == ONE


def test_several_projects_a_short_list_to_pick_from(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = ask(domain, "我的项目到哪一步了", SEVERAL)
    [message] = messages
    assert message["text"] == (
        "您有 3 个报建项目：\n"
        "1. 恒创员工宿舍楼（报建状态：填报中）\n"
        "2. 恒创研发中心（报建状态：部门审核中）\n"
        "3. 恒创智能装备产业园二期（审批阶段，审批节点完成 1/10，1 项超期）\n"
        "想看哪一个的进度？请点选，或直接说项目名称。"
    )
    assert [b["payload"] for b in message["buttons"]] == [
        CHOOSE_PREFIX + name for name in ("恒创员工宿舍楼", "恒创研发中心", "恒创智能装备产业园二期")
    ]


def test_a_project_picked_from_the_list_or_named_in_the_question(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = ask(domain, CHOOSE_PREFIX + "恒创研发中心", SEVERAL)
    said = texts(messages)
    assert said.startswith("「恒创研发中心」（项目编号 XM")
    assert "报建状态：部门审核中。" in said and f"指导意见书初稿（第1版）：{PUBLIC}/api/v1/letters/" in said
    assert "下一步：等待XX经济开发区经济发展局、XX市自然资源和规划局经济开发区分局" in said
    assert "全部确认后出具正式版指导意见书。" in said

    _, messages = ask(domain, "二期到哪一步了", SEVERAL)
    said = texts(messages)
    assert said.startswith("「恒创智能装备产业园二期」（重大项目 ZD2026-002）")
    assert "正在办理：\n· 建设用地规划许可证核发（XX市自然资源和规划局经济开发区分局，计划2026年11月30日完成，已超期）" in said
    assert "· 建设项目环境影响报告书（表）审批（XX市生态环境局经济开发区分局，计划2026年12月7日完成）" in said
    assert "下一步可以办理" not in said  # 工程规划许可 waits for 用地规划许可
    assert "下一个里程碑" not in said  # none set


def test_a_draft_picked_can_be_resumed(api: FakeApi, domain: Dict[str, Any]) -> None:
    draft = next(p for p in MY_PROJECTS["several"]["answer"] if p["status"] == "draft")
    events, messages = ask(domain, "员工宿舍楼的报建进展", SEVERAL)
    assert "报建状态：填报中。" in texts(messages) and "回复“继续报建”即可" in texts(messages)
    assert slot_events(events) == {"project_id": draft["id"], "project_name": "恒创员工宿舍楼"}
    # while another intake is in progress, that one is not replaced
    events, messages = ask(domain, "员工宿舍楼的报建进展", SEVERAL, project_id=7, project_name="别的项目")
    assert events == [] and "您当前还有一个报建未完成" in texts(messages)


def test_no_project_offers_the_intake(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = ask(domain, "项目审批进展怎么样", NONE)
    [message] = messages
    assert message["text"] == NONE_YET
    assert [b["payload"] for b in message["buttons"]] == ["我要报建"]


def test_without_a_channel_user_or_an_api_the_bot_says_so(api: FakeApi, domain: Dict[str, Any]) -> None:
    _, messages = ask(domain, "我的项目到哪一步了", "default")
    assert texts(messages) == NO_IDENTITY and api.requests == []
    api.down = True
    _, messages = ask(domain, "我的项目到哪一步了", ONE)
    assert texts(messages) == UNAVAILABLE


def in_intake(domain: Dict[str, Any], text: str, intent: str, slots: Dict[str, Any]) -> tuple:
    asked = {**slots, "requested_slot": "project_name"}
    tracker = make_tracker(
        text, sender=ONE, intent=intent, slots=asked, set_now={"project_name": text}, active_loop="project_form"
    )
    return run(ValidateProjectForm(), tracker, domain)


def test_asked_in_the_intake_it_is_answered_and_the_intake_goes_on(api: FakeApi, domain: Dict[str, Any]) -> None:
    events, messages = in_intake(domain, "对了，我们上个项目审批进展怎么样了", "ask_project_progress", {})
    assert texts(messages).startswith("「恒创精密零部件生产基地」（重大项目 ZD2026-001）")
    assert slot_events(events) == {"project_name": None}  # the form asks for the name again
    assert [r["method"] for r in api.requests] == ["GET"]
    # a bare project name classified as the question is the answer it reads as
    events, messages = in_intake(domain, "新能源电池产业园二期", "ask_project_progress", {})
    assert "已为「新能源电池产业园二期」建立报建草稿" in texts(messages)
    assert slot_events(events)["project_name"] == "新能源电池产业园二期"


def test_which_project_a_message_names() -> None:
    projects = MY_PROJECTS["several"]["answer"]
    names = {p["name"]: p for p in projects}
    assert named_project(projects, "恒创研发中心的进度") is names["恒创研发中心"]
    assert named_project(projects, "研发中心审批到哪了") is names["恒创研发中心"]
    assert named_project(projects, f"{names['恒创员工宿舍楼']['code']}到哪一步了") is names["恒创员工宿舍楼"]
    assert named_project(projects, "厂房项目现在办到哪了") is None  # names none of them
    assert named_project(projects, "恒创的项目怎么样了") is None  # all three share 恒创: not one of them


def test_long_answers_are_split_between_sentences() -> None:
    lines = ["第一行。"] + ["这是一个很长的句子，说明审批节点的情况。" * 3] * 30
    messages = split_messages(lines, limit=100)
    assert all(len(m) <= 100 for m in messages)
    assert "\n".join(messages).replace("\n", "") == "".join(lines)
    assert all(m.endswith("。") for m in messages)  # each message ends where a sentence or line ends


def test_the_domain_wires_the_question_to_the_action(domain: Dict[str, Any]) -> None:
    assert "ask_project_progress" in domain["intents"] and "action_my_project_progress" in domain["actions"]
    # the case forms never take the question as their answer (rules stop them and answer instead); in the intake
    # its validation decides (a bare project name is an answer, a question is answered and asked again)
    forms = domain["forms"]
    for form in ("progress_form", "bind_form", "rating_form"):
        assert "ask_project_progress" in forms[form]["ignored_intents"]
    assert "ask_project_progress" not in forms["project_form"]["ignored_intents"]
