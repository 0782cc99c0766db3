"""What each event says, per channel: the in-site message, the WeCom text card, decision card or warning card
(签收), and the Official Account template message.

Texts are written from the event's facts (core/cases/events.py and supervision put masked names, never ID
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

from collections.abc import Callable
from typing import Any

from core.events.kinds import (
    AssessmentPublished,
    AssessmentRanking,
    CaseAccepted,
    CaseConcluded,
    CaseDecisionNeeded,
    CaseFacts,
    CaseQueryCodeReissued,
    CaseRatingInvited,
    CaseSupplementRequested,
    CaseWithdrawn,
    EventKind,
    EventPayload,
    KnowledgeReviewRequested,
    PushFacts,
    SupervisionEscalated,
    SupervisionFeedback,
    SupervisionPushed,
    UserSignedIn,
    WarningDigestFacts,
    WarningEscalated,
    WarningFacts,
    WarningRaised,
)
from core.settings import get_settings
from notifications.providers.warning_cards import task_id as warning_task_id
from notifications.providers.warning_cards import warning_card
from notifications.providers.wecom_cards import decision_card
from notifications.render_guidance import GUIDANCE_RENDERERS
from notifications.render_projects import PROJECT_RENDERERS
from notifications.words import Message, cut
from notifications.words import admin_link as _admin_link
from notifications.words import day as _day
from notifications.words import s as _s
from notifications.words import when as _when

TEXTCARD_TITLE_CHARS = 128
TEXTCARD_DESCRIPTION_CHARS = 512
TEMPLATE_FIELD_CHARS = 20
INBOX_TITLE_CHARS = 200


def _case_line(p: CaseFacts) -> str:
    return f"办件编号：{_s(p.case_no)}\n办理事项：{_s(p.item_name)}"


def _materials(p: CaseSupplementRequested) -> str:
    return "、".join(str(m) for m in p.materials or []) or "见补正告知书"


def _accepted(p: CaseAccepted) -> Message:
    due = _day(p.due_at)
    promise = f"，承诺于 {due} 前办结" if due else ""
    opinion = _s(p.opinion)
    body = f"您申请的“{_s(p.item_name)}”已受理{promise}。\n{_case_line(p)}"
    if opinion:
        body += f"\n受理意见：{opinion}"
    return Message(f"办件已受理：{_s(p.item_name)}", body, _s(p.url))


def _supplement(p: CaseSupplementRequested) -> Message:
    body = (
        f"您申请的“{_s(p.item_name)}”需要补正材料。\n{_case_line(p)}\n"
        f"补正原因：{_s(p.reason, '见补正告知书')}\n需补材料：{_materials(p)}"
    )
    return Message(f"需补正材料：{_s(p.item_name)}", body, _s(p.url))


def _concluded(p: CaseConcluded) -> Message:
    result = _s(p.result_label, "已办结")
    body = f"您申请的“{_s(p.item_name)}”已办结，结果：{result}。\n{_case_line(p)}"
    if p.concluded_at:
        body += f"\n办结时间：{_when(p.concluded_at)}"
    if p.reason:
        body += f"\n说明：{_s(p.reason)}"
    return Message(f"办件已办结：{_s(p.item_name)}", body, _s(p.url))


def _rating(p: CaseRatingInvited) -> Message:
    body = (
        f"您申请的“{_s(p.item_name)}”已办结，请对本次服务作出评价（好差评），"
        f"您的评价将帮助我们改进服务。\n{_case_line(p)}"
    )
    return Message("请您评价本次政务服务", body, _s(p.rating_url) or _s(p.url))


def _query_code(p: CaseQueryCodeReissued) -> Message:
    body = (
        f"您申请的“{_s(p.item_name)}”的查询密码已于 {_when(p.reissued_at)} 由窗口重新发放，原查询密码已失效，"
        f"请以新打印的受理通知书上的密码查询办理进度。如非本人办理，请立即联系办理部门。\n{_case_line(p)}"
    )
    return Message(f"查询密码已重新发放：{_s(p.case_no)}", body, _s(p.url))


def _withdrawn(p: CaseWithdrawn) -> Message:
    body = (
        f"{_case_line(p)}\n申请人：{_s(p.applicant_name)}\n撤回时间：{_when(p.withdrawn_at)}\n撤回原因：{_s(p.reason)}"
    )
    link = _s(p.case_url) or _admin_link(f"/admin/cases/{_s(p.case_id)}")
    return Message(f"申请人已撤回：{_s(p.item_name)}（{_s(p.case_no)}）", body + "\n该申请无需再受理。", link)


def _decision(p: CaseDecisionNeeded) -> Message:
    body = f"{_case_line(p)}\n申请人：{_s(p.applicant_name)}\n已有意见：{_s(p.opinion_so_far, '无')}\n请尽快作出决定。"
    link = _s(p.materials_url) or _admin_link(f"/admin/cases/{_s(p.case_id)}")
    return Message(f"待决定：{_s(p.item_name)}（{_s(p.case_no)}）", body, link)


def _push_line(p: PushFacts) -> str:
    parts = [
        f"办件编号：{_s(p.case_no)}" if p.case_no else "",
        f"审批事项：{_s(p.item_name)}" if p.item_name else "",
        f"审批部门：{_s(p.approving_department_name)}" if p.approving_department_name else "",
        f"证照编号：{_s(p.licence_no)}" if p.licence_no else "",
        f"持证人：{_s(p.holder_name)}" if p.holder_name else "",
    ]
    return "\n".join(part for part in parts if part)


def _supervision_link(p: PushFacts) -> str:
    if p.url:
        return _s(p.url)
    return _admin_link(f"/admin/supervision/pushes/{p.push_id}" if p.push_id else "/admin/supervision")


def _pushed(p: SupervisionPushed) -> Message:
    body = f"收到一条审批结果推送，请认领，并在监管后反馈结果。\n{_push_line(p)}"
    if p.claim_due_at:
        body += f"\n请于 {_when(p.claim_due_at)} 前认领"
    return Message(f"审批推送：{_s(p.item_name, '审批结果')}", body, _supervision_link(p))


def _feedback(p: SupervisionFeedback) -> Message:
    who = _s(p.department_name, "监管部门")
    if not p.inspected:
        result = "未开展检查"
    elif p.problems_found:
        result = f"发现问题：{_s(p.problems, '见反馈详情')}"
    else:
        result = "检查未发现问题"
    body = f"{who}已反馈监管结果：{result}\n{_push_line(p)}"
    if p.measures:
        body += f"\n处理措施：{_s(p.measures)}"
    if p.handler_name:
        body += f"\n反馈人：{_s(p.handler_name)}"
    return Message(f"监管反馈：{_s(p.item_name, '审批结果')}", body, _supervision_link(p))


def _escalated(p: SupervisionEscalated) -> Message:
    stage = _s(p.stage_label, "超过时限未处理")
    level = _s(p.level_label, "催办")
    body = f"审批推送{stage}，{level}。\n监管部门：{_s(p.department_name)}\n{_push_line(p)}"
    if p.due_at:
        body += f"\n办理时限：{_when(p.due_at)}"
    return Message(f"催办：{_s(p.item_name, '审批推送')}{stage}", body, _supervision_link(p))


def _warning_lines(p: WarningFacts) -> str:
    parts = [
        f"预警对象：{_s(p.subject_label)}",
        f"责任部门：{_s(p.department_name)}",
        f"到期日期：{_s(p.due_on)}",
        f"所属项目：{_s(p.project_name)}" if p.project_name else "",
    ]
    return "\n".join(part for part in parts if part)


def _warning_link(p: WarningFacts) -> str:
    return _s(p.url) or _admin_link(f"/admin/warnings/{p.warning_id}")


def _warning_raised(p: WarningRaised) -> Message:
    body = f"{_s(p.title)}（{_s(p.situation)}）\n{_warning_lines(p)}\n请签收，并填报原因、措施和承诺完成日期。"
    return Message(f"{_s(p.level_label, '预警')}：{_s(p.title)}", body, _warning_link(p))


def _warning_escalated(p: WarningEscalated) -> Message:
    body = (
        f"{_s(p.title)} 已逾期 {p.overdue_days} 个工作日仍未解除，已升级报告领导。\n{_warning_lines(p)}\n"
        f"处理状态：{_s(p.state_label)}。请尽快处理。"
    )
    return Message(f"预警升级：{_s(p.title)}", body, _warning_link(p))


def _warning_digest(p: WarningDigestFacts) -> Message:
    counts = f"红色 {p.red} 条，黄色 {p.yellow} 条，其中已升级 {p.escalated} 条"
    if p.audience == "leader":
        title = f"预警晨报：今日红色预警 {p.total} 条"
        head = f"{_s(p.day)} 在办的红色预警共 {p.total} 条（已升级报告领导 {p.escalated} 条）。"
    else:
        title = f"{_s(p.department_name, '本部门')}新增预警 {p.total} 条"
        head = f"本轮扫描为{_s(p.department_name, '本部门')}新增预警 {p.total} 条（{counts}），请逐条签收处理。"
    lines = [
        f"{n}. {_s(line.title)}（{_s(line.level_label)}，{_s(line.department_name)}，到期 {_s(line.due_on)}"
        + ("，已升级" if line.escalated else "")
        + "）"
        for n, line in enumerate(p.lines, 1)
    ]
    more = p.total - len(p.lines)
    if more > 0:
        lines.append(f"……另有 {more} 条，请点击查看全部。")
    return Message(title, head + "\n" + "\n".join(lines), _s(p.url) or _admin_link("/admin/warnings"))


def _points(value: float | None) -> str:
    return "不涉及" if value is None else f"{value:.2f}"


def _assessment_result(p: AssessmentPublished) -> Message:
    version = f"（第{p.version}版）" if p.version > 1 else ""
    version += "，含审核修正" if p.corrected else ""
    if p.total is None:
        place, total = "本期无考核数据，不排名", "—"
    else:
        place, total = f"第 {p.rank} 名（共 {p.ranked_count} 个部门）", _points(p.total)
    lines = "\n".join(f"{s.name}（权重{s.weight}）：{_points(s.score)}" for s in p.scores)
    body = f"{_s(p.department_name)}{_s(p.period_label)}进度考核结果已发布{version}。\n总分：{total}\n排名：{place}\n{lines}"
    body += "\n如有异议，可在考核结果页面提出申诉。"
    title = f"考核结果：{_s(p.period_label)} {_s(p.department_name)} 总分 {total}"
    return Message(title, body, _s(p.url) or _admin_link("/admin/assessment"))


RANKING_LINES = 12
"""Ranking lines a message lists (a WeCom text card shows 512 characters); the page has all of them."""


def _assessment_ranking(p: AssessmentRanking) -> Message:
    version = f"（第{p.version}版）" if p.version > 1 else ""
    shown = [r for r in p.ranking if r.rank is not None][:RANKING_LINES]
    lines = "\n".join(f"{r.rank}. {_s(r.department_name)} {_points(r.total)}" for r in shown)
    more = f"\n……共 {p.ranked_count} 个部门，详见考核页面" if p.ranked_count > len(shown) else ""
    body = f"{_s(p.period_label)}进度考核结果已发布{version}，部门排名：\n{lines}{more}"
    return Message(f"考核排名：{_s(p.period_label)}", body, _s(p.url) or _admin_link("/admin/assessment"))


def _knowledge_review(p: KnowledgeReviewRequested) -> Message:
    body = f"{_s(p.author_name)}提交了{_s(p.kind_label)}“{_s(p.title)}”，等待您审核发布。"
    return Message(f"知识库待审核：{_s(p.title)}", body, _s(p.url))


def _signed_in(p: UserSignedIn) -> Message:
    """Never sent (the event names no recipients): the text a sign-in would read as, should one ever be told."""
    way = "网站" if p.via == "web" else "接口"
    return Message("账号登录", f"您的账号于 {_when(p.signed_in_at)} 通过{way}登录。", "")


RENDERERS: dict[EventKind, Callable[[Any], Message]] = {
    EventKind.CASE_ACCEPTED: _accepted,
    EventKind.CASE_SUPPLEMENT_REQUESTED: _supplement,
    EventKind.CASE_CONCLUDED: _concluded,
    EventKind.CASE_RATING_INVITED: _rating,
    EventKind.CASE_DECISION_NEEDED: _decision,
    EventKind.CASE_QUERY_CODE_REISSUED: _query_code,
    EventKind.CASE_WITHDRAWN: _withdrawn,
    EventKind.SUPERVISION_PUSHED: _pushed,
    EventKind.SUPERVISION_FEEDBACK: _feedback,
    EventKind.SUPERVISION_ESCALATED: _escalated,
    EventKind.WARNING_RAISED: _warning_raised,
    EventKind.WARNING_ESCALATED: _warning_escalated,
    EventKind.WARNING_DIGEST: _warning_digest,
    EventKind.ASSESSMENT_PUBLISHED: _assessment_result,
    EventKind.ASSESSMENT_RANKING: _assessment_ranking,
    **PROJECT_RENDERERS,
    EventKind.KNOWLEDGE_REVIEW_REQUESTED: _knowledge_review,
    **GUIDANCE_RENDERERS,
    EventKind.USER_SIGNED_IN: _signed_in,
}
"""Each kind's text; every kind has one (tests/test_event_kinds.py). A renderer takes its kind's payload."""


def message(kind: EventKind, payload: EventPayload) -> Message:
    """The notification for an event, in plain words."""
    rendered = RENDERERS[kind](payload)
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


def wecom_decision_card(
    payload: CaseDecisionNeeded, event_id: int, user_id: int, department_name: str
) -> dict[str, Any]:
    """The WeCom template card with 同意 / 不同意 / 退回 (built by notifications/providers/wecom_cards.py) for one member."""
    data = payload.stored()
    task_id = f"c{payload.case_id}-e{event_id}-u{user_id}"
    facts = data | {"department_name": data.get("department_name") or department_name}
    return {"msgtype": "template_card", "template_card": decision_card(facts, task_id)}


def wecom_warning_card(payload: WarningRaised, event_id: int, user_id: int) -> dict[str, Any]:
    """The WeCom template card with 签收 (notifications/providers/warning_cards.py) for one member."""
    task = warning_task_id(payload.warning_id, event_id, user_id)
    return {"msgtype": "template_card", "template_card": warning_card(payload.stored(), task)}


Template = tuple[dict[str, str], str]
"""An Official Account template message's fields and link."""


def _accepted_template(p: CaseAccepted) -> Template:
    fields = {
        "character_string1": _s(p.case_no),
        "thing2": _s(p.item_name),
        "phrase3": "已受理",
        "time4": _day(p.due_at) or "按法定时限",
    }
    return fields, _s(p.url)


def _supplement_template(p: CaseSupplementRequested) -> Template:
    fields = {
        "character_string1": _s(p.case_no),
        "thing2": _s(p.item_name),
        "thing3": _s(p.reason, "材料需补正"),
        "thing4": _materials(p),
    }
    return fields, _s(p.url)


def _concluded_template(p: CaseConcluded) -> Template:
    fields = {
        "character_string1": _s(p.case_no),
        "thing2": _s(p.item_name),
        "phrase3": _s(p.result_label, "已办结"),
        "time4": _when(p.concluded_at),
    }
    return fields, _s(p.url)


def _rating_template(p: CaseRatingInvited) -> Template:
    fields = {"character_string1": _s(p.case_no), "thing2": _s(p.item_name), "thing3": "请点击详情对本次服务作出评价"}
    return fields, _s(p.rating_url)


WECHAT_TEMPLATES: dict[EventKind, Callable[[Any], Template]] = {
    EventKind.CASE_ACCEPTED: _accepted_template,
    EventKind.CASE_SUPPLEMENT_REQUESTED: _supplement_template,
    EventKind.CASE_CONCLUDED: _concluded_template,
    EventKind.CASE_RATING_INVITED: _rating_template,
}
"""The kinds an applicant may hear of through an Official Account template message (the others have none)."""


def has_wechat_template(kind: str) -> bool:
    """Whether the kind has a template message: its fields here and its template id in the settings."""
    return kind in WECHAT_TEMPLATES and bool(get_settings().wechat_templates.get(kind))


def wechat_template(kind: EventKind, payload: EventPayload) -> dict[str, Any] | None:
    """The Official Account template message for an applicant (``None`` when the kind has no template set)."""
    if not has_wechat_template(kind):
        return None
    fields, url = WECHAT_TEMPLATES[kind](payload)
    return {
        "template_id": get_settings().wechat_templates[kind],
        "url": url,
        "data": {key: {"value": cut(value, TEMPLATE_FIELD_CHARS)} for key, value in fields.items()},
    }
