"""Planning a project's approval nodes in working days (core/calendar: weekends, holidays and 调休 working
weekends), and its progress.

A node with a time limit of L working days occupies L working days: it starts on a working day and finishes on
the L-th working day counting its start as the first (L = 0: the same day). A node without prerequisites starts on
the first working day on or after the project's start; any other on the working day after the latest finish of its
prerequisites — the same day numbers as the derived flow's "第 n–m 天", put on the calendar.

Replanning (``replan``) keeps what people recorded:
- actual dates are never touched;
- a done node keeps its planned dates (what it was measured against); its successors start after its actual finish;
- a node whose planned dates were moved by hand (``planned_fixed``) keeps them; its successors start after them;
- a skipped node (不涉及) constrains nothing;
- every other node is planned again from its prerequisites.
"""

import heapq
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.calendar.service import add_working_days, is_working_day
from core.errors import ValidationFailed
from core.items.models import ServiceItem
from core.major_projects.enums import (
    DONE,
    MILESTONE_KINDS,
    OPEN_NODE_STATES,
    OTHER_STAGE,
    PENDING,
    SKIPPED,
    STAGE_NAMES,
)
from core.major_projects.models import MajorProject, Milestone, ProjectNode
from core.major_projects.schemas import Progress, ProjectProgressOut
from core.org.models import Department
from core.rules.engine import FlowItem


def first_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the next working day."""
    return day if is_working_day(day) else add_working_days(day, 1)


def finish_for(start: date, limit: int) -> date:
    """The finish of a node of ``limit`` working days starting on ``start`` (a working day)."""
    return start if limit <= 1 else add_working_days(start, limit - 1)


def in_order(nodes: Sequence[ProjectNode]) -> list[ProjectNode]:
    """The nodes with every prerequisite before its successors (ties by position); a cycle is refused."""
    by_code = {n.approval_code: n for n in nodes}
    waiting = {n.approval_code: len({d for d in n.depends_on or [] if d in by_code}) for n in nodes}
    successors: dict[str, list[ProjectNode]] = {}
    for node in nodes:
        for code in {d for d in node.depends_on or [] if d in by_code}:
            successors.setdefault(code, []).append(node)
    ready = [(n.position, n.id or 0, index, n) for index, n in enumerate(nodes) if not waiting[n.approval_code]]
    heapq.heapify(ready)
    placed: list[ProjectNode] = []
    order = {id(n): index for index, n in enumerate(nodes)}
    while ready:
        node = heapq.heappop(ready)[3]
        placed.append(node)
        for follower in successors.get(node.approval_code, []):
            waiting[follower.approval_code] -= 1
            if not waiting[follower.approval_code]:
                heapq.heappush(ready, (follower.position, follower.id or 0, order[id(follower)], follower))
    if len(placed) < len(nodes):
        names = "、".join(n.name for n in nodes if n not in placed)
        raise ValidationFailed(f"节点的前置关系形成了循环，无法编排：{names}", field="depends_on")
    return placed


def schedule(nodes: Sequence[ProjectNode], start: date) -> None:
    """Plans the nodes from ``start`` as the module says (mutates them)."""
    day_one = first_working_day(start)
    finished: dict[str, date] = {}
    for node in in_order(nodes):
        if node.state == SKIPPED:
            continue
        after = [finished[d] for d in node.depends_on or [] if d in finished]
        keep = node.planned_start is not None and node.planned_finish is not None
        if not (keep and (node.planned_fixed or node.state == DONE)):
            node.planned_start = add_working_days(max(after), 1) if after else day_one
            node.planned_finish = finish_for(node.planned_start, node.time_limit_days)
        if node.state == DONE and node.actual_finish is not None:
            finished[node.approval_code] = node.actual_finish
        elif node.planned_finish is not None:
            finished[node.approval_code] = node.planned_finish


def replan(db: Session, project: MajorProject, start: date) -> None:
    """Plans the project's nodes again from ``start``."""
    schedule(project.nodes, start)
    db.flush()


def add_flow_nodes(db: Session, project: MajorProject, items: Iterable[FlowItem]) -> list[ProjectNode]:
    """One node per approval of a confirmed flow: its department by code, its service item by code (when the
    catalogue has it), prerequisites and time limit as the flow has them."""
    items = list(items)
    departments = {
        d.code: d for d in db.scalars(select(Department).where(Department.code.in_({i.department_code for i in items})))
    }
    codes = {i.service_item_code for i in items if i.service_item_code}
    service_items = {s.code: s.id for s in db.scalars(select(ServiceItem).where(ServiceItem.code.in_(codes)))}
    made = []
    for item in items:
        department = departments.get(item.department_code)
        if department is None:
            raise ValidationFailed(f"流程中“{item.name}”的部门编码 {item.department_code} 不存在，请管理员检查部门设置")
        node = ProjectNode(
            major_project_id=project.id,
            approval_code=item.code,
            name=item.name[:100],
            stage=item.stage,
            stage_name=item.stage_name or STAGE_NAMES.get(item.stage, ""),
            department_id=department.id,
            service_item_id=service_items.get(item.service_item_code),
            position=item.order,
            depends_on=list(item.depends_on),
            time_limit_days=item.time_limit_days,
            state=PENDING,
            planned_fixed=False,
            note="",
        )
        node.department = department
        db.add(node)
        made.append(node)
    db.flush()
    db.refresh(project)
    return made


# ---------------------------------------------------------------- where things stand


def node_overdue(node: ProjectNode, today: date) -> bool:
    """Open past its planned finish, or done after it."""
    if node.planned_finish is None or node.state == SKIPPED:
        return False
    if node.state == DONE:
        return node.actual_finish is not None and node.actual_finish > node.planned_finish
    return node.state in OPEN_NODE_STATES and today > node.planned_finish


def milestone_overdue(milestone: Milestone, today: date) -> bool:
    """Not reached by its planned date, or reached after it."""
    if milestone.actual_finish is not None:
        return milestone.actual_finish > milestone.planned_finish
    return today > milestone.planned_finish


def _share(key: str, label: str, done: int, total: int) -> Progress:
    return Progress(key=key, label=label, done=done, total=total, percent=round(100 * done / total) if total else 0)


def progress(project: MajorProject) -> ProjectProgressOut:
    """Done nodes out of all (skipped ones left out) overall and by approval stage; milestones reached."""
    counted = [n for n in project.nodes if n.state != SKIPPED]
    stages: dict[str, list[ProjectNode]] = {}
    for node in counted:
        stages.setdefault(node.stage if node.stage in STAGE_NAMES else OTHER_STAGE, []).append(node)
    order = list(STAGE_NAMES)
    by_stage = [
        _share(stage, STAGE_NAMES[stage], sum(n.state == DONE for n in nodes), len(nodes))
        for stage, nodes in sorted(stages.items(), key=lambda pair: order.index(pair[0]))
    ]
    reached = sum(m.actual_finish is not None for m in project.milestones)
    return ProjectProgressOut(
        overall=_share("overall", "全部审批节点", sum(n.state == DONE for n in counted), len(counted)),
        by_stage=by_stage,
        milestones=_share("milestones", "里程碑", reached, len(project.milestones)),
    )


def default_milestone_name(kind: str) -> str:
    """The name a milestone of a kind gets when none is typed."""
    return MILESTONE_KINDS.get(kind, "")
