"""Cases (办件): progress queries, 我的办件, binding a case to the channel user, and rating (好差评).

Nothing about a case is said without its query password, unless the API confirms the channel user is bound
to the applicant. A wrong password and an unknown number get the API's one message, nothing more.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.client import ApiError, MyCase, Progress
from actions.common import buttons, client, format_date
from actions.guards import PROGRESS_WORDS, answered_this_turn, search_first
from actions.parsing import LEVEL_LABELS, ParseError, find_query_code, normalize_case_no, parse_rating_level

CASE_NO_HELP = "办件编号的格式是 KF 加 12 位数字（例如 KF202611260017），在受理通知书或短信里可以找到。请重新输入。"
QUERY_CODE_HELP = "查询密码是受理通知书上的 6 位数字，请重新输入。"
UNAVAILABLE = "抱歉，办件系统暂时无法访问，请稍后再试。"
CLEAR_CASE = ["case_no", "query_code", "case_bound", "progress_result"]
NO_COMMENT = {
    "没有",
    "没有了",
    "无",
    "没",
    "不用",
    "不用了",
    "没了",
    "暂无",
    "没意见",
    "没有意见",
    "没有建议",
    "算了",
    "不了",
    "否",
}


def _cleared(*extra: str) -> List[EventType]:
    return [SlotSet(name, None) for name in [*CLEAR_CASE, *extra]]


class CaseFormValidation(FormValidationAction):
    """Case number and password, shared by the progress, binding and rating forms."""

    #: whether a bound channel user may skip the password in this form
    allow_bound = True

    @abstractmethod
    def name(self) -> Text:  # each form's validation action names itself
        ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """At the form's start, a service question the NLU took for this flow (“排水许可几天能办好”) is answered
        from the knowledge base and the form ends at once (actions/guards.py); otherwise the usual validation."""
        starting = (tracker.active_loop or {}).get("name") != self.form_name()
        if starting and not tracker.get_slot("case_no"):
            answered = await search_first(dispatcher, tracker, PROGRESS_WORDS)
            if answered is not None:
                return [*answered, SlotSet("requested_slot", None), FollowupAction("action_listen")]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if self.allow_bound and tracker.get_slot("case_bound"):
            return [s for s in domain_slots if s != "query_code"]
        return list(domain_slots)

    async def validate_case_no(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        case_no = normalize_case_no(str(slot_value or ""))
        if not case_no:
            dispatcher.utter_message(text=CASE_NO_HELP)
            return {"case_no": None}
        events: Dict[Text, Any] = {"case_no": case_no, "case_bound": False, "progress_result": None}
        if self.allow_bound:
            bound = await self._bound_progress(tracker, case_no)
            if bound is not None:
                events.update(case_bound=True, progress_result=bound, query_code=None)
        return events

    async def _bound_progress(self, tracker: Tracker, case_no: str) -> Optional[Progress]:
        """The progress when the channel user is bound to the case (no password needed), else None."""
        async with client(tracker) as api:
            if not api.has_channel_user:
                return None
            try:
                return await api.progress(case_no)
            except ApiError:
                return None  # not bound, unknown, or unreachable: ask for the password, say nothing else

    async def validate_query_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        code = find_query_code(str(slot_value or ""))
        if not code:
            dispatcher.utter_message(text=QUERY_CODE_HELP)
            return {"query_code": None}
        return {"query_code": code}


class ValidateProgressForm(CaseFormValidation):
    def name(self) -> Text:
        return "validate_progress_form"


class ValidateBindForm(CaseFormValidation):
    allow_bound = False

    def name(self) -> Text:
        return "validate_bind_form"


class ValidateRatingForm(CaseFormValidation):
    def name(self) -> Text:
        return "validate_rating_form"

    async def validate_rating_level(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            return {"rating_level": str(parse_rating_level(str(slot_value or "")))}
        except ParseError as error:
            dispatcher.utter_message(text=str(error))
            return {"rating_level": None}

    async def validate_rating_comment(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(slot_value or "").strip().strip("。.!！~～")
        if text in NO_COMMENT:
            text = ""
        return {"rating_comment": text[:1000]}


def format_progress(progress: Progress) -> str:
    """What the citizen is told about their case."""
    item = progress.get("service_item_name") or progress.get("item_name") or ""
    status = progress.get("status_label", "")
    step = progress.get("current_step_label", "")
    lines = [f"办件 {progress.get('case_no', '')} 的办理进度：", f"事项：{item}"]
    lines.append(f"状态：{status}" + (f"（当前环节：{step}）" if step and status != "已办结" else ""))
    if progress.get("department_name"):
        lines.append(f"承办部门：{progress['department_name']}")
    if progress.get("concluded_at"):
        result = progress.get("conclusion_result_label") or "已办结"
        lines.append(f"办结结果：{result}（{format_date(progress['concluded_at'])}）")
    elif progress.get("promised_date"):
        lines.append(f"承诺办结日期：{format_date(progress['promised_date'])}")
    pending = progress.get("pending_supplement") or []
    if pending:
        lines.append("需要补正的材料：" + "、".join(pending))
    steps = progress.get("steps") or []
    if steps:
        last = steps[-1]
        what = "".join(x for x in (last.get("action_label") or last.get("step_label", ""),) if x)
        result = last.get("result_label") or ""
        when = format_date(last.get("created_at"))
        lines.append(f"最近进展：{when} {what}" + (f"（{result}）" if result else ""))
    return "\n".join(lines)


class ActionQueryProgress(Action):
    """Answers the progress query once the form has the case number (and the password unless bound)."""

    def name(self) -> Text:
        return "action_query_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        case_no = tracker.get_slot("case_no")
        progress = tracker.get_slot("progress_result") if tracker.get_slot("case_bound") else None
        bound = progress is not None
        if not case_no and answered_this_turn(tracker):  # the form ended early: the question was answered
            return _cleared()
        if not case_no:
            dispatcher.utter_message(text="请告诉我办件编号，我来帮您查询。")
            return _cleared()
        if progress is None:
            try:
                async with client(tracker) as api:
                    progress = await api.progress(case_no, tracker.get_slot("query_code"))
                    can_bind = api.has_channel_user
            except ApiError as error:
                dispatcher.utter_message(
                    text=UNAVAILABLE if error.unavailable else error.message, buttons=buttons("重新查询", "转人工")
                )
                return _cleared()
        else:
            can_bind = False
        dispatcher.utter_message(text=format_progress(progress))
        if not bound and can_bind:
            dispatcher.utter_message(text="想以后查询不用输密码？回复“绑定办件”，把这个办件绑定到当前账号。")
        return _cleared()


class ActionMyCases(Action):
    """Lists the cases of the applicant(s) the channel user is bound to."""

    def name(self) -> Text:
        return "action_my_cases"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        answered = await search_first(dispatcher, tracker)
        if answered is not None:
            return answered
        try:
            async with client(tracker) as api:
                if not api.has_channel_user:
                    dispatcher.utter_message(
                        text="当前渠道无法识别您的身份，暂时不能列出“我的办件”。您可以用办件编号和查询密码查询进度。"
                    )
                    return []
                cases = await api.my_cases()
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
            return []
        if not cases:
            dispatcher.utter_message(
                text="您当前还没有关联的办件。通过本渠道申报的办件会自动关联；其他办件可以回复“绑定办件”，"
                "用办件编号和查询密码绑定一次，以后查询就不用输密码了。",
                buttons=buttons("绑定办件", "查询办件进度"),
            )
            return []
        dispatcher.utter_message(text=format_my_cases(cases))
        return []


def format_my_cases(cases: List[MyCase], limit: int = 10) -> str:
    """The bound cases, newest first."""
    lines = [f"您共有 {len(cases)} 个办件：" if len(cases) <= limit else f"您最近的 {limit} 个办件："]
    for n, case in enumerate(cases[:limit], 1):
        step = case.get("current_step_label", "")
        status = case.get("status_label", "")
        state = status + (f"·{step}" if step and status != "已办结" else "")
        lines.append(
            f"{n}. {case.get('case_no', '')} {case.get('item_name', '')}（{state}，{case.get('department_name', '')}）"
        )
    lines.append("回复办件编号可查看详细进度。")
    return "\n".join(lines)


class ActionBindCase(Action):
    """Binds the channel user to the applicant of a case, proven by its number and password."""

    def name(self) -> Text:
        return "action_bind_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if not tracker.get_slot("case_no") and answered_this_turn(tracker):  # the form ended early
            return _cleared()
        try:
            async with client(tracker) as api:
                if not api.has_channel_user:
                    dispatcher.utter_message(text="当前渠道无法识别您的身份，暂时不能绑定办件。")
                    return _cleared()
                cases = await api.bind(tracker.get_slot("case_no") or "", tracker.get_slot("query_code") or "")
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
            return _cleared()
        dispatcher.utter_message(text="绑定成功！以后查询这个办件不需要再输入查询密码；其他办件请分别绑定。")
        if cases:
            dispatcher.utter_message(text=format_my_cases(cases))
        return _cleared()


class ActionSubmitRating(Action):
    """Sends the rating; a bad one goes to the department for follow-up (the API routes it)."""

    def name(self) -> Text:
        return "action_submit_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        clear = _cleared("rating_level", "rating_comment")
        if not tracker.get_slot("case_no") and answered_this_turn(tracker):  # the form ended early
            return clear
        try:
            level = int(tracker.get_slot("rating_level") or 0)
        except ValueError:
            level = 0
        if not 1 <= level <= 5:
            dispatcher.utter_message(text="评价等级没有记录成功，请重新说“我要评价”。")
            return clear
        query_code = None if tracker.get_slot("case_bound") else tracker.get_slot("query_code")
        try:
            async with client(tracker) as api:
                rating = await api.rate(
                    tracker.get_slot("case_no") or "", level, tracker.get_slot("rating_comment") or "", query_code
                )
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
            return clear
        label = rating.get("level_label") or LEVEL_LABELS.get(level, "")
        text = f"感谢您的评价！已记录：{label}。"
        if rating.get("follow_up"):
            due = format_date(rating.get("follow_up_due_at"))
            text += "非常抱歉给您带来不好的体验。您的意见已转交承办部门核实整改" + (
                f"，将在{due}前答复您。" if due else "，并会尽快答复您。"
            )
        else:
            text += "您的认可是我们前进的动力。"
        dispatcher.utter_message(text=text)
        return clear
