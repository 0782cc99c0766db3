"""我的项目到哪一步了: the channel user's own construction projects, from GET /my/projects.

One project (or the one the message names): where its filing stands and, once it is tracked as a major project,
its stage and progress, the approvals done, running and next (with departments and dates), what is late and the
next milestone. Several: a short list with a button per project. None: says so and offers the intake.

Which project a message names: its number, its full name, or failing that the one project sharing the longest
piece (two characters or more) of the words left after the question words ("二期到哪一步了" → …产业园二期).
Answers are split into messages WeChat can carry, at line or sentence ends.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import ApiError, MyMajorProject, MyNode, MyProject, public_link
from actions.common import buttons, client, format_date, latest_text
from actions.guards import PROJECT_WORDS, search_first

UNAVAILABLE = "抱歉，项目系统暂时无法访问，请稍后再试。"
NO_IDENTITY = "当前渠道无法识别您的身份，暂时不能查询“我的项目”。"
NONE_YET = (
    "您还没有通过本渠道填报的投资建设项目。需要梳理项目要办哪些审批，可以现在开始报建咨询。\n"
    "（在网上办事大厅登录后填报的项目，请登录网站查看。）"
)
CHOOSE_PREFIX = "查看项目进度："
LIST_LIMIT = 8
DONE_SHOWN = 3
MAX_CHARS = 600
"""A WeChat customer-service text message carries at most 2048 bytes (about 680 Chinese characters in UTF-8):
longer answers go out as several messages."""

QUESTION_WORDS = re.compile(
    r"我们的|我们|我的|我|咱们|项目|工程|审批|手续|进展|进度|情况|现在|目前|到底|"
    r"办到|到了|到哪|哪一步|哪步|哪儿|哪里|哪了|怎么样|如何|查看|查询|查一下|查查|看看|帮我|请问|麻烦|"
    r"了|吗|呢|啊|呀|的|[\s，,。.！!？?：:、]"
)


def split_messages(lines: List[str], limit: int = MAX_CHARS) -> List[str]:
    """Whole lines packed into messages of at most ``limit`` characters; a line longer than that alone is cut
    after a sentence (。；！？), never inside one."""
    pieces: List[str] = []
    for line in lines:
        if len(line) <= limit:
            pieces.append(line)
            continue
        sentence = ""
        for part in re.split(r"(?<=[。；！？])", line):
            if sentence and len(sentence) + len(part) > limit:
                pieces.append(sentence)
                sentence = ""
            sentence += part
        if sentence:
            pieces.append(sentence)
    messages: List[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > limit:
            messages.append(current)
            current = ""
        current = f"{current}\n{piece}" if current else piece
    if current:
        messages.append(current)
    return messages


def _common(a: str, b: str) -> int:
    """The length of the longest piece two strings share."""
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def named_project(projects: List[MyProject], text: str) -> Optional[MyProject]:
    """The project the message names (number, full name, or the one sharing the longest word piece), if any."""
    text = (text or "").strip()
    if not text:
        return None
    upper = text.upper()
    for project in projects:
        if project.get("code") and str(project["code"]).upper() in upper:
            return project
    full = [p for p in projects if p.get("name") and p["name"] in text]
    if full:
        return max(full, key=lambda p: len(p["name"]))
    words = [w for w in QUESTION_WORDS.sub(" ", text).split() if len(w) >= 2]
    if not words:
        return None
    scores = [(max(_common(w, p.get("name", "")) for w in words), n) for n, p in enumerate(projects)]
    scored = sorted(scores, reverse=True)
    best, index = scored[0]
    if best < 2 or (len(scored) > 1 and scored[1][0] == best):
        return None
    return projects[index]


# ---------------------------------------------------------------- what is said


def _share(major: MyMajorProject, percent: bool = True) -> str:
    overall = (major.get("progress") or {}).get("overall") or {}
    share = f"{overall.get('done', 0)}/{overall.get('total', 0)}"
    return f"{share}（{overall.get('percent', 0)}%）" if percent else share


def list_line(number: int, project: MyProject) -> str:
    """A project as a line of the list."""
    major = project.get("major_project")
    if not major:
        return f"{number}. {project.get('name', '')}（报建状态：{project.get('status_label', '')}）"
    late = major.get("overdue_nodes") or 0
    state = f"{major.get('stage_label', '')}阶段，审批节点完成 {_share(major, percent=False)}"
    return f"{number}. {project.get('name', '')}（{state}" + (f"，{late} 项超期" if late else "") + "）"


def _node(node: MyNode, when: str) -> str:
    department = (node.get("department") or {}).get("name", "")
    day = format_date(node.get("planned_finish"))
    extra = [department] + ([f"计划{day}{when}"] if day else []) + (["已超期"] if node.get("overdue") else [])
    return f"· {node.get('name', '')}（{'，'.join(x for x in extra if x)}）"


def _letter(project: MyProject) -> str:
    letter = project.get("letter")
    if not letter:
        return ""
    kind = "正式版" if letter.get("is_final") else "初稿"
    return f"指导意见书{kind}（第{letter.get('version', 1)}版）：{public_link(letter.get('pdf_url', ''))}"


def filing_lines(project: MyProject, resumable: bool) -> List[str]:
    """Where the filing stands and what comes next, for a project not tracked as a major project."""
    status = project.get("status")
    lines = [f"「{project.get('name', '')}」（项目编号 {project.get('code', '')}）报建状态：{project.get('status_label', '')}。"]
    if _letter(project):
        lines.append(_letter(project))
    if status == "draft":
        lines.append(
            "下一步：接着回答报建问题，回复“继续报建”即可。"
            if resumable
            else "下一步：把报建信息填写完整，再推演审批流程（您当前还有一个报建未完成，完成后再继续这个项目）。"
        )
    elif status == "derived":
        lines.append("下一步：提交各审批部门审核确认流程。需要帮助可以说“转人工”。")
    elif status == "in_review":
        waiting = "、".join(project.get("reviews_pending") or [])
        lines.append(
            (f"下一步：等待{waiting}确认流程" if waiting else "下一步：等待各部门确认流程")
            + "，全部确认后出具正式版指导意见书。"
        )
    else:
        lines.append(
            "流程已经各部门确认。下一步：按指导意见书依次申报各项审批；项目列入重大项目跟踪后，可以在这里查看每个审批节点的进度。"
        )
    return lines


def tracked_lines(project: MyProject, major: MyMajorProject) -> List[str]:
    """The stage and progress, approvals done, running and next, what is late and the next milestone."""
    nodes = [n for n in major.get("nodes") or [] if n.get("state") != "skipped"]
    officer = major.get("officer_name") or ""
    head = f"「{project.get('name', '')}」（重大项目 {major.get('code', '')}）"
    lines = [head, f"目前处于{major.get('stage_label', '')}阶段，审批节点已完成 {_share(major)}。"]
    if major.get("status") != "active":
        lines[-1] += f"项目跟踪状态：{major.get('status_label', '')}。"
    if officer:
        lines[-1] += f"一对一帮办专员：{officer}。"
    done = sorted((n for n in nodes if n.get("state") == "done"), key=lambda n: n.get("actual_finish") or "")
    if done:
        shown = [
            f"{n.get('name', '')}（{format_date(n.get('actual_finish'))}" + ("，晚于计划" if n.get("overdue") else "") + "）"
            for n in done[-DONE_SHOWN:]
        ]
        more = f"共 {len(done)} 项，最近：" if len(done) > DONE_SHOWN else ""
        lines.append(f"已完成：{more}{'；'.join(shown)}。")
    running = [n for n in major.get("next_steps") or [] if n.get("state") == "in_progress"]
    ready = [n for n in major.get("next_steps") or [] if n.get("state") == "pending"]
    if running:
        lines += ["正在办理："] + [_node(n, "完成") for n in running]
    if ready:
        lines += ["下一步可以办理："] + [_node(n, "完成") for n in ready]
    waiting = sum(1 for n in nodes if n.get("state") == "pending" and not n.get("ready"))
    if waiting:
        lines.append(f"之后还有 {waiting} 个审批节点，待前置审批完成后依次办理。")
    if not running and not ready and not waiting:
        lines.append("全部审批节点都已完成。")
    late = [n.get("name", "") for n in nodes if n.get("overdue") and n.get("state") in ("pending", "in_progress")]
    if late:
        who = f"可联系帮办专员{officer}" if officer else "可以说“转人工”"
        lines.append(f"超期提醒：{len(late)} 个节点已过计划完成日期（{'、'.join(late)}），如需协调，{who}。")
    milestones = major.get("next_milestones") or []
    if milestones:
        first = milestones[0]
        lines.append(
            f"下一个里程碑：{first.get('name', '')}（计划{format_date(first.get('planned_finish'))}"
            + ("，已超期" if first.get("overdue") else "")
            + "）。"
        )
    lines.append(f"报建：{project.get('status_label', '')}。")
    if _letter(project):
        lines.append(_letter(project))  # a link ends its line: no punctuation glued to it
    return lines


def _intake_id(tracker: Tracker) -> Optional[int]:
    try:
        value = tracker.get_slot("project_id")
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


async def answer_project_progress(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, in_intake: bool = False
) -> List[EventType]:
    """Answers from GET /my/projects: one project in full, several as a list to pick from, none: the intake.

    ``in_intake``: asked in the middle of an intake (the form asks its question again afterwards), so a draft is
    not offered for "继续报建" and no slot is set."""
    try:
        async with client(tracker) as api:
            if not api.has_channel_user:
                dispatcher.utter_message(text=NO_IDENTITY)
                return []
            projects = await api.my_projects()
    except ApiError as error:
        dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
        return []
    if not projects:
        dispatcher.utter_message(text=NONE_YET, buttons=[] if in_intake else buttons("我要报建"))
        return []
    chosen = projects[0] if len(projects) == 1 else named_project(projects, latest_text(tracker))
    if chosen is None:
        heading = f"您有 {len(projects)} 个报建项目：" if len(projects) <= LIST_LIMIT else f"您最近的 {LIST_LIMIT} 个报建项目："
        lines = [heading] + [list_line(n, p) for n, p in enumerate(projects[:LIST_LIMIT], 1)]
        lines.append("想看哪一个的进度？请点选，或直接说项目名称。")
        titles = [CHOOSE_PREFIX + p.get("name", "") for p in projects[:LIST_LIMIT]]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons(*titles))
        return []
    major = chosen.get("major_project")
    in_progress = _intake_id(tracker)
    resumable = (
        chosen.get("status") == "draft"
        and in_progress in (None, chosen.get("id"))
        and not (in_intake and in_progress is None)
    )
    for text in split_messages(tracked_lines(chosen, major) if major else filing_lines(chosen, resumable)):
        dispatcher.utter_message(text=text)
    if resumable and in_progress is None:  # "继续报建" now resumes this draft
        return [SlotSet("project_id", chosen.get("id")), SlotSet("project_name", chosen.get("name"))]
    return []


class ActionMyProjectProgress(Action):
    """Answers "我的项目到哪一步了" (answer_project_progress)."""

    def name(self) -> Text:
        return "action_my_project_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        answered = await search_first(dispatcher, tracker, PROJECT_WORDS)  # “节能审查意见批了以后规模变了咋办”
        if answered is not None:
            return answered
        return await answer_project_progress(dispatcher, tracker)
