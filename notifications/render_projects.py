"""What 问题协调 and 会商 events say (core/major_projects/events.py): the in-site message and, made from it, the
WeCom text card (notifications/render.py ``wecom_textcard``). Each links to the project's page, where the problem
is answered and the decisions marked done."""

from collections.abc import Callable
from typing import Any

from core.events.kinds import EventKind, IssueClosed, IssueFacts, IssueRaised, IssueReplied, MeetingDecided
from notifications.words import Message, admin_link, day, s, when


def _link(url: str, project_id: int) -> str:
    return s(url) or admin_link(f"/admin/major-projects/{project_id}")


def _issue_lines(p: IssueFacts) -> str:
    return (
        f"所属项目：{s(p.project_name)}（{s(p.project_code)}）\n"
        f"协调部门：{'、'.join(p.department_names) or '—'}\n"
        f"提出人：{s(p.raised_by_name, '—')}\n"
        f"要求解决日期：{day(p.due_on)}"
    )


def _issue_raised(p: IssueRaised) -> Message:
    body = f"重大项目“{s(p.project_name)}”提出协调问题，请贵部门于 {day(p.due_on)} 前答复：{s(p.title)}"
    if p.description:
        body += f"\n问题说明：{p.description}"
    body += f"\n{_issue_lines(p)}"
    return Message(f"协调问题待答复：{s(p.title)}", body, _link(p.url, p.major_project_id))


def _issue_replied(p: IssueReplied) -> Message:
    progress = "各协调部门均已答复，可办结该问题。" if p.all_replied else "尚有部门未答复。"
    body = (
        f"{s(p.department_name)}（{s(p.author_name)}）答复了您提出的协调问题“{s(p.title)}”：\n{s(p.body)}\n"
        f"{progress}\n{_issue_lines(p)}"
    )
    return Message(f"协调问题已答复：{s(p.title)}", body, _link(p.url, p.major_project_id))


def _issue_closed(p: IssueClosed) -> Message:
    body = (
        f"协调问题“{s(p.title)}”已由{s(p.closed_by_name)}于 {when(p.closed_at)} 办结，无需再答复。\n"
        f"办结说明：{s(p.closing_note)}\n{_issue_lines(p)}"
    )
    return Message(f"协调问题已办结：{s(p.title)}", body, _link(p.url, p.major_project_id))


def _meeting_decided(p: MeetingDecided) -> Message:
    lines = [
        f"{n}. {s(d.content)}（责任人：{s(d.owner_name, '未指定')}，完成期限：{day(d.due_on) or '未定'}）"
        for n, d in enumerate(p.decisions, start=1)
    ]
    host = f"，主持：{p.host_name}" if p.host_name else ""
    body = (
        f"重大项目“{s(p.project_name)}”{day(p.held_on)}会商（{s(p.topic)}{host}）决定由{s(p.department_name)}"
        f"负责以下 {len(p.decisions)} 项事项：\n" + "\n".join(lines) + "\n完成后请在项目页面登记完成情况。"
    )
    title = f"会商决定：{s(p.project_name)} {len(p.decisions)} 项事项由{s(p.department_name)}负责"
    return Message(title, body, _link(p.url, p.major_project_id))


PROJECT_RENDERERS: dict[EventKind, Callable[[Any], Message]] = {
    EventKind.ISSUE_RAISED: _issue_raised,
    EventKind.ISSUE_REPLIED: _issue_replied,
    EventKind.ISSUE_CLOSED: _issue_closed,
    EventKind.MEETING_DECIDED: _meeting_decided,
}
"""The major project kinds' texts (merged into notifications/render.py ``RENDERERS``)."""
