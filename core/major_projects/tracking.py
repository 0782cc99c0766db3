"""Tracking (4.8.1): planning a project's nodes, adding and correcting nodes by hand, and its milestones.

Every change is the project's manager's (core/major_projects/service.py ``check_manager``), checked before
anything changes and recorded in the audit log under its business action.
"""

from datetime import date

from sqlalchemy.orm import Session

from core.audit.context import acting
from core.calendar.service import add_working_days
from core.clock import today
from core.errors import NotFound, ValidationFailed
from core.major_projects import planning
from core.major_projects.enums import (
    DONE,
    IN_PROGRESS,
    MILESTONE_KINDS,
    NODE_STATE_LABELS,
    PENDING,
    STAGE_NAMES,
    choices_text,
)
from core.major_projects.models import MajorProject, Milestone, ProjectNode
from core.major_projects.schemas import MilestoneIn, MilestonePatch, NodeIn, NodePatch
from core.major_projects.service import active_department, check_manager, check_span, service_item
from core.org.models import User


def get_node(project: MajorProject, node_id: int) -> ProjectNode:
    """A node of the project, or NotFound."""
    node = next((n for n in project.nodes if n.id == node_id), None)
    if node is None:
        raise NotFound("该项目没有这个审批节点")
    return node


def get_milestone(project: MajorProject, milestone_id: int) -> Milestone:
    """A milestone of the project, or NotFound."""
    milestone = next((m for m in project.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound("该项目没有这个里程碑")
    return milestone


def plan(db: Session, user: User | None, project: MajorProject, start: date) -> MajorProject:
    """Plans the nodes again from ``start``, keeping actual and hand-moved dates (core/major_projects/planning.py)."""
    check_manager(user, project)
    with acting(action="major_project.plan"):
        planning.replan(db, project, start)
    return project


def _past(day: date | None, what: str, field: str) -> None:
    if day is not None and day > today():
        raise ValidationFailed(f"{what}不能晚于今天", field=field)


def _depends_on(project: MajorProject, node: ProjectNode | None, codes: list[str]) -> list[str]:
    names = {n.approval_code: n for n in project.nodes}
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    for code in wanted:
        if code not in names or (node is not None and code == node.approval_code):
            raise ValidationFailed(f"前置节点“{code}”不是本项目的其他节点", field="depends_on")
    return wanted


def _check_node(node: ProjectNode) -> None:
    check_span(node.planned_start, node.planned_finish, f"节点“{node.name}”的计划", "planned_finish")
    check_span(node.actual_start, node.actual_finish, f"节点“{node.name}”的实际", "actual_finish")
    _past(node.actual_start, "实际开始日期", "actual_start")
    _past(node.actual_finish, "实际完成日期", "actual_finish")
    if node.state == DONE and node.actual_finish is None:
        raise ValidationFailed("标记为已完成的节点，请填写实际完成日期", field="actual_finish")
    if node.state == PENDING and (node.actual_start or node.actual_finish):
        raise ValidationFailed("未开始的节点不应有实际日期；已开始的请选“办理中”或“已完成”", field="state")
    if node.state == IN_PROGRESS and node.actual_finish is not None:
        raise ValidationFailed("已有实际完成日期的节点应为“已完成”", field="state")


def _stage(value: str) -> str:
    if value not in STAGE_NAMES:
        raise ValidationFailed(f"审批阶段只能是：{choices_text(STAGE_NAMES)}", field="stage")
    return value


def add_node(db: Session, user: User | None, project: MajorProject, data: NodeIn) -> ProjectNode:
    """A node added by hand. A planned start typed in is kept (moved by hand; the finish follows from the time limit
    when it is not typed too); otherwise the node is planned from its prerequisites, or from the project's earliest
    planned node (today when there is none), without moving the others."""
    check_manager(user, project)
    department = active_department(db, data.department_id)
    if data.planned_finish is not None and data.planned_start is None:
        raise ValidationFailed("手工指定计划日期时，请填写计划开始日期", field="planned_start")
    number = len(project.nodes) + 1
    taken = {n.approval_code for n in project.nodes}
    while f"manual_{number}" in taken:
        number += 1
    node = ProjectNode(
        major_project_id=project.id,
        approval_code=f"manual_{number}",
        name=data.name.strip(),
        stage=_stage(data.stage),
        stage_name=STAGE_NAMES[data.stage],
        department_id=department.id,
        service_item_id=service_item(db, data.service_item_id),
        position=max((n.position for n in project.nodes), default=0) + 1,
        depends_on=_depends_on(project, None, data.depends_on),
        time_limit_days=data.time_limit_days,
        planned_fixed=data.planned_start is not None,
        state=PENDING,
        note=data.note.strip(),
    )
    node.department = department
    if data.planned_start is not None:
        node.planned_start = data.planned_start
        node.planned_finish = data.planned_finish or planning.finish_for(
            planning.first_working_day(data.planned_start), data.time_limit_days
        )
    else:
        _plan_one(project, node)
    _check_node(node)
    planning.in_order([*project.nodes, node])  # a cycle is refused before anything is saved
    with acting(action="major_project.node_add"):
        db.add(node)
        db.flush()
    db.refresh(project)
    return node


def _plan_one(project: MajorProject, node: ProjectNode) -> None:
    """Plans one new node from its prerequisites' finishes, leaving the others where they are."""
    finishes = {
        n.approval_code: n.actual_finish if n.state == DONE and n.actual_finish else n.planned_finish
        for n in project.nodes
    }
    after = [day for code in node.depends_on if (day := finishes.get(code)) is not None]
    if after:
        node.planned_start = add_working_days(max(after), 1)
    else:
        starts = [n.planned_start for n in project.nodes if n.planned_start is not None]
        node.planned_start = planning.first_working_day(min(starts, default=today()))
    node.planned_finish = planning.finish_for(node.planned_start, node.time_limit_days)


def update_node(
    db: Session, user: User | None, project: MajorProject, node: ProjectNode, data: NodePatch
) -> ProjectNode:
    """Corrects a node. Planned dates typed in are fixed (replanning keeps them) until ``planned_fixed`` is set false;
    actual dates move the state along (a start: 办理中, a finish: 已完成) unless a state is given."""
    check_manager(user, project)
    values = data.model_dump(exclude_unset=True)
    if values.get("name"):
        node.name = values["name"].strip()
    if values.get("department_id") is not None:
        node.department = active_department(db, values["department_id"])
    if "service_item_id" in values:
        node.service_item_id = service_item(db, values["service_item_id"])
    if values.get("time_limit_days") is not None:
        node.time_limit_days = values["time_limit_days"]
    if values.get("depends_on") is not None:
        node.depends_on = _depends_on(project, node, values["depends_on"])
        planning.in_order(project.nodes)
    if values.get("planned_start") is not None or values.get("planned_finish") is not None:
        node.planned_start = values.get("planned_start") or node.planned_start
        node.planned_finish = values.get("planned_finish") or node.planned_finish
        node.planned_fixed = True
    if values.get("planned_fixed") is not None:
        node.planned_fixed = values["planned_fixed"]
    for key in ("actual_start", "actual_finish"):
        if key in values:
            setattr(node, key, values[key])
    if values.get("state") is not None:
        if values["state"] not in NODE_STATE_LABELS:
            raise ValidationFailed(f"节点状态只能是：{choices_text(NODE_STATE_LABELS)}", field="state")
        node.state = values["state"]
    elif "actual_start" in values or "actual_finish" in values:
        node.state = DONE if node.actual_finish else IN_PROGRESS if node.actual_start else PENDING
    if "note" in values and values["note"] is not None:
        node.note = values["note"].strip()
    _check_node(node)
    with acting(action="major_project.node_update"):
        db.flush()
    return node


# ---------------------------------------------------------------- milestones


def _check_milestone(milestone: Milestone) -> None:
    check_span(milestone.planned_start, milestone.planned_finish, f"里程碑“{milestone.name}”的计划", "planned_finish")
    check_span(milestone.actual_start, milestone.actual_finish, f"里程碑“{milestone.name}”的实际", "actual_finish")
    _past(milestone.actual_start, "实际开始日期", "actual_start")
    _past(milestone.actual_finish, "实际完成日期", "actual_finish")


def add_milestone(db: Session, user: User | None, project: MajorProject, data: MilestoneIn) -> Milestone:
    """A milestone (拿地、开工 … or one named by hand) with its planned and actual dates."""
    check_manager(user, project)
    if data.kind not in MILESTONE_KINDS:
        raise ValidationFailed(f"里程碑类型只能是：{choices_text(MILESTONE_KINDS)}", field="kind")
    name = data.name.strip() or ("" if data.kind == "custom" else planning.default_milestone_name(data.kind))
    if not name:
        raise ValidationFailed("自定义里程碑请填写名称", field="name")
    milestone = Milestone(
        major_project_id=project.id,
        kind=data.kind,
        name=name,
        position=max((m.position for m in project.milestones), default=0) + 1,
        department_id=active_department(db, data.department_id).id if data.department_id is not None else None,
        planned_start=data.planned_start,
        planned_finish=data.planned_finish,
        actual_start=data.actual_start,
        actual_finish=data.actual_finish,
        note=data.note.strip(),
    )
    _check_milestone(milestone)
    with acting(action="major_project.milestone_add"):
        db.add(milestone)
        db.flush()
    db.refresh(project)
    return milestone


def update_milestone(
    db: Session, user: User | None, project: MajorProject, milestone: Milestone, data: MilestonePatch
) -> Milestone:
    """Corrects a milestone or records it reached."""
    check_manager(user, project)
    values = data.model_dump(exclude_unset=True)
    if values.get("name"):
        milestone.name = values["name"].strip()
    if "department_id" in values:
        chosen = values["department_id"]
        milestone.department = active_department(db, chosen) if chosen is not None else None
    if values.get("planned_finish") is not None:
        milestone.planned_finish = values["planned_finish"]
    for key in ("planned_start", "actual_start", "actual_finish"):
        if key in values:
            setattr(milestone, key, values[key])
    if values.get("note") is not None:
        milestone.note = values["note"].strip()
    _check_milestone(milestone)
    with acting(action="major_project.milestone_update"):
        db.flush()
    return milestone
