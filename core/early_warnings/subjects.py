"""What a warning can be about, read set-based: the open cases, project nodes, milestones and coordination issues,
with their responsible department and due date, a few columns each so that a scan over 100,000 of them stays
a handful of queries.

- 办件: an open case (processing, 补正, 特别程序) with a due moment; the handling department; its major project;
- 审批节点: a node not done or skipped, with a planned finish, of an active project; the node's department;
- 里程碑: a milestone not reached (no actual finish) of an active project; its department, else the project's
  lead department;
- 协调问题: an issue not closed of an active project; the first department asked (the issue's other
  departments help), else the project's lead department.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.calendar.service import LimitUnit
from core.cases.models import Case
from core.items.models import ServiceItem
from core.major_projects.models import CoordinationIssue, IssueDepartment, MajorProject, Milestone, ProjectNode
from core.warning_settings.thresholds import SubjectKind

OPEN_CASE_STATUSES = ("processing", "supplementing", "suspended")
OPEN_NODE_STATES = ("pending", "in_progress")
OPEN_ISSUE_STATUSES = ("open", "replied")
ACTIVE_PROJECT = "active"
CHUNK = 1000

DONE_REASONS = {
    SubjectKind.CASE: "办件已办结或终止",
    SubjectKind.NODE: "审批节点已完成或不涉及",
    SubjectKind.MILESTONE: "里程碑已完成",
    SubjectKind.ISSUE: "协调问题已解决",
}
"""Why a warning ended when its subject is no longer open (or its project no longer active)."""


@dataclass(frozen=True)
class Subject:
    """An open subject as the scan sees it. ``due_at`` is the due moment: a case's own, the end of the due day
    for the others; ``unit`` is a case's limit unit (working days for the others)."""

    kind: SubjectKind
    id: int
    department_id: int
    due_at: datetime
    unit: str
    major_project_id: int | None

    @property
    def due_on(self) -> date:
        """The due day."""
        return self.due_at.date()


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59))


def _issue_department() -> Any:
    """The first department an issue asks (SQL, per issue)."""
    return (
        select(IssueDepartment.department_id)
        .where(IssueDepartment.issue_id == CoordinationIssue.id)
        .order_by(IssueDepartment.id)
        .limit(1)
        .scalar_subquery()
    )


def _query(kind: SubjectKind) -> Any:
    """The open subjects of a kind: id, department, due (a moment for cases, a day for the others), unit, project."""
    if kind is SubjectKind.CASE:
        return select(Case.id, Case.department_id, Case.due_at, Case.limit_unit, Case.major_project_id).where(
            Case.status.in_(OPEN_CASE_STATUSES), Case.due_at.is_not(None)
        )
    if kind is SubjectKind.NODE:
        return (
            select(
                ProjectNode.id,
                ProjectNode.department_id,
                ProjectNode.planned_finish,
                ProjectNode.major_project_id,
            )
            .join(MajorProject, MajorProject.id == ProjectNode.major_project_id)
            .where(
                MajorProject.status == ACTIVE_PROJECT,
                ProjectNode.state.in_(OPEN_NODE_STATES),
                ProjectNode.planned_finish.is_not(None),
                ProjectNode.actual_finish.is_(None),
            )
        )
    if kind is SubjectKind.MILESTONE:
        return (
            select(
                Milestone.id,
                func.coalesce(Milestone.department_id, MajorProject.lead_department_id),
                Milestone.planned_finish,
                Milestone.major_project_id,
            )
            .join(MajorProject, MajorProject.id == Milestone.major_project_id)
            .where(MajorProject.status == ACTIVE_PROJECT, Milestone.actual_finish.is_(None))
        )
    return (
        select(
            CoordinationIssue.id,
            func.coalesce(_issue_department(), MajorProject.lead_department_id),
            CoordinationIssue.due_on,
            CoordinationIssue.major_project_id,
        )
        .join(MajorProject, MajorProject.id == CoordinationIssue.major_project_id)
        .where(MajorProject.status == ACTIVE_PROJECT, CoordinationIssue.status.in_(OPEN_ISSUE_STATUSES))
    )


def _due_column(kind: SubjectKind) -> Any:
    return {
        SubjectKind.CASE: Case.due_at,
        SubjectKind.NODE: ProjectNode.planned_finish,
        SubjectKind.MILESTONE: Milestone.planned_finish,
        SubjectKind.ISSUE: CoordinationIssue.due_on,
    }[kind]


def _id_column(kind: SubjectKind) -> Any:
    return {
        SubjectKind.CASE: Case.id,
        SubjectKind.NODE: ProjectNode.id,
        SubjectKind.MILESTONE: Milestone.id,
        SubjectKind.ISSUE: CoordinationIssue.id,
    }[kind]


def _subjects(kind: SubjectKind, rows: Iterable[Sequence[Any]]) -> list[Subject]:
    found = []
    for row in rows:
        if kind is SubjectKind.CASE:
            subject_id, department_id, due_at, unit, project_id = row
            found.append(Subject(kind, subject_id, department_id, due_at, unit, project_id))
        else:
            subject_id, department_id, due_on, project_id = row
            if department_id is None or due_on is None:
                continue  # an issue with no department and no project department cannot be anyone's warning
            found.append(Subject(kind, subject_id, department_id, _end_of(due_on), LimitUnit.WORKING_DAY, project_id))
    return found


def due_by(db: Session, kind: SubjectKind, until: datetime) -> list[Subject]:
    """The kind's open subjects due before ``until`` (the others are normal wherever the thresholds stand)."""
    due = _due_column(kind)
    limit = until if kind is SubjectKind.CASE else until.date()
    return _subjects(kind, db.execute(_query(kind).where(due < limit)))


def still_open(db: Session, kind: SubjectKind, ids: Sequence[int]) -> dict[int, Subject]:
    """Which of these subjects are still open, whatever their due date."""
    found: dict[int, Subject] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = db.execute(_query(kind).where(_id_column(kind).in_(chunk)))
        found |= {s.id: s for s in _subjects(kind, rows)}
    return found


def names(db: Session, kind: SubjectKind, ids: Sequence[int]) -> dict[int, str]:
    """What each subject is called in a warning's title: 项目·节点, 办件编号（事项）…"""
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if kind is SubjectKind.CASE:
            query: Any = (
                select(Case.id, Case.case_no, ServiceItem.name)
                .join(ServiceItem, ServiceItem.id == Case.service_item_id)
                .where(Case.id.in_(chunk))
            )
            found |= {i: f"办件{no}（{item}）" for i, no, item in db.execute(query)}
            continue
        model: Any = {
            SubjectKind.NODE: ProjectNode,
            SubjectKind.MILESTONE: Milestone,
            SubjectKind.ISSUE: CoordinationIssue,
        }[kind]
        label = model.title if kind is SubjectKind.ISSUE else model.name
        query = (
            select(model.id, MajorProject.name, label)
            .join(MajorProject, MajorProject.id == model.major_project_id)
            .where(model.id.in_(chunk))
        )
        shape = {
            SubjectKind.NODE: "{}·{}",
            SubjectKind.MILESTONE: "{}·里程碑“{}”",
            SubjectKind.ISSUE: "{}·协调问题“{}”",
        }
        found |= {i: shape[kind].format(project, name) for i, project, name in db.execute(query)}
    return found


def link(kind: str, subject_id: int, major_project_id: int | None) -> str:
    """The admin page of a subject: the case, or the project page (where nodes, milestones and issues are)."""
    if kind == SubjectKind.CASE:
        return f"/admin/cases/{subject_id}"
    if major_project_id is not None:
        return f"/admin/major-projects/{major_project_id}"
    return ""
