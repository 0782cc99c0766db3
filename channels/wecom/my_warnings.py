"""我的预警 in WeCom chat: a bound member of staff who asks for their warnings gets them listed.

The list is the one ``GET /api/v1/warnings/mine`` returns (core/early_warnings/service.py ``mine``): the same
permission (warning.handle, or warning.manage for those waiting to be closed) and the same data scope, read as the
staff account bound to the member's WeCom UserID. A WeCom passive reply holds 2,048 bytes, so a few warnings are
named with their page's link and the rest counted, with the link to the whole list.
"""

import re
from datetime import date

from sqlalchemy.orm import Session

from core.calendar.service import working_days_between
from core.clock import today
from core.early_warnings import service as warning_service
from core.early_warnings.events import list_url, warning_url
from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import RED, STATE_LABELS
from core.errors import AppError
from core.org.models import User

SHOWN = 5
"""Warnings named one by one in the reply (each with its link); WeCom cuts a passive reply at 2,048 bytes."""
NONE_OPEN = "您目前没有待处理的预警。"
LEVEL_WORDS = {RED: "红"}

_ASKING = re.compile(
    r"^(查看|查询|看看|看一下)?(我的|我)?(有哪些|有什么)?(待签收|待处理|待办|未处理)?的?预警(信息|列表|情况)?(有哪些|有什么|呢|吗)?$"
)
_PUNCTUATION = re.compile(r"[\s，。,.!！?？~～:：]+")
_SITUATIONS = ("剩余", "今日到期", "已逾期")


def is_asking(text: str) -> bool:
    """True for a message asking for one's warnings: 我的预警, 我的预警有哪些, 预警, 待签收预警, 查看我的预警 …"""
    return _ASKING.match(_PUNCTUATION.sub("", text)) is not None


def _subject(warning: EarlyWarning) -> str:
    """The warning's subject without the situation its title was raised with (the reply says today's)."""
    head, sep, tail = warning.title.rpartition("：")
    return head if sep and tail.startswith(_SITUATIONS) else warning.title


def days_left(due_on: date, on: date) -> str:
    """Today's situation in working days (剩余 2 个工作日, 今日到期, 已逾期 3 个工作日), across 调休 and holidays."""
    if on > due_on:
        late = working_days_between(due_on, on)
        return f"已逾期 {late} 个工作日" if late else "已逾期"
    if on == due_on:
        return "今日到期"
    left = working_days_between(on, due_on)
    return f"剩余 {left} 个工作日" if left else "今日到期"


def _line(number: int, warning: EarlyWarning, on: date) -> str:
    level = LEVEL_WORDS.get(warning.level, "黄")
    state = STATE_LABELS.get(warning.state, warning.state)
    return (
        f"{number}.【{level}】{_subject(warning)}\n"
        f"{warning.department.name}，到期 {warning.due_on:%Y-%m-%d}，{days_left(warning.due_on, on)}，{state}\n"
        f"{warning_url(warning.id)}"
    )


def reply(db: Session, user: User) -> str:
    """The member's open warnings, most urgent first, or why there are none for them."""
    try:
        found = warning_service.mine(db, user)
    except AppError as refused:
        return f"{refused.message}。"
    if not found:
        return NONE_OPEN
    on = today()
    red = sum(1 for w in found if w.level == RED)
    head = f"您有 {len(found)} 条待处理的预警（红色 {red} 条，黄色 {len(found) - red} 条）："
    lines = [_line(n, w, on) for n, w in enumerate(found[:SHOWN], start=1)]
    if len(found) > SHOWN:
        lines.append(f"……另有 {len(found) - SHOWN} 条，全部预警：{list_url('?state=live')}")
    return head + "\n" + "\n".join(lines)
