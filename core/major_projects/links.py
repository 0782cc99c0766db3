"""A case registered for a major project (``case.major_project_id``) and the node it fills.

Which node a case fills: an open node of the project for the case's service item; failing that, an open node of
the case's department that names no service item (added by hand). A case that matches no open node cannot be
registered for the project.

Who may register a case for a project (``check_case_link``; the case service runs it on every new case naming a
project through ``check_registration``, named in core/cases/registration.py — the cases domain sits below this
one and cannot import it):
- staff who may register the item (a window clerk: their own department's) and whose data scope reaches the project
  (all-scope staff, or a department that leads it or owns one of its nodes, milestones, problems or decisions);
- an applicant for the projects made from their own filing projects (报建项目).
Otherwise the registration is refused in Chinese and nothing is saved.

What the case does to its node (the events listener, core/major_projects/listeners.py):
- accepted (受理): the node is 办理中, its actual start the day of acceptance, the case named on it;
- concluded with a licence or approval (出证办结): the node is done, its actual finish the day of conclusion;
- concluded otherwise (不予许可、退件、作废 …): the node is open again (未开始, no actual dates, no case), with a note
  saying why, so that a new case can fill it. A case refused at the window (不予受理) never touched a node.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.cases.schemas import SubmitIn
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.items.models import ServiceItem
from core.major_projects.enums import DONE, IN_PROGRESS, OPEN_NODE_STATES, PENDING
from core.major_projects.models import MajorProject, ProjectNode
from core.major_projects.service import involved
from core.org.models import User
from core.org.permissions import DataScope, Permission
from core.projects.models import Project

APPROVED = 0
"""出证办结 (core/cases/enums.py ConclusionResult.CERTIFIED): the approval was granted."""


def open_nodes_for(project: MajorProject, *, service_item_id: int, department_id: int) -> list[ProjectNode]:
    """The open nodes a case of this item and department would fill, best first."""
    open_nodes = [n for n in project.nodes if n.state in OPEN_NODE_STATES]
    same_item = [n for n in open_nodes if n.service_item_id == service_item_id]
    if same_item:
        return same_item
    return [n for n in open_nodes if n.service_item_id is None and n.department_id == department_id]


def _may_link(db: Session, user: User, project: MajorProject, item: ServiceItem) -> bool:
    if user.is_staff:
        if user.data_scope == DataScope.ALL:
            return True
        if user.data_scope != DataScope.DEPARTMENT or user.department_id != item.department_id:
            return False  # registers only its own department's items
        query = select(MajorProject.id).where(MajorProject.id == project.id, involved(user.department_id))
        return db.scalar(query) is not None
    if project.project_id is None:
        return False
    filing = db.get(Project, project.project_id)
    return filing is not None and filing.owner_user_id == user.id


def check_case_link(db: Session, user: User | None, *, major_project_id: int, service_item_id: int) -> MajorProject:
    """The project a new case of this item may be registered for by this user; a Chinese refusal otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not ({Permission.CASE_REGISTER, Permission.CASE_APPLY} & user.permissions):
        raise PermissionDenied("您没有登记或申报办件的权限")
    project = db.get(MajorProject, major_project_id)
    if project is None:
        raise NotFound("所选重大项目不存在", field="major_project_id")
    item = db.get(ServiceItem, service_item_id)
    if item is None:
        raise NotFound("事项不存在", field="service_item_id")
    if not _may_link(db, user, project, item):
        raise PermissionDenied(
            f"重大项目“{project.name}”不在您的数据权限范围内，不能为其登记办件", code="project_out_of_scope"
        )
    if project.status != "active":
        raise Conflict(f"重大项目“{project.name}”已不在跟踪中，不能再为其登记办件", code="project_not_active")
    if not open_nodes_for(project, service_item_id=item.id, department_id=item.department_id):
        raise ValidationFailed(
            f"重大项目“{project.name}”没有待办理的“{item.name}”审批节点（或该节点已完成），请核对所选项目",
            field="major_project_id",
        )
    return project


def check_registration(db: Session, user: User | None, data: SubmitIn) -> None:
    """A registration validator (core/cases/registration.py): a new case naming a major project must be one this
    user may register a case of the item for."""
    if data.major_project_id is not None:
        check_case_link(db, user, major_project_id=data.major_project_id, service_item_id=data.service_item_id)


def linkable_projects(db: Session, user: User | None, *, service_item_id: int) -> list[MajorProject]:
    """The projects a new case of this item may be registered for by this user (the forms' choice)."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not ({Permission.CASE_REGISTER, Permission.CASE_APPLY} & user.permissions):
        raise PermissionDenied("您没有登记或申报办件的权限")
    item = db.get(ServiceItem, service_item_id)
    if item is None:
        raise NotFound("事项不存在", field="service_item_id")
    candidates = select(MajorProject).where(
        MajorProject.status == "active",
        MajorProject.id.in_(
            select(ProjectNode.major_project_id).where(
                ProjectNode.state.in_(OPEN_NODE_STATES),
                (ProjectNode.service_item_id == item.id)
                | ((ProjectNode.service_item_id.is_(None)) & (ProjectNode.department_id == item.department_id)),
            )
        ),
    )
    found = db.scalars(candidates.order_by(MajorProject.code.desc()).limit(200))
    return [
        p
        for p in found
        if _may_link(db, user, p, item) and open_nodes_for(p, service_item_id=item.id, department_id=item.department_id)
    ]


def project_of(db: Session, case: Case) -> MajorProject | None:
    """The project the case was registered for, if any."""
    return db.get(MajorProject, case.major_project_id) if case.major_project_id is not None else None


def node_of(db: Session, case: Case) -> ProjectNode | None:
    """The node the case fills (once accepted)."""
    return db.scalar(select(ProjectNode).where(ProjectNode.case_id == case.id).limit(1))


# ---------------------------------------------------------------- what a case does to its node


def case_accepted(db: Session, case: Case) -> ProjectNode | None:
    """受理: the first matching open node not already filled by another case starts."""
    project = project_of(db, case)
    if project is None or case.accepted_at is None or node_of(db, case) is not None:
        return None
    nodes = open_nodes_for(project, service_item_id=case.service_item_id, department_id=case.department_id)
    node = next((n for n in nodes if n.case_id is None), None)
    if node is None:
        return None
    node.case_id = case.id
    node.actual_start = case.accepted_at.date()
    node.actual_finish = None
    node.state = IN_PROGRESS
    return node


def case_concluded(db: Session, case: Case, result: int, result_label: str) -> ProjectNode | None:
    """办结: the case's node is done when approved, open again otherwise."""
    node = node_of(db, case)
    if node is None or case.concluded_at is None:
        return None
    day: date = case.concluded_at.date()
    if result == APPROVED:
        node.state = DONE
        node.actual_finish = day
        return node
    node.state = PENDING
    node.case_id = None
    node.actual_start = None
    node.actual_finish = None
    reopened = f"{day} 办件 {case.case_no} {result_label or '未予办结'}，节点重新开放，待新的办件办理"
    node.note = f"{node.note}\n{reopened}".strip()
    return node


def case_facts(db: Session, case: Case) -> tuple[MajorProject | None, ProjectNode | None]:
    """The project and node of a case, for the case's pages and API."""
    return project_of(db, case), node_of(db, case)
