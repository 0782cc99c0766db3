"""The API's shapes of projects, nodes, milestones, problems and meetings (core/major_projects/schemas.py)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.clock import today
from core.items.models import ServiceItem
from core.major_projects import coordination, planning, service
from core.major_projects.enums import (
    CATEGORY_LABELS,
    DONE,
    ISSUE_CLOSED,
    ISSUE_STATUS_LABELS,
    MILESTONE_KINDS,
    NODE_STATE_LABELS,
    SKIPPED,
    STAGE_LABELS,
    STATUS_LABELS,
)
from core.major_projects.models import CoordinationIssue, MajorProject, Meeting, Milestone, ProjectNode
from core.major_projects.schemas import (
    DecisionOut,
    IssueOut,
    MajorProjectOut,
    MajorProjectSummary,
    MeetingOut,
    MilestoneOut,
    NodeOut,
    Ref,
    ReplyOut,
)
from core.org.models import Department, User


def _ref(thing: Department | User | None) -> Ref | None:
    return Ref(id=thing.id, name=thing.name) if thing is not None else None


def summary(project: MajorProject) -> MajorProjectSummary:
    """A project as a row of the register."""
    counted = [n for n in project.nodes if n.state != SKIPPED]
    done = sum(n.state == DONE for n in counted)
    day = today()
    lead = _ref(project.lead_department)
    assert lead is not None
    return MajorProjectSummary(
        id=project.id,
        code=project.code,
        name=project.name,
        category=project.category,
        category_label=CATEGORY_LABELS.get(project.category, project.category),
        stage=project.stage,
        stage_label=STAGE_LABELS.get(project.stage, project.stage),
        status=project.status,
        status_label=STATUS_LABELS.get(project.status, project.status),
        enterprise_name=project.enterprise_name,
        investment=project.investment,
        lead_department=lead,
        leader=_ref(project.leader),
        officer=_ref(project.officer),
        planned_start=project.planned_start,
        planned_finish=project.planned_finish,
        progress_percent=round(100 * done / len(counted)) if counted else 0,
        nodes_done=done,
        nodes_total=len(counted),
        overdue_nodes=sum(planning.node_overdue(n, day) and n.state != DONE for n in counted),
    )


def case_numbers(db: Session, nodes: list[ProjectNode]) -> dict[int, str]:
    """Case numbers of the cases that filled the nodes, by case id."""
    ids = {n.case_id for n in nodes if n.case_id is not None}
    if not ids:
        return {}
    return {case_id: case_no for case_id, case_no in db.execute(select(Case.id, Case.case_no).where(Case.id.in_(ids)))}


def item_names(db: Session, nodes: list[ProjectNode]) -> dict[int, str]:
    """Names of the nodes' service items, by item id."""
    ids = {n.service_item_id for n in nodes if n.service_item_id is not None}
    if not ids:
        return {}
    return {
        item_id: name
        for item_id, name in db.execute(select(ServiceItem.id, ServiceItem.name).where(ServiceItem.id.in_(ids)))
    }


def node_out(node: ProjectNode, case_nos: dict[int, str], items: dict[int, str]) -> NodeOut:
    """A node with its dates and case."""
    department = _ref(node.department)
    assert department is not None
    item = node.service_item_id
    return NodeOut(
        id=node.id,
        approval_code=node.approval_code,
        name=node.name,
        stage=node.stage,
        stage_name=node.stage_name,
        department=department,
        service_item=Ref(id=item, name=items.get(item, "")) if item is not None else None,
        position=node.position,
        depends_on=list(node.depends_on or []),
        time_limit_days=node.time_limit_days,
        planned_start=node.planned_start,
        planned_finish=node.planned_finish,
        planned_fixed=node.planned_fixed,
        actual_start=node.actual_start,
        actual_finish=node.actual_finish,
        state=node.state,
        state_label=NODE_STATE_LABELS.get(node.state, node.state),
        overdue=planning.node_overdue(node, today()),
        case_id=node.case_id,
        case_no=case_nos.get(node.case_id, "") if node.case_id is not None else "",
        note=node.note,
    )


def milestone_out(milestone: Milestone) -> MilestoneOut:
    """A milestone."""
    return MilestoneOut(
        id=milestone.id,
        kind=milestone.kind,
        kind_label=MILESTONE_KINDS.get(milestone.kind, milestone.kind),
        name=milestone.name,
        department=_ref(milestone.department),
        planned_start=milestone.planned_start,
        planned_finish=milestone.planned_finish,
        actual_start=milestone.actual_start,
        actual_finish=milestone.actual_finish,
        overdue=planning.milestone_overdue(milestone, today()),
        note=milestone.note,
    )


def issue_out(issue: CoordinationIssue) -> IssueOut:
    """A problem with its replies."""
    return IssueOut(
        id=issue.id,
        title=issue.title,
        description=issue.description,
        raised_by_name=issue.raised_by_name,
        departments=[Ref(id=d.department_id, name=d.department.name) for d in issue.departments],
        due_on=issue.due_on,
        status=issue.status,
        status_label=ISSUE_STATUS_LABELS.get(issue.status, issue.status),
        overdue=issue.status != ISSUE_CLOSED and today() > issue.due_on,
        replies=[
            ReplyOut(
                id=r.id,
                department=_ref(r.department),
                author_name=r.author_name,
                body=r.body,
                created_at=r.created_at,
            )
            for r in issue.replies
        ],
        closed_at=issue.closed_at,
        closing_note=issue.closing_note,
        created_at=issue.created_at,
    )


def meeting_out(meeting: Meeting) -> MeetingOut:
    """A meeting with its decisions."""
    return MeetingOut(
        id=meeting.id,
        held_on=meeting.held_on,
        topic=meeting.topic,
        host_name=meeting.host_name,
        participants=meeting.participants,
        summary=meeting.summary,
        decisions=[
            DecisionOut(
                id=d.id,
                content=d.content,
                department=_ref(d.department),
                owner_name=d.owner_name,
                due_on=d.due_on,
                done_on=d.done_on,
            )
            for d in meeting.decisions
        ],
    )


def project_out(db: Session, user: User, project: MajorProject) -> MajorProjectOut:
    """A project with its progress, nodes, milestones, problems and meetings."""
    nodes = list(project.nodes)
    case_nos, items = case_numbers(db, nodes), item_names(db, nodes)
    return MajorProjectOut(
        **summary(project).model_dump(),
        project_id=project.project_id,
        project_code=project.project_code,
        credit_code=project.credit_code,
        location=project.location,
        description=project.description,
        progress=planning.progress(project),
        nodes=[node_out(n, case_nos, items) for n in nodes],
        milestones=[milestone_out(m) for m in project.milestones],
        issues=[issue_out(i) for i in service.issues_of(db, project)],
        meetings=[meeting_out(m) for m in coordination.meetings_of(db, project)],
        can_manage=service.can_manage(user, project),
    )
