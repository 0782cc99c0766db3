"""Answers from the knowledge base (FAQ, law articles, policies, glossary) and service guides, always cited."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

import jieba
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import ApiError, Guide, ItemSummary, TongbanClient, public_link
from actions.common import (
    HANDOFF_AFTER_FAILURES,
    HANDOFF_BUTTONS,
    client,
    failures,
    handoff,
    is_meaningful,
    latest_text,
    plain_snippet,
)

jieba.setLogLevel(60)
jieba.initialize()

NOT_FOUND = "抱歉，我暂时没有找到可靠的答案。您的问题已经记录下来，工作人员会尽快补充完善。您可以换个问法再试试，或者转人工咨询。"
UNAVAILABLE = "抱歉，知识库暂时无法访问，请稍后再试，或说“转人工”联系工作人员。"
MAX_RELATED = 2


def format_answer(result: Dict[str, Any]) -> str:
    """The best hit with its source, and up to two related ones."""
    hits = result.get("hits") or []
    top = hits[0]
    kind = top.get("kind_label") or "知识库"  # the API names the kind of source (政务百科, 法律法规…)
    lines = [f"【{top.get('title', '')}】", plain_snippet(top.get("snippet", ""))]
    if top.get("notice"):  # a repealed or superseded law: say so, and where the law in force is
        replacement = public_link(top["replaced_by_link"]) if top.get("replaced_by_link") else ""
        lines.append(f"注意：{top['notice']} {replacement}".rstrip())
    lines.append(f"来源：{kind}《{_bare_title(top.get('title', ''))}》 {public_link(top.get('link', ''))}")
    related = [h for h in hits[1 : 1 + MAX_RELATED] if h.get("title")]
    if related:
        lines.append("相关内容：")
        lines += [f"· {h['title']} {public_link(h.get('link', ''))}" for h in related]
    return "\n".join(line for line in lines if line)


def _bare_title(title: str) -> str:
    return title.strip("《》") if title.count("《") <= 1 else title


async def answer_from_knowledge(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: Optional[str] = None
) -> List[EventType]:
    """Searches the knowledge base for the user's words and answers, or says honestly that it can't."""
    text = text if text is not None else latest_text(tracker)
    if not is_meaningful(text):
        dispatcher.utter_message(text="收到～请用文字告诉我您想咨询的问题，我来帮您查找。")
        return []
    try:
        async with client(tracker) as api:
            result = await api.search_knowledge(text[:500])
    except ApiError as error:
        dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message, buttons=HANDOFF_BUTTONS[:1])
        return []
    if result.get("answered") and result.get("hits"):
        dispatcher.utter_message(text=format_answer(result))
        return [SlotSet("failure_count", 0)]
    count = failures(tracker) + 1
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


class ActionAnswerQuestion(Action):
    """Any question for the knowledge base; also the answer to messages the NLU was unsure about."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return await answer_from_knowledge(dispatcher, tracker)


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
_FILLERS = re.compile(
    r"请问|你好|您好|我想|我要|想问|问一下|问下|咨询一下|咨询|了解一下|了解|帮我|查一下|查查|看看|一下|办理|申请|申办|"
    r"怎么办|怎么|如何|流程|需要|需不需要|要不要|是不是|可以|能不能|能否|哪些|什么|多少|多久|多长时间|几天|时间|"
    r"办事指南|指南|吗|呢|呀|啊|吧|嘛|、|？|\?|，|,|。|！|!|\s"
)
_STOPWORDS = {
    "审批",
    "办理",
    "申请",
    "许可",
    "证明",
    "登记",
    "需要",
    "材料",
    "多久",
    "哪里",
    "收费",
    "核发",
    "企业",
    "项目",
    "建设",
    "工程",
}


def aspects_of(text: str) -> List[str]:
    """Which parts of a guide the user asked about (materials, time, fee, where, online, phone)."""
    return [name for name, words in ASPECTS if any(w in text for w in words)]


def item_keywords(text: str) -> List[str]:
    """Search words for the catalogue, best first: the text without question words, then its longer words."""
    core = text
    for _, words in ASPECTS:
        for w in sorted(words, key=len, reverse=True):
            core = core.replace(w, " ")
    core = _FILLERS.sub(" ", core)
    pieces = [p for p in core.split() if len(p) >= 2]
    candidates: List[str] = []
    joined = "".join(pieces)
    for candidate in [joined] + sorted(pieces, key=len, reverse=True):
        if candidate and candidate not in candidates:
            candidates.append(candidate)
    words = [w for w in jieba.lcut(joined) if len(w) >= 2 and w not in _STOPWORDS]
    for w in sorted(words, key=len, reverse=True):
        if w not in candidates:
            candidates.append(w)
    for trimmed in (joined.replace("证", ""), joined[:4]) if len(joined) > 4 else ():
        if len(trimmed) >= 2 and trimmed not in candidates:
            candidates.append(trimmed)
    return candidates[:6]


def _score(item: ItemSummary, text: str) -> float:
    name = item.get("name", "")
    common = sum(1 for ch in set(name) if ch in text)
    return common / max(len(set(name)), 1) + (1.0 if name and name in text else 0.0)


async def find_items(api: TongbanClient, text: str) -> List[ItemSummary]:
    """Catalogue items matching the user's words, best first (empty when none)."""
    for keyword in item_keywords(text):
        items = await api.list_items(keyword)
        if items:
            return sorted(items, key=lambda i: _score(i, text), reverse=True)
    return []


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
    """The guide of the item the text names; the knowledge base answers when no item matches."""
    text = text if text is not None else latest_text(tracker)
    try:
        async with client(tracker) as api:
            items = await find_items(api, text)
            if not items:
                return await answer_from_knowledge(dispatcher, tracker, text)
            guide = await api.guide(int(items[0]["id"]))
    except ApiError as error:
        dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
        return []
    dispatcher.utter_message(text=format_guide(guide, aspects_of(text)))
    others = [i for i in items[1:4] if i.get("name")]
    if others:
        dispatcher.utter_message(
            text="您可能还想找："
            + "；".join(f"{i['name']} {public_link('/guides/%s' % i.get('id', ''))}" for i in others)
        )
    return [SlotSet("failure_count", 0)]


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
