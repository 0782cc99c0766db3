"""The construction-project intake (投资建设项目报建) as a Rasa form over the projects API.

The form has one slot for all indicator questions, ``indicator_answer``: it is asked again and again with the
API's ``next`` question (kept in ``current_question``) until the API says none is left, so only the questions
that apply are asked, in the API's order. Each answer is parsed (Chinese numbers and units, yes/no, choices)
and saved with a PATCH; the API's reason is shown when it refuses one. Then the project facts the letter
needs are asked and checked the same way, and the flow is derived. ``project_id`` persists, so the user can
stop and resume later ("继续报建"), or correct an earlier answer ("刚才投资额说错了，是1.2亿").
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.client import ApiError, Derivation, Letter, Question, Questions, TongbanClient, public_link
from actions.common import buttons, client, latest_intent, latest_text
from actions.guards import search_first
from actions.knowledge import answer_from_knowledge, looks_like_question, show_guide
from actions.parsing import (
    PROJECT_FACTS,
    ParseError,
    UnknownAnswer,
    correction_value,
    family_for,
    format_quantity,
    identify_field,
    parse_choice,
    parse_quantity,
    parse_yes_no,
)
from actions.projects import answer_project_progress

DONE = "已完成"
FACT_SLOTS = {
    "project_name": "name",
    "project_enterprise_name": "enterprise_name",
    "project_credit_code": "credit_code",
    "project_location": "location",
    "project_contact_name": "contact_name",
    "project_contact_phone": "contact_phone",
}
SLOT_OF_FACT = {field: slot for slot, field in FACT_SLOTS.items()}
INTAKE_SLOTS = ["project_id", "current_question", "indicator_answer", *FACT_SLOTS]
UNAVAILABLE = "抱歉，报建系统暂时无法访问，您的填写进度已保存，请稍后说“继续报建”再试。"
INTRO = (
    "好的，我来帮您梳理项目需要办理的审批事项。我会先问项目名称，再根据您的回答只问适用的问题，"
    "最后生成审批流程和指导意见书。\n随时可以说“暂停”，之后说“继续报建”接着填；"
    "答错了可以直接说，例如“刚才投资额说错了，是1.2亿”。"
)
CN_ORDINALS = "一二三四五六七八九十"
SMALL_TALK = {"thank": "不客气！我们接着来。", "greet": "您好！我们接着填写报建信息。"}
CORRECTION_CUE = re.compile(r"错|改|更正|修正|不对|纠正|重新|应该是|应为|其实是|换成|修改")
NUMBER_HINTS = {
    "元": "可以说“5000万”“1.2亿元”",
    "平方米": "可以说“2万平方米”“12000平米”",
    "吨标准煤": "可以说“800吨标煤”，没有可以说“0”",
    "千瓦时": "可以说“300万千瓦时”“500万度”",
    "吨": "可以说“1200吨”，不烧煤可以说“0”",
}


def fact_label(questions: Optional[Questions], field: str) -> str:
    """A project fact's name as the API gives it (``project_info_labels`` of a project's questions)."""
    return str(((questions or {}).get("project_info_labels") or {}).get(field) or "这一项")


async def fact_label_of(api: TongbanClient, project_id: int, field: str) -> str:
    """The API's name of a project fact, asked only when a message needs it."""
    try:
        return fact_label(await api.project_questions(project_id), field)
    except ApiError:
        return fact_label(None, field)


def retry(message: str, what: str) -> str:
    """The API's reason, then what to do, without saying "重新输入" twice."""
    message = message.rstrip("。.！! ")
    return f"{message}。" if "重新" in message else f"{message}，请重新{what}。"


async def answered_instead(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, strict: bool) -> bool:
    """Answers a question asked in the middle of the intake instead of taking it as the answer.

    With ``strict`` (free-text answers such as names), only a message that reads as a question counts; otherwise
    (an answer that could not be understood) the NLU's intent is enough. The form then asks its question again.
    """
    intent = latest_intent(tracker)
    if intent in SMALL_TALK and len(text) <= 12:
        dispatcher.utter_message(text=SMALL_TALK[intent])
        return True
    question_like = looks_like_question(text)
    if strict and not question_like:
        return False
    if intent == "ask_guide":
        await show_guide(dispatcher, tracker, text)
        return True
    if intent == "ask_project_progress":  # "我们上个项目到哪一步了" — a bare project name is taken as the answer
        await answer_project_progress(dispatcher, tracker, in_intake=True)
        return True
    if intent == "ask_question" or (question_like and intent in ("nlu_fallback", "inform")):
        await answer_from_knowledge(dispatcher, tracker, text)
        return True
    if intent == "out_of_scope":  # declined only when the knowledge search has nothing for it
        await answer_from_knowledge(dispatcher, tracker, text, out_of_scope=True)
        return True
    return False


def _project_id(tracker: Tracker, slot: str = "project_id") -> Optional[int]:
    value = tracker.get_slot(slot)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def question_events(questions: Questions) -> Dict[Text, Any]:
    """Slots for the API's next question: ask it, or mark the questions done."""
    nxt = questions.get("next")
    if not nxt:
        return {"current_question": None, "indicator_answer": DONE}
    applicable = questions.get("applicable") or []
    unanswered = questions.get("unanswered") or []
    current = dict(nxt)
    current["_position"] = max(len(applicable) - len(unanswered), 0) + 1
    current["_total"] = len(applicable)
    return {"current_question": current, "indicator_answer": None}


def parse_answer(question: Question, text: str) -> Any:
    """The value to send for this question, from what the user typed."""
    kind = question.get("kind")
    if kind == "number":
        return parse_quantity(text, question.get("unit") or "")
    if kind == "yes_no":
        return parse_yes_no(text)
    if kind == "choice":
        return parse_choice(text, question.get("options") or {}, question.get("key", ""))
    return text.strip()


def display(question: Question, value: Any, questions: Optional[Questions] = None) -> str:
    """An answer as a person reads it: the API's own display when it has one."""
    for q in (questions or {}).get("applicable") or []:
        if q.get("key") == question.get("key") and q.get("answer_display"):
            return str(q["answer_display"])
    if isinstance(value, bool):
        return "是" if value else "否"
    if question.get("kind") == "choice":
        return (question.get("options") or {}).get(str(value), str(value))
    if isinstance(value, (int, float)):
        return format_quantity(float(value), question.get("unit") or "")
    return str(value)


def explain(question: Question) -> str:
    """Help for a user who doesn't know the answer."""
    if question.get("help"):
        return f"说明：{question['help']}"
    kind = question.get("kind")
    if kind == "number":
        return "估算值也可以，之后还能修改。"
    if kind == "yes_no":
        return "如果还没确定，请按目前的设计方案回答，之后可以随时更正。"
    return "请选一个最接近的选项，之后可以随时更正。"


class ValidateProjectForm(FormValidationAction):
    """Creates the project, saves each answer through the API, and moves to the API's next question."""

    def name(self) -> Text:
        return "validate_project_form"

    async def validate_project_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        name = str(slot_value or "").strip().strip("“”\"'「」《》")[:200]
        project_id = _project_id(tracker)
        if (
            project_id is not None
            and name == tracker.get_slot("project_name")
            and not tracker.get_slot("requested_slot")
        ):
            return {"project_name": name}  # re-validated when a paused intake resumes: nothing changed
        if await answered_instead(dispatcher, tracker, name, strict=True):
            return {"project_name": None}
        if len(name) < 2:
            dispatcher.utter_message(text="项目名称至少需要 2 个字，请重新输入。")
            return {"project_name": None}
        try:
            async with client(tracker) as api:
                if project_id is None:
                    project_id = int((await api.create_project(name))["id"])
                else:
                    await api.update_project(project_id, {"name": name})
                questions = await api.project_questions(project_id)
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else retry(error.message, "输入项目名称"))
            return {"project_name": None}
        dispatcher.utter_message(text=f"好的，已为「{name}」建立报建草稿。")
        return {"project_name": name, "project_id": project_id, **question_events(questions)}

    async def validate_indicator_answer(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        project_id = _project_id(tracker)
        if slot_value == DONE:
            return {"indicator_answer": DONE}
        if project_id is None:
            return {"indicator_answer": None, "project_name": None}
        question: Optional[Question] = tracker.get_slot("current_question")
        try:
            async with client(tracker) as api:
                if not question:
                    questions = await api.project_questions(project_id)
                    if not questions.get("next"):
                        return question_events(questions)
                    question = questions["next"]
                text = str(slot_value or "")
                if looks_like_question(text) and await answered_instead(dispatcher, tracker, text, strict=True):
                    return {"indicator_answer": None, "current_question": question}
                try:
                    value = parse_answer(question, text)
                except UnknownAnswer:
                    dispatcher.utter_message(text=explain(question))
                    return {"indicator_answer": None, "current_question": question}
                except ParseError as error:
                    if not await answered_instead(dispatcher, tracker, text, strict=False):
                        dispatcher.utter_message(text=str(error))
                    return {"indicator_answer": None, "current_question": question}
                try:
                    await api.answer(project_id, question["key"], value)
                except ApiError as error:
                    if error.unavailable:
                        raise
                    dispatcher.utter_message(text=retry(error.message, "回答"))
                    return {"indicator_answer": None, "current_question": question}
                questions = await api.project_questions(project_id)
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
            return {"indicator_answer": None}
        dispatcher.utter_message(text=f"✓ {question.get('label', '')}：{display(question, value, questions)}")
        return question_events(questions)

    async def _save_fact(
        self, slot: str, value: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        field = FACT_SLOTS[slot]
        project_id = _project_id(tracker)
        if project_id is None or not value:
            dispatcher.utter_message(text="请输入" + (await self._label(tracker, project_id, field)) + "。")
            return {slot: None}
        if value == tracker.get_slot(slot) and not tracker.get_slot("requested_slot"):
            return {slot: value}  # re-validated when a paused intake resumes
        if await answered_instead(dispatcher, tracker, value, strict=True):
            return {slot: None}
        try:
            async with client(tracker) as api:
                await api.update_project(project_id, {field: value})
        except ApiError as error:
            if error.unavailable:
                dispatcher.utter_message(text=UNAVAILABLE)
            else:
                label = await self._label(tracker, project_id, field)
                dispatcher.utter_message(text=retry(error.message, f"输入{label}"))
            return {slot: None}
        return {slot: value}

    async def _label(self, tracker: Tracker, project_id: Optional[int], field: str) -> str:
        if project_id is None:
            return fact_label(None, field)
        async with client(tracker) as api:
            return await fact_label_of(api, project_id, field)

    async def validate_project_enterprise_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return await self._save_fact(
            "project_enterprise_name", str(slot_value or "").strip()[:200], dispatcher, tracker
        )

    async def validate_project_credit_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        code = "".join(str(slot_value or "").split()).upper()
        return await self._save_fact("project_credit_code", code, dispatcher, tracker)

    async def validate_project_location(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return await self._save_fact("project_location", str(slot_value or "").strip()[:300], dispatcher, tracker)

    async def validate_project_contact_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return await self._save_fact("project_contact_name", str(slot_value or "").strip()[:50], dispatcher, tracker)

    async def validate_project_contact_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        phone = "".join(str(slot_value or "").split())[:20]
        return await self._save_fact("project_contact_phone", phone, dispatcher, tracker)


def ask_text(question: Question) -> str:
    """The question as the bot asks it, with its place in the list and how to answer."""
    position = question.get("_position")
    prefix = f"（第{position}题）" if position else ""
    text = prefix + question.get("prompt", question.get("label", ""))
    kind = question.get("kind")
    if kind == "number":
        unit = question.get("unit") or ""
        hint = NUMBER_HINTS.get(unit) or (f"单位：{unit}" if unit else "")
        if family_for(unit) is not None and hint:
            hint = f"单位：{unit}，{hint}"
        if hint:
            text += f"\n（{hint}）"
    elif kind == "choice":
        options = list((question.get("options") or {}).values())
        text += "\n" + "\n".join(f"{n}. {label}" for n, label in enumerate(options, 1))
    return text


class ActionAskIndicatorAnswer(Action):
    """Asks the API's next applicable question, with buttons for its options."""

    def name(self) -> Text:
        return "action_ask_indicator_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        question: Optional[Question] = tracker.get_slot("current_question")
        events: List[EventType] = []
        if not question:
            project_id = _project_id(tracker)
            if project_id is None:
                dispatcher.utter_message(response="utter_ask_project_name")
                return []
            try:
                async with client(tracker) as api:
                    questions = await api.project_questions(project_id)
            except ApiError as error:
                dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
                return []
            slots = question_events(questions)
            events = [SlotSet(k, v) for k, v in slots.items()]
            question = slots["current_question"]
            if not question:
                dispatcher.utter_message(text="指标问题都已回答完毕，请回复“好的”继续。")
                return events
        kind = question.get("kind")
        if kind == "yes_no":
            options = buttons("是", "否")
        elif kind == "choice":
            options = buttons(*list((question.get("options") or {}).values()))  # all of them (14 industries)
        else:
            options = []
        dispatcher.utter_message(text=ask_text(question), buttons=options)
        return events


PROJECT_PHRASING = re.compile(
    r"报建|立项|新建|扩建|改建|技改|建设项目|投资建|推演|意见书|开工前|(报|做|搞|上|有)[一个]{0,2}[^，。？?！!]{0,4}项目|"
    r"(建|盖|造|修建|建设)[一个座栋所间幢]{0,2}[^，。？?！!]{0,8}?"
    r"(厂|楼|房|仓库|车间|中心|园|学校|医院|小区|工程|项目|基地|机房|公寓|站)|"
    r"(项目|工程)[^，。？?！!]{0,6}(审批|手续|流程|许可|报批|开工|事项)"
)
"""How a building project is talked about (报建一个仓库, 新建厂房, 项目审批流程): the intake is for such questions."""


YES_OR_NO = re.compile(r"[吗么][？?]?\s*$|吗[，,\s]|要不要|能不能|是不是|可不可以|用不用|需不需要|算不算|谁出|谁批|谁管")
"""A yes/no question about one requirement (“新建住宅要不要配建人防地下室”, “盖个仓库也要做消防设计审查吗”)."""
REQUEST_WORDS = re.compile(
    r"梳理|列一下|理一下|推一下|从哪开始|哪些(审批|许可|批文|手续)|审批流程|审批怎么走|审批有哪些|我要|我想|帮我"
)
"""Words of a request for the whole project's approvals, which the intake answers (“帮我梳理下报建流程”)."""
INTAKE_WORDS = re.compile(rf"报建|{REQUEST_WORDS.pattern}")
"""The request words, and 报建 (“新建厂房报建找你们吗”): a yes/no question with them is for the intake, unless it
names one approval the search recognises (“报建仓库要办消防设计审查吗”)."""
FINISHED = re.compile(r"(盖|建|修|造)(好|完|成)了|已经建成|竣工|完工|投入使用")
"""A building already finished (“厂房盖好了要办房产证”): its registration or acceptance, not an intake."""


def asks_one_requirement(text: str, result: Dict[str, Any] | None = None) -> bool:
    """Whether a message the NLU took for the start of an intake is a yes/no question about one requirement of a
    project rather than a request for its approvals: the knowledge base answers it, however much it talks of
    building (PROJECT_PHRASING). ``result``: the search's answer to it, when it is known — a question that names
    one approval the search recognises is about that approval even when it says 报建."""
    if not YES_OR_NO.search(text):
        return False
    if not INTAKE_WORDS.search(text):
        return True
    return bool((result or {}).get("recognised_item")) and not REQUEST_WORDS.search(text)


def talks_of_a_project(text: str) -> bool:
    """Whether a message talks of a building project still to be approved (PROJECT_PHRASING, not FINISHED)."""
    return bool(PROJECT_PHRASING.search(text)) and not FINISHED.search(text)


def is_single_item_question(text: str, result: Dict[str, Any]) -> bool:
    """Whether a message the NLU took for the start of an intake asks about one service item instead (the search
    recognises an item in it, or ranks an item's guide first with confidence, and it says nothing of building a
    project: “挖开马路接水管要什么审批”, “院子里的树要
    移走走什么手续”) — its guide answers it; starting an intake about a project would not."""
    if talks_of_a_project(text):
        return False
    hits = result.get("hits") or []
    top_is_item = bool(result.get("answered")) and bool(hits) and hits[0].get("kind") == "item"
    return bool(result.get("recognised_item")) or top_is_item


class ActionStartIntake(Action):
    """Starts an intake, or resumes the one in progress (its project is kept in ``project_id``)."""

    def name(self) -> Text:
        return "action_start_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        project_id = _project_id(tracker)
        if project_id is not None:
            try:
                async with client(tracker) as api:
                    questions = await api.project_questions(project_id)
            except ApiError as error:
                if error.unavailable:
                    dispatcher.utter_message(text=UNAVAILABLE)
                    return []
                dispatcher.utter_message(text="上次的报建草稿已无法继续，我们重新开始。\n" + INTRO)
                return [SlotSet(s, None) for s in INTAKE_SLOTS]
            left = len(questions.get("unanswered") or [])
            name = tracker.get_slot("project_name") or "您的项目"
            more = f"还有 {left} 个问题。" if left else "问题都已回答，还差几项基本信息。"
            dispatcher.utter_message(text=f"欢迎回来！我们接着填写「{name}」的报建，{more}")
            return [SlotSet(k, v) for k, v in question_events(questions).items()]
        text = latest_text(tracker)
        if latest_intent(tracker) == "start_project_intake" and (YES_OR_NO.search(text) or not talks_of_a_project(text)):
            try:
                async with client(tracker) as api:
                    result = await api.search_knowledge(text[:500])
            except ApiError:
                result = {}
            found = dict(result)
            if found.get("answered") and (asks_one_requirement(text, found) or FINISHED.search(text)):
                events = await answer_from_knowledge(dispatcher, tracker, text, result=found)
                return [*events, FollowupAction("action_listen")]
            if is_single_item_question(text, found):  # a question about one item: its guide, no intake
                events = await show_guide(dispatcher, tracker, text)
                return [*events, FollowupAction("action_listen")]
        if latest_intent(tracker) == "resume":
            dispatcher.utter_message(text="没有找到未完成的报建，我们新建一个吧。")
        dispatcher.utter_message(text=INTRO)
        return []


class ActionPauseIntake(Action):
    """Pauses the intake; everything answered so far stays saved (in the API and in the slots)."""

    def name(self) -> Text:
        return "action_pause_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text="好的，报建已暂停，您填写的内容都已保存。想继续时，对我说“继续报建”即可。")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


def format_flow(name: str, derivation: Derivation, letters: List[Letter]) -> str:
    """The derived approval flow by stage, with the letter's PDF link."""
    flow = derivation.get("flow") or {}
    stages = [s for s in flow.get("stages") or [] if s.get("items")]
    total_items = sum(len(s.get("items") or []) for s in stages)
    head = f"「{name}」的审批流程已推演完成：共 {total_items} 个审批事项"
    if flow.get("total_days"):
        head += f"，预计总用时约 {flow['total_days']} 个工作日"
    lines = [head + "。"]
    for n, stage in enumerate(stages):
        ordinal = CN_ORDINALS[n] if n < len(CN_ORDINALS) else str(n + 1)
        lines.append(f"{ordinal}、{stage.get('name', '')}")
        for m, item in enumerate(stage.get("items") or [], 1):
            extra = [x for x in (item.get("department_name"), _days(item.get("time_limit_days"))) if x]
            lines.append(f"  {m}. {item.get('name', '')}" + (f"（{'，'.join(extra)}）" if extra else ""))
    ruled_out = flow.get("ruled_out") or []
    if ruled_out:
        names = "、".join(r.get("name", "") for r in ruled_out[:3] if r.get("name"))
        lines.append(f"另有 {len(ruled_out)} 项经判断无需办理" + (f"（如{names}）" if names else "") + "。")
    if letters:
        letter = letters[0]
        kind = "正式版" if letter.get("is_final") else "初稿"
        lines.append(f"指导意见书（{kind}，第{letter.get('version', 1)}版）：{public_link(letter.get('pdf_url', ''))}")
    lines.append("流程将由各审批部门审核确认；如需修改答案，直接告诉我即可，例如“刚才投资额说错了，是1.2亿”。")
    return "\n".join(lines)


def _days(days: Any) -> str:
    return f"{days}个工作日" if days else ""


async def derive_and_report(
    api: TongbanClient, dispatcher: CollectingDispatcher, project_id: int, name: str
) -> Optional[str]:
    """Derives the flow and sends the summary; returns the field to re-ask when the API says one is missing."""
    try:
        derivation = await api.derive(project_id)
    except ApiError as error:
        if error.unavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return ""
        dispatcher.utter_message(text=f"还不能生成流程：{error.message}。请说“继续报建”补充。")
        return error.field or ""
    try:
        letters = await api.letters(project_id)
    except ApiError:
        letters = []
    dispatcher.utter_message(text=format_flow(name, derivation, letters))
    return None


class ActionSubmitProject(Action):
    """Derives the approval flow once every applicable question and project fact is in."""

    def name(self) -> Text:
        return "action_submit_project"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        project_id = _project_id(tracker)
        if project_id is None:
            dispatcher.utter_message(text="没有找到进行中的报建，请说“我要报建”开始。")
            return []
        name = tracker.get_slot("project_name") or "项目"
        async with client(tracker) as api:
            missing = await derive_and_report(api, dispatcher, project_id, name)
        if missing is None:
            return [SlotSet(s, None) for s in [*INTAKE_SLOTS]] + [SlotSet("last_project_id", project_id)]
        if missing.startswith("indicators."):
            return [SlotSet("indicator_answer", None), SlotSet("current_question", None)]
        if missing in SLOT_OF_FACT:
            return [SlotSet(SLOT_OF_FACT[missing], None)]
        return []


class ActionCorrectAnswer(Action):
    """Changes an earlier answer ("刚才投资额说错了，是1.2亿"), in an intake or after its flow was derived."""

    def name(self) -> Text:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = latest_text(tracker)
        if not CORRECTION_CUE.search(text) and looks_like_question(text):
            # "信用代码在哪里查？" names a field but asks a question: answer it
            return await answer_from_knowledge(dispatcher, tracker, text)
        in_progress = _project_id(tracker)
        project_id = in_progress if in_progress is not None else _project_id(tracker, "last_project_id")
        if project_id is None:
            dispatcher.utter_message(
                text="目前没有进行中的报建可以更正。如需修改已提交办件的信息，请联系窗口工作人员，或说“转人工”。"
            )
            return []
        try:
            async with client(tracker) as api:
                return await self._correct(api, dispatcher, tracker, text, project_id, in_progress is not None)
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
            return []

    async def _correct(
        self,
        api: TongbanClient,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        text: str,
        project_id: int,
        in_progress: bool,
    ) -> List[EventType]:
        questions = await api.project_questions(project_id)
        applicable = {q["key"]: q for q in questions.get("applicable") or []}
        labels = {k: q.get("label", "") for k, q in applicable.items()}
        labels.update(questions.get("project_info_labels") or {})
        field = identify_field(text, labels)
        if field is None:
            dispatcher.utter_message(text="请告诉我要更正哪一项和正确的内容，例如“刚才投资额说错了，是1.2亿”。")
            return []
        value_text = correction_value(text)
        if field in PROJECT_FACTS:
            label = fact_label(questions, field)
            return await self._correct_fact(api, dispatcher, project_id, field, label, value_text, in_progress)
        question = applicable.get(field)
        if question is None:
            dispatcher.utter_message(text="根据您目前的回答，这一项不需要填写，无需更正。")
            return []
        if not value_text:
            if in_progress:
                dispatcher.utter_message(text=f"好的，请重新回答“{question.get('label', '')}”。")
                return [SlotSet("current_question", dict(question)), SlotSet("indicator_answer", None)]
            dispatcher.utter_message(
                text=f"请直接告诉我新的{question.get('label', '')}，例如“刚才投资额说错了，是1.2亿”。"
            )
            return []
        try:
            value = parse_answer(question, value_text)
        except ParseError as error:
            dispatcher.utter_message(text=f"{question.get('label', '')}：{error}")
            return []
        try:
            await api.answer(project_id, field, value)
        except ApiError as error:
            if error.unavailable:
                raise
            dispatcher.utter_message(text=f"没能更正：{error.message}")
            return []
        questions = await api.project_questions(project_id)
        dispatcher.utter_message(
            text=f"好的，已把{question.get('label', '')}更正为{display(question, value, questions)}。"
        )
        if in_progress:
            slots = question_events(questions)
            if tracker.get_slot("indicator_answer") is None or slots["indicator_answer"] is None:
                return [SlotSet(k, v) for k, v in slots.items()]
            return []
        name = tracker.get_slot("project_name") or (await api.project(project_id)).get("name") or "项目"
        if questions.get("next"):
            dispatcher.utter_message(text="更正后有新的问题需要回答，请说“继续报建”。")
            return [
                SlotSet("project_id", project_id),
                SlotSet("last_project_id", None),
                *[SlotSet(k, v) for k, v in question_events(questions).items()],
            ]
        dispatcher.utter_message(text="正在按更正后的答案重新推演流程……")
        await derive_and_report(api, dispatcher, project_id, name)
        return []

    async def _correct_fact(
        self,
        api: TongbanClient,
        dispatcher: CollectingDispatcher,
        project_id: int,
        field: str,
        label: str,
        value_text: Optional[str],
        in_progress: bool,
    ) -> List[EventType]:
        slot = SLOT_OF_FACT[field]
        if not value_text:
            if in_progress:
                dispatcher.utter_message(text=f"好的，稍后请重新告诉我{label}。")
                return [SlotSet(slot, None)]
            dispatcher.utter_message(text=f"请直接告诉我新的{label}，例如“{label}改为……”。")
            return []
        value = "".join(value_text.split()).upper() if field == "credit_code" else value_text.strip()
        try:
            await api.update_project(project_id, {field: value})
        except ApiError as error:
            if error.unavailable:
                raise
            dispatcher.utter_message(text=f"没能更正：{error.message}")
            return []
        dispatcher.utter_message(text=f"好的，已把{label}更正为“{value}”。")
        return [SlotSet(slot, value)] if in_progress else []


class ActionStopForm(Action):
    """ "算了/暂停": pauses an intake (kept for later), cancels a query or rating, or just acknowledges — unless
    there is nothing to stop and the message is a service question the search answers (the NLU took “弄丢了” for
    “算了”)."""

    def name(self) -> Text:
        return "action_stop_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        loop = (tracker.active_loop or {}).get("name")
        if loop == "project_form":
            return await ActionPauseIntake().run(dispatcher, tracker, domain)
        if loop:
            dispatcher.utter_message(text="好的，已取消。还有什么可以帮您？")
            cleared = ["case_no", "query_code", "case_bound", "progress_result", "rating_level", "rating_comment"]
            return [ActiveLoop(None), SlotSet("requested_slot", None), *[SlotSet(s, None) for s in cleared]]
        if _project_id(tracker) is not None:
            dispatcher.utter_message(text="好的。您有一个未完成的报建，想继续时说“继续报建”即可。")
            return []
        answered = await search_first(dispatcher, tracker)  # nothing to stop: “营业执照原件弄丢了咋办” asks
        if answered is not None:
            return answered
        dispatcher.utter_message(text="好的。还有什么可以帮您？")
        return []
