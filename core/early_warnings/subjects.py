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

from sqlalchemy import String, cast, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import DateTime

from core.calendar.service import LimitUnit
from core.cases.models import Case
from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import LIVE, RED
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


def _overdue(kind: SubjectKind, at: datetime) -> Any:
    """SQL: the subject is past its due moment (a case) or its due day (the others)."""
    return Case.due_at < at if kind is SubjectKind.CASE else _due_column(kind) < at.date()


def key_of(kind: SubjectKind, level: str) -> Any:
    """SQL: the ``active_key`` a warning of this subject in ``level`` has (core/early_warnings/states.py)."""
    return _text(f"{kind.value}:") + cast(_id_column(kind), String) + _text(f":{level}")


def due_soon(db: Session, kind: SubjectKind, at: datetime, until: datetime) -> list[Subject]:
    """The kind's open subjects not overdue yet and due before ``until`` (those further ahead are normal
    wherever the thresholds stand)."""
    due = _due_column(kind)
    limit = until if kind is SubjectKind.CASE else until.date()
    return _subjects(kind, db.execute(_query(kind).where(~_overdue(kind, at), due < limit)))


def overdue_to_act_on(db: Session, kind: SubjectKind, at: datetime) -> list[Subject]:
    """The kind's open overdue subjects the scan may still have to act on: those without a red warning yet, and
    those whose red warning is not escalated and not closed. (One escalated or closed needs nothing more while
    the subject stays red, so most of a large backlog is not read at all.)"""
    done = (
        select(EarlyWarning.id)
        .where(  # the subject's active red warning (by its columns: a key built in SQL compares badly on MariaDB)
            EarlyWarning.subject_kind == kind.value,
            EarlyWarning.subject_id == _id_column(kind),
            EarlyWarning.level == RED,
            EarlyWarning.active_key.is_not(None),
            or_(EarlyWarning.escalated_at.is_not(None), EarlyWarning.state.not_in(LIVE)),
        )
        .exists()
    )
    return _subjects(kind, db.execute(_query(kind).where(_overdue(kind, at), ~done)))


def still_red(kind: SubjectKind, at: datetime) -> Any:
    """SQL, in a query of warnings: the warning's subject is open and overdue."""
    return _query(kind).where(_id_column(kind) == EarlyWarning.subject_id, _overdue(kind, at)).exists()


def still_open(db: Session, kind: SubjectKind, ids: Sequence[int]) -> dict[int, Subject]:
    """Which of these subjects are still open, whatever their due date."""
    found: dict[int, Subject] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = db.execute(_query(kind).where(_id_column(kind).in_(chunk)))
        found |= {s.id: s for s in _subjects(kind, rows)}
    return found


def names(db: Session, kind: SubjectKind, ids: Sequence[int]) -> dict[int, str]:
    """What each subject is called in a warning's title: 项目·节点, 办件编号（事项）… (a few columns per subject, and
    the items' or projects' names read once)."""
    rows: list[tuple[int, str, int]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if kind is SubjectKind.CASE:
            query: Any = select(Case.id, Case.case_no, Case.service_item_id).where(Case.id.in_(chunk))
        else:
            model: Any = {
                SubjectKind.NODE: ProjectNode,
                SubjectKind.MILESTONE: Milestone,
                SubjectKind.ISSUE: CoordinationIssue,
            }[kind]
            label = model.title if kind is SubjectKind.ISSUE else model.name
            query = select(model.id, label, model.major_project_id).where(model.id.in_(chunk))
        rows += [(i, name, owner) for i, name, owner in db.execute(query)]
    owners = sorted({owner for _, _, owner in rows})
    if kind is SubjectKind.CASE:
        items = dict(db.execute(select(ServiceItem.id, ServiceItem.name).where(ServiceItem.id.in_(owners))).all())
        return {i: f"办件{no}（{items.get(item, '')}）" for i, no, item in rows}
    projects: dict[int, str] = {}
    for start in range(0, len(owners), CHUNK):
        chunk = owners[start : start + CHUNK]
        projects |= dict(db.execute(select(MajorProject.id, MajorProject.name).where(MajorProject.id.in_(chunk))).all())
    shape = {SubjectKind.NODE: "{}·{}", SubjectKind.MILESTONE: "{}·里程碑“{}”", SubjectKind.ISSUE: "{}·协调问题“{}”"}
    return {i: shape[kind].format(projects.get(owner, ""), name) for i, name, owner in rows}


INSERTED = (
    "active_key",
    "subject_kind",
    "subject_id",
    "level",
    "state",
    "major_project_id",
    "department_id",
    "title",
    "due_on",
    "raised_at",
    "announced_at",
    "scan_token",
    "signed_by_name",
    "handling_reason",
    "handling_plan",
    "closing_note",
    "end_reason",
    "created_at",
    "updated_at",
)
"""The columns of a new warning, in the order of :func:`new_warnings`' select."""


def _text(value: str) -> Any:
    return literal(value, String)


def new_warnings(
    kind: SubjectKind, ids: Sequence[int], *, level: str, words: str, at: datetime, token: str, title_chars: int
) -> Any:
    """SELECT the new warnings of these subjects (all of one level and one situation in ``words``) as rows of
    :data:`INSERTED`, for an INSERT … SELECT: the title and department are read by the database itself, from the
    same columns the open-subject query reads, so no subject's data travels to the scan and back."""
    subject_id = _id_column(kind)
    key = key_of(kind, level)
    if kind is SubjectKind.CASE:
        # the item's name by a look-up per case: a join let MariaDB read the cases item by item
        item = select(ServiceItem.name).where(ServiceItem.id == Case.service_item_id).scalar_subquery()
        name: Any = _text("办件") + Case.case_no + _text("（") + item + _text("）")
        department: Any = Case.department_id
        due: Any = func.date(Case.due_at)
        project: Any = Case.major_project_id
        source: Any = select().select_from(Case)
    else:
        model: Any = {
            SubjectKind.NODE: ProjectNode,
            SubjectKind.MILESTONE: Milestone,
            SubjectKind.ISSUE: CoordinationIssue,
        }[kind]
        shapes = {
            SubjectKind.NODE: ("·", ""),
            SubjectKind.MILESTONE: ("·里程碑“", "”"),
            SubjectKind.ISSUE: ("·协调问题“", "”"),
        }
        before, after = shapes[kind]
        label = model.title if kind is SubjectKind.ISSUE else model.name
        name = MajorProject.name + _text(before) + label + _text(after)
        department = {
            SubjectKind.NODE: ProjectNode.department_id,
            SubjectKind.MILESTONE: func.coalesce(Milestone.department_id, MajorProject.lead_department_id),
            SubjectKind.ISSUE: func.coalesce(_issue_department(), MajorProject.lead_department_id),
        }[kind]
        due = _due_column(kind)
        project = model.major_project_id
        source = select().select_from(model).join(MajorProject, MajorProject.id == model.major_project_id)
    empty = _text("")
    return (
        source.add_columns(
            key,
            _text(kind.value),
            subject_id,
            _text(level),
            _text("open"),
            project,
            department,
            func.substr(name + _text(f"：{words}"), 1, title_chars),
            due,
            literal(at, DateTime),
            literal(at, DateTime),
            _text(token),
            empty,
            empty,
            empty,
            empty,
            empty,
            literal(at, DateTime),
            literal(at, DateTime),
        )
        .where(subject_id.in_(ids))
        .order_by(subject_id)
    )


def link(kind: str, subject_id: int, major_project_id: int | None) -> str:
    """The admin page of a subject: the case, or the project page (where nodes, milestones and issues are)."""
    if kind == SubjectKind.CASE:
        return f"/admin/cases/{subject_id}"
    if major_project_id is not None:
        return f"/admin/major-projects/{major_project_id}"
    return ""
