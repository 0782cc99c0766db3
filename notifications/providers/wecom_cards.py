"""WeCom template cards for a case waiting for its decision (决定), and the states a card is updated to.

A decision card is a ``button_interaction`` template card: the case in a few lines, the opinion so far, a
link to the case page in the admin site, and the buttons 同意 / 不同意 / 退回. After a click the card is
updated (with the click's response code) to one of the states below; the buttons then become a grey label.

WeCom shows only so much of each field (WECHAT.md; the template card reference): every text here is cut to
the length WeCom recommends, so nothing important disappears behind its own cut.
"""

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from core.db import get_sessionmaker
from core.org.models import Department

CARD_TYPE = "button_interaction"
SOURCE = "通办 · 办件决定"

TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
"""WeCom's rule for a card's task id: unique per app, these characters, at most 128 bytes."""

MAX_BUTTONS = 6
# Lengths WeCom recommends (characters), beyond which the client cuts the text itself.
SOURCE_DESC_CHARS = 13
TITLE_CHARS = 26
TITLE_DESC_CHARS = 30
SUB_TITLE_CHARS = 112
KEY_NAME_CHARS = 5
VALUE_CHARS = 26
MAX_ROWS = 6
JUMP_TITLE_CHARS = 13
QUOTE_TITLE_CHARS = 13
QUOTE_TEXT_CHARS = 60
BUTTON_TEXT_CHARS = 10
REPLACE_TEXT_CHARS = 10


class Choice(StrEnum):
    """A button on the decision card; the value is the button's key, sent back in the click's EventKey."""

    AGREE = "agree"
    DISAGREE = "disagree"
    RETURN = "return"


CHOICE_LABELS = {Choice.AGREE: "同意", Choice.DISAGREE: "不同意", Choice.RETURN: "退回"}
_BUTTON_STYLES = {Choice.AGREE: 1, Choice.DISAGREE: 3, Choice.RETURN: 2}  # blue, red, grey
OUTCOME_LABELS = {Choice.AGREE: "已同意", Choice.DISAGREE: "已决定不同意", Choice.RETURN: "已退回审查"}


def cut(text: str, limit: int) -> str:
    """The text within ``limit`` characters, marked with an ellipsis where it was cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def task_id(case_id: int, event_id: int, user_id: int) -> str:
    """The task id of the card that asks one member of staff to decide one case, for one announcement."""
    return f"c{case_id}-e{event_id}-u{user_id}"


def _check_task_id(value: str) -> str:
    if not TASK_ID.match(value) or len(value.encode()) > 128:
        raise ValueError(f"企业微信卡片的 task_id 不合规（只能含字母、数字和 _-@，不超过128字节）：{value!r}")
    return value


def _department_name(data: dict[str, Any]) -> str:
    """The handling department's name: from the facts when they carry it, else looked up by its id."""
    name = data.get("department_name")
    if isinstance(name, str) and name:
        return name
    department_id = data.get("department_id")
    if not isinstance(department_id, int):
        return ""
    session: Session = get_sessionmaker()()
    try:
        department = session.get(Department, department_id)
        return department.name if department is not None else ""
    finally:
        session.close()


def _promised(data: dict[str, Any]) -> str:
    value = data.get("due_at")
    if not isinstance(value, str) or not value:
        return "未计时"
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d")
    except ValueError:
        return value[:10]


def _row(key: str, value: str) -> dict[str, Any]:
    return {"keyname": cut(key, KEY_NAME_CHARS), "value": cut(value or "—", VALUE_CHARS)}


def _body(data: dict[str, Any], task: str) -> dict[str, Any]:
    """What every state of the card shows: the case, the opinion so far and the link to the case page."""
    item = str(data.get("item_name") or "办件")
    rows = [
        _row("办件编号", str(data.get("case_no") or "")),
        _row("申请人", str(data.get("applicant_name") or "")),
        _row("办理事项", item),
        _row("办理部门", _department_name(data)),
        _row("承诺办结", _promised(data)),
    ]
    if data.get("project_name"):
        rows.append(_row("项目名称", str(data["project_name"])))
    card: dict[str, Any] = {
        "card_type": CARD_TYPE,
        "source": {"desc": cut(SOURCE, SOURCE_DESC_CHARS), "desc_color": 0},
        "main_title": {
            "title": cut(f"待决定：{item}", TITLE_CHARS),
            "desc": cut(f"办件 {data.get('case_no') or ''}", TITLE_DESC_CHARS),
        },
        "horizontal_content_list": rows[:MAX_ROWS],
        "task_id": _check_task_id(task),
    }
    opinion = str(data.get("opinion_so_far") or "").strip()
    if opinion:
        card["quote_area"] = {
            "type": 0,
            "title": cut("已有意见", QUOTE_TITLE_CHARS),
            "quote_text": cut(opinion, QUOTE_TEXT_CHARS),
        }
    url = str(data.get("materials_url") or data.get("url") or "")
    if url:
        card["jump_list"] = [{"type": 1, "title": cut("查看材料和办理页面", JUMP_TITLE_CHARS), "url": url}]
        card["card_action"] = {"type": 1, "url": url}
    return card


def _buttons() -> list[dict[str, Any]]:
    buttons = [
        {"text": cut(CHOICE_LABELS[c], BUTTON_TEXT_CHARS), "style": _BUTTON_STYLES[c], "key": c.value} for c in Choice
    ]
    return buttons[:MAX_BUTTONS]


def decision_card(data: dict[str, Any], task_id: str) -> dict[str, Any]:
    """The ``template_card`` asking to decide a case, from the facts of its ``case.decision_needed`` event."""
    card = _body(data, task_id)
    card["sub_title_text"] = cut("审查已完成，请决定。选择“不同意”或“退回”后请回复意见。", SUB_TITLE_CHARS)
    card["button_list"] = _buttons()
    return card


def _updated(data: dict[str, Any], task: str, text: str, label: str) -> dict[str, Any]:
    """The card after a click: the same facts, what happened, and the buttons replaced by a grey label."""
    card = _body(data, task)
    card["sub_title_text"] = cut(text, SUB_TITLE_CHARS)
    card["button_list"] = _buttons()  # WeCom wants the list; replace_text greys it out
    card["replace_text"] = cut(label, REPLACE_TEXT_CHARS)
    return card


def _when(at: datetime) -> str:
    return at.strftime("%m-%d %H:%M")


def decided_card(
    data: dict[str, Any], task: str, choice: Choice, who: str, at: datetime, opinion: str
) -> dict[str, Any]:
    """The card once the decision was taken: the outcome, by whom and when, with the opinion."""
    text = f"{who} 于 {_when(at)} {OUTCOME_LABELS[choice]}。意见：{opinion}"
    return _updated(data, task, text, OUTCOME_LABELS[choice])


def opinion_needed_card(data: dict[str, Any], task: str, choice: Choice, minutes: int) -> dict[str, Any]:
    """The card after 不同意 or 退回: the member is to reply with the opinion (or use the form in the admin site)."""
    text = (
        f"“{CHOICE_LABELS[choice]}”需要填写意见：请在{minutes}分钟内直接回复意见文字，"
        "或点击“查看材料和办理页面”在网页上办理。回复“取消”可放弃。"
    )
    return _updated(data, task, text, "请回复意见")


def stale_card(data: dict[str, Any], task: str, reason: str) -> dict[str, Any]:
    """The card when it no longer applies (already decided, returned, concluded, deleted, or too old)."""
    return _updated(data, task, f"此卡片已失效，未作任何处理：{reason}", "已失效")


def refused_card(data: dict[str, Any], task: str, reason: str) -> dict[str, Any]:
    """The card when the member may not decide this case (other department, no permission, not bound)."""
    return _updated(data, task, f"未办理：{reason}", "无权办理")
