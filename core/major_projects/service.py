"""The register of major projects: who sees and manages which project, registering one (from a filing project's
confirmed flow or directly), editing it, and the register's list with its filters.

Who sees a project: whoever holds major_project.read or .manage with all-scope data (leaders, 项目专员), and with
department scope the staff of a department that leads it or owns one of its nodes, milestones, problems (asked to
help) or meeting decisions.
Who manages it: major_project.manage holders whose data scope reaches its lead department.
"""

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, false, func, or_, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session

from core.audit.context import acting
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.items.models import ServiceItem
from core.major_projects import planning
from core.major_projects.enums import (
    CATEGORY_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    WARNING_FILTERS,
    choices_text,
)
from core.major_projects.models import (
    CoordinationIssue,
    IssueDepartment,
    MajorProject,
    Meeting,
    MeetingDecision,
    Milestone,
    ProjectNode,
)
from core.major_projects.schemas import MajorProjectIn, MajorProjectPatch
from core.org.models import Department, User
from core.org.permissions import DataScope, Permission
from core.projects import letters
from core.projects import service as filing_service
from core.projects.models import Project
from core.validators import credit_code_problem

Row = TypeVar("Row")
READ_PERMISSIONS = frozenset({Permission.MAJOR_PROJECT_READ, Permission.MAJOR_PROJECT_MANAGE})

# ---------------------------------------------------------------- who may see and manage


def require_reader(user: User | None) -> User:
    """A user who may read the register; 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not (READ_PERMISSIONS & user.permissions):
        raise PermissionDenied("您没有查看重大项目的权限，如需开通请联系管理员")
    return user


def require_manager(user: User | None) -> User:
    """A user who may manage projects (of departments their scope reaches); 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if Permission.MAJOR_PROJECT_MANAGE not in user.permissions:
        raise PermissionDenied("您没有管理重大项目的权限，如需开通请联系管理员")
    return user


def sees_all(user: User) -> bool:
    """True for a reader whose data scope is every department."""
    return user.data_scope == DataScope.ALL


def involved(department_id: int) -> ColumnElement[bool]:
    """SQL: the department leads the project or owns one of its nodes, milestones, problems or meeting decisions."""
    return or_(
        MajorProject.lead_department_id == department_id,
        MajorProject.id.in_(select(ProjectNode.major_project_id).where(ProjectNode.department_id == department_id)),
        MajorProject.id.in_(select(Milestone.major_project_id).where(Milestone.department_id == department_id)),
        MajorProject.id.in_(
            select(CoordinationIssue.major_project_id)
            .join(IssueDepartment, IssueDepartment.issue_id == CoordinationIssue.id)
            .where(IssueDepartment.department_id == department_id)
        ),
        MajorProject.id.in_(
            select(Meeting.major_project_id)
            .join(MeetingDecision, MeetingDecision.meeting_id == Meeting.id)
            .where(MeetingDecision.department_id == department_id)
        ),
    )


def scoped(query: Select[Row], user: User) -> Select[Row]:
    """Limits a project query to what the user reaches."""
    if sees_all(user):
        return query
    if user.data_scope != DataScope.DEPARTMENT or user.department_id is None:
        return query.where(false())
    return query.where(involved(user.department_id))


def can_view(db: Session, user: User, project: MajorProject) -> bool:
    """True when the user may read this project."""
    if not (READ_PERMISSIONS & user.permissions):
        return False
    if sees_all(user):
        return True
    found = db.scalar(scoped(select(MajorProject.id), user).where(MajorProject.id == project.id))
    return found is not None


def can_manage(user: User, project: MajorProject) -> bool:
    """True when the user may change this project, its nodes, milestones and meetings."""
    if Permission.MAJOR_PROJECT_MANAGE not in user.permissions:
        return False
    return sees_all(user) or user.department_id == project.lead_department_id


def get(db: Session, project_id: int) -> MajorProject:
    """A project or NotFound."""
    project = db.get(MajorProject, project_id)
    if project is None:
        raise NotFound("重大项目不存在")
    return project


def get_for(db: Session, user: User | None, project_id: int) -> MajorProject:
    """A project the user may read; 401/403 before 404, 403 when outside their data scope."""
    reader = require_reader(user)
    project = get(db, project_id)
    if not can_view(db, reader, project):
        raise PermissionDenied("该重大项目不在您的数据权限范围内")
    return project


def get_to_manage(db: Session, user: User | None, project_id: int) -> MajorProject:
    """A project the user may change; 401/403 before 404."""
    manager = require_manager(user)
    project = get(db, project_id)
    if not can_manage(manager, project):
        raise PermissionDenied(f"重大项目“{project.name}”由{project.lead_department.name}牵头，您不能修改")
    return project


def check_manager(user: User | None, project: MajorProject) -> User:
    """The user, when they may change the project; 401/403 otherwise."""
    manager = require_manager(user)
    if not can_manage(manager, project):
        raise PermissionDenied(f"重大项目“{project.name}”由{project.lead_department.name}牵头，您不能修改")
    return manager


# ---------------------------------------------------------------- checking what is entered


def _choice(value: str, labels: dict[str, str], what: str, field: str) -> str:
    if value not in labels:
        raise ValidationFailed(f"{what}只能是：{choices_text(labels)}", field=field)
    return value


def active_department(db: Session, department_id: int, field: str = "department_id") -> Department:
    """An active department, or a Chinese error naming the field."""
    found = db.get(Department, department_id)
    if found is None or not found.is_active:
        raise ValidationFailed("所选部门不存在或已停用", field=field)
    return found


def _staff(db: Session, user_id: int | None, what: str, field: str) -> int | None:
    if user_id is None:
        return None
    person = db.get(User, user_id)
    if person is None or not person.is_staff or not person.is_active:
        raise ValidationFailed(f"所选{what}不存在或已停用", field=field)
    return person.id


def service_item(db: Session, item_id: int | None, field: str = "service_item_id") -> int | None:
    """A service item's id, or a Chinese error when it does not exist."""
    if item_id is None:
        return None
    if db.get(ServiceItem, item_id) is None:
        raise ValidationFailed("所选服务事项不存在", field=field)
    return item_id


def check_span(start: date | None, finish: date | None, what: str, field: str) -> None:
    """Refuses a finish before its start."""
    if start is not None and finish is not None and finish < start:
        raise ValidationFailed(f"{what}的完成日期（{finish}）不能早于开始日期（{start}）", field=field)


# ---------------------------------------------------------------- registering


def _next_code(db: Session) -> str:
    prefix = f"ZD{now():%Y}-"
    last = db.scalar(select(func.max(MajorProject.code)).where(MajorProject.code.like(f"{prefix}%")))
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _filing_project(db: Session, user: User, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None or not filing_service.can_view(db, user, project):
        raise NotFound("报建项目不存在或您无权查看", field="project_id")
    if project.status != filing_service.CONFIRMED:
        raise Conflict("该报建项目的流程尚未经各部门确认，确认后才能据此生成审批节点", code="flow_not_confirmed")
    taken = db.scalar(select(MajorProject).where(MajorProject.project_id == project.id))
    if taken is not None:
        raise Conflict(f"该报建项目已登记为重大项目 {taken.code}（{taken.name}）", code="already_registered")
    return project


def create(db: Session, user: User | None, data: MajorProjectIn) -> MajorProject:
    """Registers a project (from a filing project its confirmed flow gives the nodes) and plans the nodes from the
    planned start, when there is one."""
    manager = require_manager(user)
    lead = active_department(db, data.lead_department_id, "lead_department_id")
    if not (sees_all(manager) or manager.department_id == lead.id):
        raise PermissionDenied("只能登记本部门牵头的重大项目")
    filing = _filing_project(db, manager, data.project_id) if data.project_id is not None else None
    name = data.name.strip() or (filing.name if filing else "")
    if not name:
        raise ValidationFailed("请填写项目名称", field="name")
    project = MajorProject(
        code=_next_code(db),
        name=name,
        category=_choice(data.category, CATEGORY_LABELS, "项目类别", "category"),
        stage=_choice(data.stage, STAGE_LABELS, "项目阶段", "stage"),
        status="active",
        project_id=filing.id if filing else None,
        project_code=data.project_code.strip() or (filing.code or "" if filing else ""),
        enterprise_name=data.enterprise_name.strip() or (filing.enterprise_name if filing else ""),
        credit_code=data.credit_code.strip().upper() or (filing.credit_code if filing else ""),
        location=data.location.strip() or (filing.location if filing else ""),
        investment=data.investment,
        description=data.description.strip(),
        lead_department_id=lead.id,
        leader_id=_staff(db, data.leader_id, "责任领导", "leader_id"),
        officer_id=_staff(db, data.officer_id, "帮办专员", "officer_id"),
        planned_start=data.planned_start,
        planned_finish=data.planned_finish,
        created_by_id=manager.id,
    )
    _check_facts(project)
    with acting(action="major_project.create"):
        db.add(project)
        db.flush()
        if filing is not None:
            _, flow = letters.final_flow(db, filing)
            planning.add_flow_nodes(db, project, flow.items())
        if project.planned_start is not None:
            planning.replan(db, project, project.planned_start)
        db.flush()
    db.refresh(project)
    return project


def _check_facts(project: MajorProject) -> None:
    if project.credit_code and (problem := credit_code_problem(project.credit_code)):
        raise ValidationFailed(problem, field="credit_code")
    check_span(project.planned_start, project.planned_finish, "项目计划", "planned_finish")


def update(db: Session, user: User | None, project: MajorProject, data: MajorProjectPatch) -> MajorProject:
    """Changes the project's facts; a new lead department must be in the manager's scope too."""
    manager = check_manager(user, project)
    values = data.model_dump(exclude_unset=True)
    for key in ("category", "stage", "status"):
        if values.get(key) is not None:
            labels = {"category": CATEGORY_LABELS, "stage": STAGE_LABELS, "status": STATUS_LABELS}[key]
            what = {"category": "项目类别", "stage": "项目阶段", "status": "跟踪状态"}[key]
            _choice(values[key], labels, what, key)
    if values.get("lead_department_id") is not None:
        lead = active_department(db, values["lead_department_id"], "lead_department_id")
        if not (sees_all(manager) or manager.department_id == lead.id):
            raise PermissionDenied("只能把牵头部门设为本部门")
    if "leader_id" in values:
        values["leader_id"] = _staff(db, values["leader_id"], "责任领导", "leader_id")
    if "officer_id" in values:
        values["officer_id"] = _staff(db, values["officer_id"], "帮办专员", "officer_id")
    for key in ("name", "category", "stage", "status", "lead_department_id", "investment"):
        if key in values and values[key] is None:
            del values[key]  # required facts: null means "leave as it is"
    for key, value in values.items():
        setattr(project, key, value.strip() if isinstance(value, str) and key != "description" else value)
    if "credit_code" in values and project.credit_code:
        project.credit_code = project.credit_code.upper()
    _check_facts(project)
    with acting(action="major_project.update"):
        db.flush()
    db.refresh(project)
    return project


# ---------------------------------------------------------------- the register's list


@dataclass(frozen=True)
class ProjectFilter:
    """The register's filters."""

    q: str | None = None
    stage: str | None = None
    category: str | None = None
    status: str | None = None
    department_id: int | None = None
    leader_id: int | None = None
    warning_state: str | None = None


_WARNING = table(
    "early_warning", sql_column("major_project_id"), sql_column("level"), sql_column("state")
)  # core/early_warnings' table, read by name: that domain sits above this one (it reads the nodes)
ACTIVE_WARNING_STATES = ("open", "signed", "handled")


def _with_warning(level: str) -> ColumnElement[bool]:
    warned = select(_WARNING.c.major_project_id).where(_WARNING.c.state.in_(ACTIVE_WARNING_STATES))
    if level != "any":
        warned = warned.where(_WARNING.c.level == level)
    return MajorProject.id.in_(warned)


def filtered(user: User, f: ProjectFilter) -> Select[MajorProject]:
    """The projects the user reaches that pass the filters (an unknown choice is refused in Chinese)."""
    query = scoped(select(MajorProject), user)
    if f.stage:
        query = query.where(MajorProject.stage == _choice(f.stage, STAGE_LABELS, "项目阶段", "stage"))
    if f.category:
        query = query.where(MajorProject.category == _choice(f.category, CATEGORY_LABELS, "项目类别", "category"))
    if f.status:
        query = query.where(MajorProject.status == _choice(f.status, STATUS_LABELS, "跟踪状态", "status"))
    if f.department_id:
        query = query.where(involved(f.department_id))
    if f.leader_id:
        query = query.where(MajorProject.leader_id == f.leader_id)
    if f.q and f.q.strip():
        term = f.q.strip()
        query = query.where(
            MajorProject.name.contains(term) | MajorProject.enterprise_name.contains(term) | (MajorProject.code == term)
        )
    if f.warning_state:
        state = _choice(f.warning_state, WARNING_FILTERS, "预警状态", "warning_state")
        query = query.where(~_with_warning("any") if state == "none" else _with_warning(state))
    return query


def list_projects(
    db: Session, user: User | None, f: ProjectFilter, *, page: int = 1, page_size: int = 20
) -> tuple[list[MajorProject], int]:
    """A page of the projects the user reaches, by code, and how many there are."""
    reader = require_reader(user)
    if page < 1 or not 1 <= page_size <= 500:
        raise ValidationFailed("页码应从 1 开始，每页 1–500 条", field="page")
    query = filtered(reader, f)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(MajorProject.code.desc()).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def issues_of(db: Session, project: MajorProject) -> list[CoordinationIssue]:
    """The project's problems, open ones first, newest first."""
    query = select(CoordinationIssue).where(CoordinationIssue.major_project_id == project.id)
    rows = db.scalars(query.order_by(CoordinationIssue.id.desc()))
    return sorted(rows, key=lambda issue: issue.status == "closed")


def confirmed_filing_projects(db: Session, user: User | None) -> list[Project]:
    """Filing projects with a confirmed flow the user may see and that are not registered yet (the create form)."""
    manager = require_manager(user)
    taken = select(MajorProject.project_id).where(MajorProject.project_id.is_not(None))
    query = select(Project).where(Project.status == filing_service.CONFIRMED, Project.id.not_in(taken))
    return [
        p for p in db.scalars(query.order_by(Project.id.desc()).limit(200)) if filing_service.can_view(db, manager, p)
    ]
