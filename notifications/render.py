"""What each event says, per channel: the in-site message, the WeCom text card or decision card, and the
Official Account template message.

Texts are written from the event's facts (core/cases/events.py and the dual push put masked names, never ID
numbers, into them). WeCom shows a text card's title up to 128 and its description up to 512 characters;
an Official Account template message shows about 20 characters of each field (WECHAT.md), so every field
value is cut to 20 here.

Official Account templates are chosen in the account's back office; ``settings.wechat_templates`` maps an
event kind to the template id. The field keys below are those of the templates to choose (one per kind):

- ``case.accepted`` 受理通知: character_string1 办件编号, thing2 办理事项, phrase3 办理状态, time4 承诺办结时间
- ``case.supplement_requested`` 补正通知: character_string1 办件编号, thing2 办理事项, thing3 补正原因, thing4 需补材料
- ``case.concluded`` 办结通知: character_string1 办件编号, thing2 办理事项, phrase3 办理结果, time4 办结时间
- ``case.rating_invited`` 评价邀请: character_string1 办件编号, thing2 办理事项, thing3 温馨提示
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.settings import get_settings
from notifications.providers.wecom_cards import decision_card

TEXTCARD_TITLE_CHARS = 128
TEXTCARD_DESCRIPTION_CHARS = 512
TEMPLATE_FIELD_CHARS = 20
INBOX_TITLE_CHARS = 200

Facts = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """A notification in plain words: what the inbox shows and what the channel messages are made of."""

    title: str
    body: str
    link: str


def cut(text: str, limit: int) -> str:
    """The text within ``limit`` characters, an ellipsis marking the cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value: Any) -> str:
    """An ISO time from the facts as 2026-09-24 10:00 (or as given when it is not one)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _day(value: Any) -> str:
    return _when(value)[:10]


def _s(data: Facts, key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None or value == "" else str(value)


def _admin_link(path: str) -> str:
    return get_settings().site_url(path)


def _case_line(data: Facts) -> str:
    return f"办件编号：{_s(data, 'case_no')}\n办理事项：{_s(data, 'item_name')}"


def _accepted(data: Facts) -> Message:
    due = _day(data.get("due_at"))
    promise = f"，承诺于 {due} 前办结" if due else ""
    opinion = _s(data, "opinion")
    body = f"您申请的“{_s(data, 'item_name')}”已受理{promise}。\n{_case_line(data)}"
    if opinion:
        body += f"\n受理意见：{opinion}"
    return Message(f"办件已受理：{_s(data, 'item_name')}", body, _s(data, "url"))


def _supplement(data: Facts) -> Message:
    materials = "、".join(str(m) for m in data.get("materials") or []) or "见补正告知书"
    body = (
        f"您申请的“{_s(data, 'item_name')}”需要补正材料。\n{_case_line(data)}\n"
        f"补正原因：{_s(data, 'reason', '见补正告知书')}\n需补材料：{materials}"
    )
    return Message(f"需补正材料：{_s(data, 'item_name')}", body, _s(data, "url"))


def _concluded(data: Facts) -> Message:
    result = _s(data, "result_label", "已办结")
    body = f"您申请的“{_s(data, 'item_name')}”已办结，结果：{result}。\n{_case_line(data)}"
    if data.get("concluded_at"):
        body += f"\n办结时间：{_when(data.get('concluded_at'))}"
    if data.get("reason"):
        body += f"\n说明：{_s(data, 'reason')}"
    return Message(f"办件已办结：{_s(data, 'item_name')}", body, _s(data, "url"))


def _rating(data: Facts) -> Message:
    body = (
        f"您申请的“{_s(data, 'item_name')}”已办结，请对本次服务作出评价（好差评），"
        f"您的评价将帮助我们改进服务。\n{_case_line(data)}"
    )
    return Message("请您评价本次政务服务", body, _s(data, "rating_url") or _s(data, "url"))


def _decision(data: Facts) -> Message:
    body = (
        f"{_case_line(data)}\n申请人：{_s(data, 'applicant_name')}\n"
        f"已有意见：{_s(data, 'opinion_so_far', '无')}\n请尽快作出决定。"
    )
    link = _s(data, "materials_url") or _admin_link(f"/admin/cases/{_s(data, 'case_id')}")
    return Message(f"待决定：{_s(data, 'item_name')}（{_s(data, 'case_no')}）", body, link)


def _push_line(data: Facts) -> str:
    parts = [
        f"办件编号：{_s(data, 'case_no')}" if data.get("case_no") else "",
        f"审批事项：{_s(data, 'item_name')}" if data.get("item_name") else "",
        f"审批部门：{_s(data, 'approving_department_name')}" if data.get("approving_department_name") else "",
        f"证照编号：{_s(data, 'licence_no')}" if data.get("licence_no") else "",
        f"持证人：{_s(data, 'holder_name')}" if data.get("holder_name") else "",
    ]
    return "\n".join(p for p in parts if p)


def _supervision_link(data: Facts) -> str:
    if data.get("url"):
        return _s(data, "url")
    push_id = data.get("push_id")
    return _admin_link(f"/admin/supervision/pushes/{push_id}" if push_id else "/admin/supervision")


def _pushed(data: Facts) -> Message:
    body = f"收到一条审批结果推送，请认领，并在监管后反馈结果。\n{_push_line(data)}"
    if data.get("claim_due_at"):
        body += f"\n请于 {_when(data.get('claim_due_at'))} 前认领"
    return Message(f"审批推送：{_s(data, 'item_name', '审批结果')}", body, _supervision_link(data))


def _feedback(data: Facts) -> Message:
    who = _s(data, "department_name", "监管部门")
    if not data.get("inspected"):
        result = "未开展检查"
    elif data.get("problems_found"):
        result = f"发现问题：{_s(data, 'problems', '见反馈详情')}"
    else:
        result = "检查未发现问题"
    body = f"{who}已反馈监管结果：{result}\n{_push_line(data)}"
    if data.get("measures"):
        body += f"\n处理措施：{_s(data, 'measures')}"
    if data.get("handler_name"):
        body += f"\n反馈人：{_s(data, 'handler_name')}"
    return Message(f"监管反馈：{_s(data, 'item_name', '审批结果')}", body, _supervision_link(data))


def _escalated(data: Facts) -> Message:
    stage = _s(data, "stage_label", "超过时限未处理")
    level = _s(data, "level_label", "催办")
    body = f"审批推送{stage}，{level}。\n监管部门：{_s(data, 'department_name')}\n{_push_line(data)}"
    if data.get("due_at"):
        body += f"\n办理时限：{_when(data.get('due_at'))}"
    return Message(f"催办：{_s(data, 'item_name', '审批推送')}{stage}", body, _supervision_link(data))


def _generic(data: Facts) -> Message:
    return Message(_s(data, "title", "系统通知"), _s(data, "body") or _s(data, "summary"), _s(data, "url"))


RENDERERS = {
    "case.accepted": _accepted,
    "case.supplement_requested": _supplement,
    "case.concluded": _concluded,
    "case.rating_invited": _rating,
    "case.decision_needed": _decision,
    "supervision.pushed": _pushed,
    "supervision.feedback": _feedback,
    "supervision.escalated": _escalated,
}


def message(kind: str, data: Facts) -> Message:
    """The notification for an event, in plain words (a generic one for kinds without their own text)."""
    rendered = RENDERERS.get(kind, _generic)(data)
    return Message(cut(rendered.title, INBOX_TITLE_CHARS), rendered.body.strip(), rendered.link[:500])


def wecom_textcard(rendered: Message, event_id: int) -> dict[str, Any]:
    """A WeCom text card. The link names the event, so WeCom's duplicate check never merges two events."""
    link = rendered.link or _admin_link("/admin/inbox")
    return {
        "msgtype": "textcard",
        "textcard": {
            "title": cut(rendered.title, TEXTCARD_TITLE_CHARS),
            "description": cut(rendered.body.replace("\n", "；"), TEXTCARD_DESCRIPTION_CHARS),
            "url": f"{link}#e{event_id}",
            "btntxt": "详情",
        },
    }


def wecom_decision_card(data: Facts, event_id: int, user_id: int, department_name: str) -> dict[str, Any]:
    """The WeCom template card with 同意 / 不同意 / 退回 (built by notifications/providers/wecom_cards.py) for one member."""
    task_id = f"c{data['case_id']}-e{event_id}-u{user_id}"
    facts = data | {"department_name": data.get("department_name") or department_name}
    return {"msgtype": "template_card", "template_card": decision_card(facts, task_id)}


def _template_fields(kind: str, data: Facts) -> dict[str, str] | None:
    case_no, item = _s(data, "case_no"), _s(data, "item_name")
    if kind == "case.accepted":
        return {
            "character_string1": case_no,
            "thing2": item,
            "phrase3": "已受理",
            "time4": _day(data.get("due_at")) or "按法定时限",
        }
    if kind == "case.supplement_requested":
        materials = "、".join(str(m) for m in data.get("materials") or []) or "见补正告知书"
        return {
            "character_string1": case_no,
            "thing2": item,
            "thing3": _s(data, "reason", "材料需补正"),
            "thing4": materials,
        }
    if kind == "case.concluded":
        return {
            "character_string1": case_no,
            "thing2": item,
            "phrase3": _s(data, "result_label", "已办结"),
            "time4": _when(data.get("concluded_at")),
        }
    if kind == "case.rating_invited":
        return {"character_string1": case_no, "thing2": item, "thing3": "请点击详情对本次服务作出评价"}
    return None


def wechat_template(kind: str, data: Facts) -> dict[str, Any] | None:
    """The Official Account template message for an applicant (``None`` when the kind has no template set)."""
    template_id = get_settings().wechat_templates.get(kind)
    fields = _template_fields(kind, data)
    if not template_id or fields is None:
        return None
    url = _s(data, "rating_url") if kind == "case.rating_invited" else _s(data, "url")
    return {
        "template_id": template_id,
        "url": url,
        "data": {key: {"value": cut(value, TEMPLATE_FIELD_CHARS)} for key, value in fields.items()},
    }
