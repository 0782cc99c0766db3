"""The decision card shows what a decider needs and stays within WeCom's limits (WECHAT.md)."""

import pytest

from notifications.providers import wecom_cards as cards

FACTS = {
    "case_id": 12,
    "case_no": "XK202611270001",
    "item_name": "占用、挖掘城市道路审批",
    "department_id": None,
    "department_name": "城市管理局",
    "applicant_name": "孙*民",
    "project_name": "绿地大道管线迁改工程",
    "due_at": "2026-12-03T17:00",
    "url": "http://127.0.0.1:8000/progress?case_no=XK202611270001",
    "opinion_so_far": "符合许可条件",
    "step": "decide",
    "materials_url": "http://127.0.0.1:8000/admin/cases/12",
}


def test_the_decision_card_shows_the_case_the_opinion_so_far_a_link_and_three_buttons() -> None:
    card = cards.decision_card(FACTS, cards.task_id(12, 34, 5))
    assert card["card_type"] == "button_interaction" and card["task_id"] == "c12-e34-u5"
    assert card["main_title"]["title"] == "待决定：占用、挖掘城市道路审批"
    rows = {row["keyname"]: row["value"] for row in card["horizontal_content_list"]}
    assert rows == {
        "办件编号": "XK202611270001",
        "申请人": "孙*民",
        "办理事项": "占用、挖掘城市道路审批",
        "办理部门": "城市管理局",
        "承诺办结": "2026-12-03",
        "项目名称": "绿地大道管线迁改工程",
    }
    assert card["quote_area"]["quote_text"] == "符合许可条件"
    assert card["jump_list"][0]["url"] == FACTS["materials_url"]
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [
        ("同意", "agree"),
        ("不同意", "disagree"),
        ("退回", "return"),
    ]


def test_long_texts_are_cut_to_what_wecom_shows() -> None:
    facts = FACTS | {"item_name": "建" * 80, "opinion_so_far": "意" * 300, "project_name": "项" * 60}
    card = cards.decision_card(facts, "c1-e2-u3")
    assert len(card["main_title"]["title"]) <= cards.TITLE_CHARS and card["main_title"]["title"].endswith("…")
    assert len(card["quote_area"]["quote_text"]) <= cards.QUOTE_TEXT_CHARS
    assert all(len(row["value"]) <= cards.VALUE_CHARS for row in card["horizontal_content_list"])
    assert all(len(row["keyname"]) <= cards.KEY_NAME_CHARS for row in card["horizontal_content_list"])
    assert len(card["horizontal_content_list"]) <= cards.MAX_ROWS and len(card["button_list"]) <= cards.MAX_BUTTONS
    assert len(card["sub_title_text"]) <= cards.SUB_TITLE_CHARS


@pytest.mark.parametrize("task", ["", "c1 e2", "c1/e2", "卡片1", "x" * 129])
def test_a_task_id_wecom_would_refuse_is_caught_before_sending(task: str) -> None:
    with pytest.raises(ValueError, match="task_id"):
        cards.decision_card(FACTS, task)


def test_every_updated_state_greys_the_buttons_and_keeps_the_case() -> None:
    from datetime import datetime

    states = [
        cards.decided_card(FACTS, "c1-e2-u3", cards.Choice.AGREE, "李审批", datetime(2026, 11, 27, 10, 5), "同意"),
        cards.opinion_needed_card(FACTS, "c1-e2-u3", cards.Choice.RETURN, 30),
        cards.stale_card(FACTS, "c1-e2-u3", "该办件已办结"),
        cards.refused_card(FACTS, "c1-e2-u3", "该办件不属于您所在部门，您不能办理"),
    ]
    assert [s["replace_text"] for s in states] == ["已同意", "请回复意见", "已失效", "无权办理"]
    assert states[0]["sub_title_text"] == "李审批 于 11-27 10:05 已同意。意见：同意"
    for state in states:
        assert state["horizontal_content_list"][0]["value"] == "XK202611270001"
        assert len(state["replace_text"]) <= cards.REPLACE_TEXT_CHARS
