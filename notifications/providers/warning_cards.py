"""WeCom template cards for a new warning (项目预警), with a 签收 button, and the states a card is updated to.

A warning card is a ``button_interaction`` template card like the decision cards (wecom_cards.py): the warning
in a few lines, a link to its page in the admin site, and one button, 签收. After a click the card is updated
(with the click's response code) to say who signed and when, or why nothing was done; the button then becomes
a grey label. Texts are cut to the lengths WeCom recommends.
"""

import re
from typing import Any

from notifications.providers.wecom_cards import (
    BUTTON_TEXT_CHARS,
    CARD_TYPE,
    JUMP_TITLE_CHARS,
    KEY_NAME_CHARS,
    MAX_ROWS,
    REPLACE_TEXT_CHARS,
    SOURCE_DESC_CHARS,
    SUB_TITLE_CHARS,
    TASK_ID,
    TITLE_CHARS,
    TITLE_DESC_CHARS,
    VALUE_CHARS,
    cut,
)

SOURCE = "通办 · 项目预警"
SIGN = "sign"
"""The 签收 button's key, sent back in the click's EventKey."""
_TASK = re.compile(r"^w(\d{1,18})-e(\d{1,18})-u(\d{1,18})$")


def task_id(warning_id: int, event_id: int, user_id: int) -> str:
    """The task id of the card that asks one member of staff to sign for one warning, for one announcement."""
    value = f"w{warning_id}-e{event_id}-u{user_id}"
    if not TASK_ID.match(value):
        raise ValueError(f"企业微信卡片的 task_id 不合规：{value!r}")
    return value


def parse_task_id(value: str) -> tuple[int, int, int] | None:
    """The warning, event and addressee a warning card's task id names; None for any other card."""
    found = _TASK.match(value)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def _row(key: str, value: str) -> dict[str, Any]:
    return {"keyname": cut(key, KEY_NAME_CHARS), "value": cut(value or "—", VALUE_CHARS)}


def _body(data: dict[str, Any], task: str) -> dict[str, Any]:
    """What every state of the card shows: the warning and the link to its page."""
    rows = [
        _row("预警级别", str(data.get("level_label") or "")),
        _row("预警对象", str(data.get("subject_label") or "")),
        _row("责任部门", str(data.get("department_name") or "")),
        _row("到期日期", str(data.get("due_on") or "")),
    ]
    if data.get("project_name"):
        rows.append(_row("所属项目", str(data["project_name"])))
    if data.get("situation"):
        rows.append(_row("当前情况", str(data["situation"])))
    card: dict[str, Any] = {
        "card_type": CARD_TYPE,
        "source": {"desc": cut(SOURCE, SOURCE_DESC_CHARS), "desc_color": 2 if data.get("level") == "red" else 0},
        "main_title": {
            "title": cut(str(data.get("title") or "项目预警"), TITLE_CHARS),
            "desc": cut(f"{data.get('level_label') or '预警'} · {data.get('department_name') or ''}", TITLE_DESC_CHARS),
        },
        "horizontal_content_list": rows[:MAX_ROWS],
        "task_id": task,
    }
    url = str(data.get("url") or "")
    if url:
        card["jump_list"] = [{"type": 1, "title": cut("查看预警并填报处理", JUMP_TITLE_CHARS), "url": url}]
        card["card_action"] = {"type": 1, "url": url}
    return card


def _button() -> list[dict[str, Any]]:
    return [{"text": cut("签收", BUTTON_TEXT_CHARS), "style": 1, "key": SIGN}]


def warning_card(data: dict[str, Any], task: str) -> dict[str, Any]:
    """The ``template_card`` of a new warning, from the facts of its ``warning.raised`` event."""
    card = _body(data, task)
    card["sub_title_text"] = cut("请签收。签收后请在管理后台填报原因、措施和承诺完成日期。", SUB_TITLE_CHARS)
    card["button_list"] = _button()
    return card


def _updated(data: dict[str, Any], task: str, text: str, label: str) -> dict[str, Any]:
    card = _body(data, task)
    card["sub_title_text"] = cut(text, SUB_TITLE_CHARS)
    card["button_list"] = _button()  # WeCom wants the list; replace_text greys it out
    card["replace_text"] = cut(label, REPLACE_TEXT_CHARS)
    return card


def signed_card(data: dict[str, Any], task: str, who: str, when: str) -> dict[str, Any]:
    """The card once signed for: by whom and when, and what comes next."""
    return _updated(data, task, f"{who} 于 {when} 已签收。请在管理后台填报原因、措施和承诺完成日期。", "已签收")


def stale_card(data: dict[str, Any], task: str, reason: str) -> dict[str, Any]:
    """The card when it no longer applies (signed already, closed, ended by itself, deleted)."""
    return _updated(data, task, f"此卡片已失效，未作任何处理：{reason}", "已失效")


def refused_card(data: dict[str, Any], task: str, reason: str) -> dict[str, Any]:
    """The card when the member may not sign (not bound, no permission, another department)."""
    return _updated(data, task, f"未签收：{reason}", "无权签收")
