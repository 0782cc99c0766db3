"""Answers from the knowledge base (FAQ, law articles, policies, glossary) and service guides, always cited."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.choice import Decision, decide, opens_business, was_cut, whole_sentences
from actions.client import ApiError, Guide, Hit, public_link
from actions.common import (
    HANDOFF_AFTER_FAILURES,
    HANDOFF_BUTTONS,
    buttons,
    client,
    failures,
    handoff,
    is_meaningful,
    latest_text,
    plain_snippet,
)

NOT_FOUND = "抱歉，我暂时没有找到可靠的答案。您的问题已经记录下来，工作人员会尽快补充完善。您可以换个问法再试试，或者转人工咨询。"
MAYBE = "没有找到确切的答案。您想了解的可能是下面几项，请选择（也可以换个说法再问，或转人工）："
UNAVAILABLE = "抱歉，知识库暂时无法访问，请稍后再试，或说“转人工”联系工作人员。"
MAX_RELATED = 2
OPENING_ITEMS = 5


def format_answer(result: Dict[str, Any], top: Optional[Hit] = None) -> str:
    """A hit (the best one unless ``top`` is given) with its source, and up to two related ones.

    The snippet keeps whole sentences only; when the source says more, the answer points to it (“详见”)."""
    hits = result.get("hits") or []
    top = top if top is not None else hits[0]
    kind = top.get("kind_label") or "知识库"  # the API names the kind of source (政务百科, 法律法规…)
    link = public_link(top.get("link", ""))
    snippet = plain_snippet(top.get("snippet", ""))
    # The API's plain answer (whole sentences of the source) when it gives one, else the snippet's whole sentences
    body = whole_sentences(str(top.get("text") or "")) or whole_sentences(snippet)
    lines = [f"【{top.get('title', '')}】", body]
    if top.get("notice"):  # a repealed or superseded law: say so, and where the law in force is
        replacement = public_link(top["replaced_by_link"]) if top.get("replaced_by_link") else ""
        lines.append(f"注意：{top['notice']} {replacement}".rstrip())
    if was_cut(snippet):  # the source says more than the answer: where to read it all
        lines.append(f"详见：{link}")
    citation = top.get("citation") or f"《{_bare_title(top.get('title', ''))}》"  # the API's: 《法规名》第X条
    lines.append(f"来源：{kind}{citation} {link}")
    related = [h for h in hits if h.get("title") and h is not top][:MAX_RELATED]
    if related:
        lines.append("相关内容：")
        lines += [f"· {h['title']} {public_link(h.get('link', ''))}" for h in related]
    return "\n".join(line for line in lines if line)


def _bare_title(title: str) -> str:
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        return title[1:-1]
    return title


async def answer_from_knowledge(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: Optional[str] = None,
    *,
    wants_guide: bool = False,
    out_of_scope: bool = False,
    result: Optional[Dict[str, Any]] = None,
) -> List[EventType]:
    """Searches the knowledge base for the user's words and gives the first answer (``choice.decide``), or says
    honestly that it can't. ``out_of_scope``: the NLU took the message for something outside the service; it is
    declined only when the search has nothing good enough (issue 15: a question the search answers is never
    declined). ``result``: the search's answer to ``text`` when the caller already has it."""
    text = text if text is not None else latest_text(tracker)
    if not is_meaningful(text):
        dispatcher.utter_message(text="收到～请用文字告诉我您想咨询的问题，我来帮您查找。")
        return []
    try:
        async with client(tracker) as api:
            if result is None:
                result = dict(await api.search_knowledge(text[:500]))
            decision = decide(result, text, wants_guide=wants_guide)
            if opens_business(text) and decision.kind not in ("opening", "law"):
                # what opening a business takes is a list of items: asked of the items alone
                items = await api.search_knowledge(text[:500], kind="item", limit=OPENING_ITEMS)
                found = [h for h in items.get("hits") or [] if h.get("title")]
                if items.get("answered") and found:
                    decision = Decision("opening", hits=found)
            if decision.kind == "guide" and decision.item_id is not None:
                guide = await api.guide(decision.item_id)
                understood = decision.item_name or str(guide.get("name") or "")
                dispatcher.utter_message(text=format_guide(guide, aspects_of(text)))
                dispatcher.utter_message(text=f"您问的是「{understood}」的办事指南，如不是，请告诉我具体事项。")
                return [SlotSet("failure_count", 0)]
    except ApiError as error:
        dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message, buttons=HANDOFF_BUTTONS[:1])
        return []
    if decision.kind in ("answer", "law"):
        text_out = format_answer(result, decision.hit)
        if decision.item_id is not None and decision.kind == "answer":  # which item was understood, to correct
            guide_link = public_link(f"/guides/{decision.item_id}")
            text_out += f"\n（按「{decision.item_name}」理解，完整办事指南：{guide_link}；如不是，请告诉我具体事项。）"
        dispatcher.utter_message(text=text_out)
        return [SlotSet("failure_count", 0)]
    if decision.kind == "opening":
        dispatcher.utter_message(text=format_opening(decision.hits), buttons=_choice_buttons(decision.hits))
        return [SlotSet("failure_count", 0)]
    if decision.kind == "choices":
        intro = "您的问题可能涉及以下几项，请选择您想了解的一项（也可以换个说法再问）："
        if out_of_scope:
            intro = "这个问题我不太确定是否属于政务服务。您是不是想了解以下内容："
        dispatcher.utter_message(text=_numbered(intro, decision.hits), buttons=_choice_buttons(decision.hits))
        return [SlotSet("failure_count", 0)]
    if out_of_scope:
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
    count = failures(tracker) + 1
    if decision.kind == "maybe":  # possible matches, none good enough to answer with: no dead end
        buttons_shown = _choice_buttons(decision.hits) + HANDOFF_BUTTONS[:1]
        dispatcher.utter_message(text=_numbered(MAYBE, decision.hits), buttons=buttons_shown)
        return [SlotSet("failure_count", count)]
    if count >= HANDOFF_AFTER_FAILURES:
        dispatcher.utter_message(text=NOT_FOUND.split("您可以")[0])
        return handoff(
            dispatcher,
            tracker,
            "repeated_failure",
            "连续几次都没能帮到您，非常抱歉。已为您转接人工客服，工作人员接入后会直接在这里回复您。",
        )
    dispatcher.utter_message(text=NOT_FOUND, buttons=HANDOFF_BUTTONS)
    return [SlotSet("failure_count", count)]


def format_opening(items: List[Hit]) -> str:
    """What opening a kind of business takes: the items the search found, each with its guide."""
    listed = _numbered("开办这类经营场所，通常需要办理以下事项（按与您问题的相关程度排列）：", items)
    return listed + "\n具体还要看经营范围和场所情况。点选一项可查看材料、时限和办理地点。"


def _numbered(intro: str, hits: List[Hit]) -> str:
    """An introduction and the hits as a numbered list, each with its link."""
    lines = [intro] + [f"{n}. {h['title']} {public_link(h.get('link', ''))}" for n, h in enumerate(hits, 1)]
    return "\n".join(lines)


def _choice_buttons(hits: List[Hit]) -> List[Dict[str, str]]:
    """A button per hit; its payload is the hit's title, which the search finds again as the top hit."""
    return buttons(*[str(h["title"])[:60] for h in hits])


class ActionAnswerQuestion(Action):
    """Any question for the knowledge base; also the answer to messages the NLU was unsure about."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return await answer_from_knowledge(dispatcher, tracker)


class ActionOutOfScope(Action):
    """A message the NLU took for something outside the service: the search is consulted first, and the message
    is declined only when it has nothing (“在小店里卖烟要办什么” is a service question whatever the NLU thinks)."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return await answer_from_knowledge(dispatcher, tracker, out_of_scope=True)


# --- service guides ------------------------------------------------------------------------------------------------

ASPECTS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    (
        "materials",
        (
            "材料",
            "资料",
            "带什么",
            "带啥",
            "准备什么",
            "准备啥",
            "准备些",
            "提交什么",
            "提交哪些",
            "要什么",
            "要啥",
            "需要什么",
            "需要哪些",
            "证件",
            "手续",
        ),
    ),
    (
        "time",
        (
            "多久",
            "多长时间",
            "几天",
            "时限",
            "多少天",
            "期限",
            "多快",
            "工作日",
            "几个工作日",
            "要多少时间",
            "啥时候能",
        ),
    ),
    ("fee", ("收费", "费用", "多少钱", "要钱", "免费", "交费", "缴费", "花钱", "收钱")),
    (
        "where",
        (
            "在哪里办",
            "哪里办",
            "在哪办",
            "在哪里",
            "在哪儿",
            "在哪",
            "哪里",
            "地点",
            "地址",
            "窗口",
            "去哪",
            "哪儿",
            "几点",
            "上班时间",
            "办公时间",
        ),
    ),
    ("online", ("网上", "线上", "网办", "手机上", "不见面", "在线")),
    ("phone", ("电话", "咨询热线", "联系方式")),
)


def aspects_of(text: str) -> List[str]:
    """Which parts of a guide the user asked about (materials, time, fee, where, online, phone)."""
    return [name for name, words in ASPECTS if any(w in text for w in words)]


def _limit(value: Any, unit: Any) -> str:
    if value in (None, ""):
        return ""
    if value == 0:
        return "即办（当场办结）"
    return f"{value}个{unit or '工作日'}"


def format_guide(guide: Guide, asked: List[str]) -> str:
    """The guide as a chat answer: what was asked first, then the essentials, then the links."""
    name = guide.get("name", "")
    promised = _limit(guide.get("promised_limit"), guide.get("promised_unit") or guide.get("limit_unit"))
    statutory = _limit(guide.get("statutory_limit"), guide.get("statutory_unit") or guide.get("limit_unit"))
    time_line = f"办理时限：承诺{promised}" + (f"（法定{statutory}）" if statutory and statutory != promised else "")
    materials = guide.get("materials") or []
    material_lines = [
        f"{n}. {m.get('name', '')}" + ("" if m.get("required", True) else "（非必要）")
        for n, m in enumerate(materials[:15], 1)
    ]
    if len(materials) > 15:
        material_lines.append(f"……共{len(materials)}项，详见完整指南")
    sections = {
        "materials": [f"申请材料（共{len(materials)}项）："] + material_lines
        if materials
        else ["申请材料：详见完整指南"],
        "time": [time_line],
        "fee": [f"收费标准：{guide.get('fee') or '详见完整指南'}"],
        "where": [
            f"办理部门：{guide.get('department_name', '')}",
            f"办理地点：{guide.get('location', '')}",
            f"办公时间：{guide.get('office_hours', '')}" if guide.get("office_hours") else "",
        ],
        "online": ["网上办理：" + ("支持，可在线申报" if guide.get("is_online") else "暂不支持，需到窗口办理")],
        "phone": [f"咨询电话：{guide.get('consult_phone', '')}"],
    }
    order = asked + [a for a in ("time", "fee", "where", "phone", "online", "materials") if a not in asked]
    if asked:  # a focused question: the asked parts in full, the rest in brief
        order = asked + [a for a in ("time", "fee", "where") if a not in asked]
    lines = [f"【{name}】办事指南"]
    for aspect in order:
        if aspect == "materials" and "materials" not in asked and asked:
            continue
        lines += [line for line in sections[aspect] if line]
    lines.append(f"完整指南：{public_link('/guides/%s' % guide.get('id', ''))}")
    if guide.get("is_online", True):
        lines.append(f"在线申报：{public_link('/apply/%s' % guide.get('id', ''))}")
    return "\n".join(lines)


async def show_guide(dispatcher: CollectingDispatcher, tracker: Tracker, text: Optional[str] = None) -> List[EventType]:
    """The guide of the item the search recognises in the text (saying which item was understood); a penalty
    question gets its law article, and with no item recognised the knowledge base answers."""
    return await answer_from_knowledge(dispatcher, tracker, text, wants_guide=True)


_QUESTION = re.compile(
    r"[？?]|吗|什么|怎么|咋|多久|多少|哪|如何|为什么|能不能|可不可以|要不要|是不是|有没有|几个工作日|几天"
)


def looks_like_question(text: str) -> bool:
    """Whether a message reads as a question rather than as an answer."""
    return bool(_QUESTION.search(text or ""))


class ActionShowGuide(Action):
    """A service guide for the item the user names: materials, limits, fee, where, with links."""

    def name(self) -> Text:
        return "action_show_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return await show_guide(dispatcher, tracker)
