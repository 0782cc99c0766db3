"""问题协调 and 会商: problems raised for coordination with the departments' replies and their closing, and the
meetings held on a project with their decisions.

Who does what:
- raising a problem: whoever may read the project (a department that owns a node needs another's help, a leader,
  the project's manager); it names at least one department and a due date not in the past;
- replying: the staff of an asked department (for their own department, never another's), or the project's
  manager; the problem is 已答复 once every asked department has replied;
- closing, with how it was solved: whoever raised it, or the project's manager;
- meetings and their decisions: the project's manager; a decision is marked done by the manager or by the
  staff of the department that owns it.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.context import acting
from core.clock import now, today
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.major_projects import events
from core.major_projects.enums import ISSUE_CLOSED, ISSUE_OPEN, ISSUE_REPLIED
from core.major_projects.models import (
    CoordinationIssue,
    IssueDepartment,
    IssueReply,
    MajorProject,
    Meeting,
    MeetingDecision,
)
from core.major_projects.schemas import DecisionIn, IssueIn, MeetingIn
from core.major_projects.service import active_department, can_manage, can_view, check_manager, require_reader
from core.org.models import User


def get_issue(db: Session, project: MajorProject, issue_id: int) -> CoordinationIssue:
    """A problem of the project, or NotFound."""
    issue = db.get(CoordinationIssue, issue_id)
    if issue is None or issue.major_project_id != project.id:
        raise NotFound("该项目没有这个协调问题")
    return issue


def _text(value: str, message: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationFailed(message, field=field)
    return text


def raise_issue(db: Session, user: User | None, project: MajorProject, data: IssueIn) -> CoordinationIssue:
    """A problem for the named departments to help solve by the due date."""
    raiser = require_reader(user)
    if not can_view(db, raiser, project):
        raise PermissionDenied("该重大项目不在您的数据权限范围内")
    title = _text(data.title, "请填写需要协调的问题", "title")
    if not data.department_ids:
        raise ValidationFailed("请至少选择一个协调部门", field="department_ids")
    if data.due_on < today():
        raise ValidationFailed(f"要求解决日期不能早于今天（{today()}）", field="due_on")
    departments = [active_department(db, d, "department_ids") for d in dict.fromkeys(data.department_ids)]
    issue = CoordinationIssue(
        major_project_id=project.id,
        title=title,
        description=data.description.strip(),
        raised_by_id=raiser.id,
        raised_by_name=data.raised_by_name.strip() or raiser.name,
        due_on=data.due_on,
        status=ISSUE_OPEN,
        closing_note="",
        departments=[IssueDepartment(department_id=d.id, department=d) for d in departments],
    )
    with acting(action="major_project.issue_raise"):
        db.add(issue)
        db.flush()
        events.issue_raised(db, project, issue)
    return issue


def reply(db: Session, user: User | None, project: MajorProject, issue: CoordinationIssue, body: str) -> IssueReply:
    """An asked department's reply (the manager may reply too, as the project's manager)."""
    replier = require_reader(user)
    asked = {d.department_id for d in issue.departments}
    manager = can_manage(replier, project)
    if replier.department_id not in asked and not manager:
        raise PermissionDenied("只有被请求协调的部门或项目管理人员可以答复该问题")
    if issue.status == ISSUE_CLOSED:
        raise Conflict("该问题已办结，不能再答复", code="issue_closed")
    text = _text(body, "请填写答复内容", "body")
    department_id = replier.department_id if replier.department_id in asked or manager else None
    answer = IssueReply(
        issue_id=issue.id, department_id=department_id, author_id=replier.id, author_name=replier.name, body=text
    )
    with acting(action="major_project.issue_reply"):
        db.add(answer)
        db.flush()
        db.refresh(issue)
        answered = {r.department_id for r in issue.replies}
        if asked <= answered:
            issue.status = ISSUE_REPLIED
        db.flush()
        events.issue_replied(db, project, issue, answer)
    return answer


def close(db: Session, user: User | None, project: MajorProject, issue: CoordinationIssue, note: str) -> None:
    """Closes a problem with how it was solved (its raiser or the project's manager)."""
    closer = require_reader(user)
    if closer.id != issue.raised_by_id and not can_manage(closer, project):
        raise PermissionDenied("只有问题的提出人或项目管理人员可以办结该问题")
    if issue.status == ISSUE_CLOSED:
        raise Conflict("该问题已办结", code="issue_closed")
    text = _text(note, "请填写办结说明（问题如何解决）", "note")
    issue.status = ISSUE_CLOSED
    issue.closed_at = now()
    issue.closed_by_id = closer.id
    issue.closing_note = text
    with acting(action="major_project.issue_close"):
        db.flush()
        events.issue_closed(db, project, issue, closer.name)


# ---------------------------------------------------------------- 会商


def meetings_of(db: Session, project: MajorProject) -> list[Meeting]:
    """The project's meetings, latest first."""
    query = select(Meeting).where(Meeting.major_project_id == project.id)
    return list(db.scalars(query.order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def _decision(db: Session, data: DecisionIn, held_on: date, number: int) -> MeetingDecision:
    content = _text(data.content, f"第 {number} 项决定请填写内容", "decisions")
    if data.due_on is not None and data.due_on < held_on:
        raise ValidationFailed(f"第 {number} 项决定的完成期限不能早于会商日期", field="decisions")
    department = active_department(db, data.department_id, "decisions") if data.department_id else None
    return MeetingDecision(
        content=content,
        department_id=department.id if department else None,
        department=department,
        owner_name=data.owner_name.strip(),
        due_on=data.due_on,
    )


def record_meeting(db: Session, user: User | None, project: MajorProject, data: MeetingIn) -> Meeting:
    """A meeting held on the project, with its decisions (content, owner department and person, due date)."""
    manager = check_manager(user, project)
    if data.held_on > today():
        raise ValidationFailed("会商日期不能晚于今天（会后记录纪要）", field="held_on")
    topic = _text(data.topic, "请填写会商议题", "topic")
    decisions = [_decision(db, d, data.held_on, n) for n, d in enumerate(data.decisions, start=1)]
    meeting = Meeting(
        major_project_id=project.id,
        held_on=data.held_on,
        topic=topic,
        host_name=data.host_name.strip(),
        participants=data.participants.strip(),
        summary=data.summary.strip(),
        created_by_id=manager.id,
        decisions=decisions,
    )
    with acting(action="major_project.meeting_record"):
        db.add(meeting)
        db.flush()
        events.meeting_recorded(db, project, meeting)
    return meeting


def get_decision(db: Session, project: MajorProject, decision_id: int) -> tuple[Meeting, MeetingDecision]:
    """A decision of one of the project's meetings, or NotFound."""
    decision = db.get(MeetingDecision, decision_id)
    meeting = db.get(Meeting, decision.meeting_id) if decision is not None else None
    if decision is None or meeting is None or meeting.major_project_id != project.id:
        raise NotFound("该项目没有这项会商决定")
    return meeting, decision


def mark_decision(
    db: Session, user: User | None, project: MajorProject, decision_id: int, done_on: date | None
) -> MeetingDecision:
    """A decision done on a day (or open again): the manager, or the staff of the department that owns it."""
    actor = require_reader(user)
    meeting, decision = get_decision(db, project, decision_id)
    own = decision.department_id is not None and actor.department_id == decision.department_id
    if not (own and can_view(db, actor, project)) and not can_manage(actor, project):
        raise PermissionDenied("只有决定的责任部门或项目管理人员可以登记完成情况")
    if done_on is not None and done_on > today():
        raise ValidationFailed("完成日期不能晚于今天", field="done_on")
    if done_on is not None and done_on < meeting.held_on:
        raise ValidationFailed("完成日期不能早于会商日期", field="done_on")
    decision.done_on = done_on
    with acting(action="major_project.decision_update"):
        db.flush()
    return decision
