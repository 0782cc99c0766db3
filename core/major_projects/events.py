"""What 问题协调 and 会商 announce as domain events (core/events), for the notification senders to render.

- ``major_project.issue_raised``: a problem raised on a project, to the staff of each department asked
  (major_project.read: they read the project and reply) — in the inbox and as a WeCom text card;
- ``major_project.issue_replied``: a department's reply, to whoever raised the problem (not when they replied
  themselves);
- ``major_project.issue_closed``: the problem closed with how it was solved, to its raiser (unless they closed it)
  and the departments asked, whose open item it was;
- ``major_project.meeting_decided``: one event per department owning decisions of a meeting, listing its own.
Facts only, texts cut to :data:`TEXT_CHARS` (the page has them whole).
"""

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from core.clock import now
from core.events.kinds import (
    DecisionLine,
    EventKind,
    IssueClosed,
    IssueRaised,
    IssueReplied,
    MeetingDecided,
)
from core.events.service import Recipient, publish
from core.major_projects.models import CoordinationIssue, IssueReply, MajorProject, Meeting, MeetingDecision
from core.org.models import Department
from core.org.permissions import Permission
from core.settings import get_settings

TEXT_CHARS = 300
"""Characters of a description, reply or closing note an event carries."""


def project_url(project: MajorProject) -> str:
    """The project's page in the admin site (its problems and meetings are on it)."""
    return get_settings().site_url(f"/admin/major-projects/{project.id}")


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def _staff(department_id: int, role: str) -> Recipient:
    """A department's staff who read the project (its problems and decisions are theirs to act on)."""
    return Recipient(department_id=department_id, permission=Permission.MAJOR_PROJECT_READ, role=role)


def _issue_facts(project: MajorProject, issue: CoordinationIssue) -> dict[str, Any]:
    return {
        "issue_id": issue.id,
        "major_project_id": project.id,
        "project_code": project.code,
        "project_name": project.name,
        "title": issue.title,
        "raised_by_name": issue.raised_by_name,
        "department_names": [d.department.name for d in issue.departments],
        "due_on": issue.due_on.isoformat(),
        "url": project_url(project),
    }


def _asked(issue: CoordinationIssue) -> list[Recipient]:
    return [_staff(d.department_id, "asked") for d in issue.departments]


def issue_raised(db: Session, project: MajorProject, issue: CoordinationIssue) -> None:
    """The departments asked hear of the problem."""
    payload = IssueRaised(**_issue_facts(project, issue), description=_cut(issue.description))
    publish(db, EventKind.ISSUE_RAISED, payload, subject=f"issue:{issue.id}", to=_asked(issue))


def issue_replied(db: Session, project: MajorProject, issue: CoordinationIssue, reply: IssueReply) -> None:
    """Whoever raised the problem hears of the reply (nobody when they replied themselves, or left no account)."""
    if issue.raised_by_id is None or issue.raised_by_id == reply.author_id:
        return
    department = db.get(Department, reply.department_id) if reply.department_id is not None else None
    payload = IssueReplied(
        **_issue_facts(project, issue),
        department_name=department.name if department is not None else "项目管理人员",
        author_name=reply.author_name,
        body=_cut(reply.body),
        all_replied={d.department_id for d in issue.departments} <= {r.department_id for r in issue.replies},
    )
    to = [Recipient(user_id=issue.raised_by_id, role="raiser")]
    publish(db, EventKind.ISSUE_REPLIED, payload, subject=f"issue:{issue.id}", to=to)


def issue_closed(db: Session, project: MajorProject, issue: CoordinationIssue, closed_by_name: str) -> None:
    """Its raiser (unless they closed it) and the departments asked hear that the problem is closed."""
    payload = IssueClosed(
        **_issue_facts(project, issue),
        closed_by_name=closed_by_name,
        closing_note=_cut(issue.closing_note),
        closed_at=(issue.closed_at or now()).isoformat(timespec="minutes"),
    )
    to = _asked(issue)
    if issue.raised_by_id is not None and issue.raised_by_id != issue.closed_by_id:
        to.append(Recipient(user_id=issue.raised_by_id, role="raiser"))
    publish(db, EventKind.ISSUE_CLOSED, payload, subject=f"issue:{issue.id}", to=to)


def meeting_recorded(db: Session, project: MajorProject, meeting: Meeting) -> None:
    """Each department owning decisions hears of its own (a decision owned by no department tells nobody)."""
    owned: dict[int, list[MeetingDecision]] = defaultdict(list)
    for decision in meeting.decisions:
        if decision.department_id is not None:
            owned[decision.department_id].append(decision)
    for department_id, decisions in owned.items():
        department = decisions[0].department
        payload = MeetingDecided(
            meeting_id=meeting.id,
            major_project_id=project.id,
            project_code=project.code,
            project_name=project.name,
            held_on=meeting.held_on.isoformat(),
            topic=meeting.topic,
            host_name=meeting.host_name,
            department_id=department_id,
            department_name=department.name if department is not None else "",
            decisions=[
                DecisionLine(
                    content=_cut(d.content),
                    owner_name=d.owner_name,
                    due_on=d.due_on.isoformat() if d.due_on else None,
                )
                for d in decisions
            ],
            url=project_url(project),
        )
        subject = f"meeting:{meeting.id}:{department_id}"
        publish(db, EventKind.MEETING_DECIDED, payload, subject=subject, to=[_staff(department_id, "owner")])
