"""Major project API (重大项目跟踪): the register, planning, nodes, milestones, 问题协调, 会商 and statistics."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from core.clock import today
from core.deps import DB, ChannelUser, CurrentUser, ReadDB
from core.major_projects import coordination, export, links, mine, service, shapes, stats, tracking
from core.major_projects.schemas import (
    CloseIn,
    DecisionOut,
    DecisionPatch,
    IssueIn,
    IssueOut,
    MajorProjectIn,
    MajorProjectOut,
    MajorProjectPatch,
    MajorProjectStats,
    MajorProjectSummary,
    MeetingIn,
    MeetingOut,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    MyProjectOut,
    NodeIn,
    NodeOut,
    NodePatch,
    Page,
    PlanIn,
    ProjectChoice,
    ReplyIn,
)
from core.settings import get_settings

router = APIRouter(prefix="/major-projects", tags=["重大项目跟踪"])
my_router = APIRouter(tags=["重大项目跟踪"])


@my_router.get("/my/projects", response_model=list[MyProjectOut], summary="我的项目进度（报建状态、审批节点和下一步）")
def my_projects(db: ReadDB, user: CurrentUser, channel_user: ChannelUser) -> list[MyProjectOut]:
    """The caller's own filing projects, newest first: a signed-in filer's, or through the bot (a service client
    with ``X-Channel-User``) the channel user's. Each with its filing status, pending department reviews, the
    guidance letter and, once registered as a major project, its stage, progress, nodes, next steps (running
    nodes and those whose prerequisites are done) and next milestones."""
    return mine.my_projects(db, user, channel_user=channel_user)


def _filter(
    q: str | None = None,
    stage: str | None = None,
    category: str | None = None,
    status: str | None = None,
    department_id: int | None = None,
    leader_id: int | None = None,
    warning_state: str | None = None,
) -> service.ProjectFilter:
    """The register's filters, as the list, the statistics and the workbook take them from the query."""
    return service.ProjectFilter(q, stage, category, status, department_id, leader_id, warning_state)


Filters = Annotated[service.ProjectFilter, Depends(_filter)]


@router.get("", response_model=Page[MajorProjectSummary], summary="重大项目列表（按数据权限）")
def list_projects(
    db: ReadDB,
    user: CurrentUser,
    found: Filters,
    page: int = 1,
    page_size: int = 20,
) -> Page[MajorProjectSummary]:
    """Projects the caller reaches: all for all-scope readers, else those their department leads or owns a node,
    milestone or problem of. ``warning_state``: red / yellow (an open warning of that level) or none."""
    rows, total = service.list_projects(db, user, found, page=page, page_size=page_size)
    return Page(items=[shapes.summary(p) for p in rows], total=total, page=page, page_size=page_size)


@router.post("", response_model=MajorProjectOut, status_code=201, summary="登记重大项目")
def create(data: MajorProjectIn, db: DB, user: CurrentUser) -> MajorProjectOut:
    """From a filing project whose flow the departments confirmed (its approvals become the nodes), or directly."""
    project = service.create(db, user, data)
    assert user is not None
    return shapes.project_out(db, user, project)


@router.get("/choices", response_model=list[ProjectChoice], summary="可为其登记办件的重大项目")
def choices(service_item_id: int, db: ReadDB, user: CurrentUser) -> list[ProjectChoice]:
    """Projects a case of this item may be registered for by the caller (a window clerk: with an open node of their
    department; an applicant: made from their own filing projects)."""
    found = links.linkable_projects(db, user, service_item_id=service_item_id)
    return [ProjectChoice(id=p.id, code=p.code, name=p.name) for p in found]


@router.get("/stats", response_model=MajorProjectStats, summary="重大项目统计")
def statistics(
    db: ReadDB,
    user: CurrentUser,
    found: Filters,
) -> MajorProjectStats:
    """By project stage, category, department and month, for the projects the list would show."""
    return stats.statistics(db, user, found)


@router.get(
    "/stats.xlsx",
    summary="重大项目清单和统计导出 Excel",
    response_class=Response,
    responses={200: {"content": {export.XLSX: {}}}},
)
def statistics_excel(
    db: ReadDB,
    user: CurrentUser,
    found: Filters,
) -> Response:
    """The list with the filters applied and the statistics, as a workbook."""
    figures = stats.statistics(db, user, found)
    rows, _ = service.list_projects(db, user, found, page=1, page_size=500)
    title = f"{get_settings().centre_name} 重大项目跟踪统计（{today():%Y-%m-%d}）"
    content = export.workbook([shapes.summary(p) for p in rows], figures, title)
    headers = {"Content-Disposition": 'attachment; filename="major-projects.xlsx"'}
    return Response(content, media_type=export.XLSX, headers=headers)


@router.get("/{project_id}", response_model=MajorProjectOut, summary="重大项目详情")
def get_for(project_id: int, db: ReadDB, user: CurrentUser) -> MajorProjectOut:
    """Facts, progress, nodes with their cases, milestones, problems with replies and meetings."""
    project = service.get_for(db, user, project_id)
    assert user is not None
    return shapes.project_out(db, user, project)


@router.patch("/{project_id}", response_model=MajorProjectOut, summary="修改重大项目")
def update(project_id: int, data: MajorProjectPatch, db: DB, user: CurrentUser) -> MajorProjectOut:
    """Changes the project's facts (its manager)."""
    project = service.update(db, user, service.get_to_manage(db, user, project_id), data)
    assert user is not None
    return shapes.project_out(db, user, project)


@router.post("/{project_id}/plan", response_model=MajorProjectOut, summary="按工作日编排审批节点计划")
def plan(project_id: int, data: PlanIn, db: DB, user: CurrentUser) -> MajorProjectOut:
    """Plans the nodes from a start date in working days (调休 and holidays counted), keeping actual dates, the
    planned dates of done nodes and planned dates moved by hand."""
    project = tracking.plan(db, user, service.get_to_manage(db, user, project_id), data.start)
    assert user is not None
    return shapes.project_out(db, user, project)


@router.post("/{project_id}/nodes", response_model=NodeOut, status_code=201, summary="手工添加审批节点")
def add_node(project_id: int, data: NodeIn, db: DB, user: CurrentUser) -> NodeOut:
    """A node added by hand, planned from its prerequisites unless planned dates are given."""
    node = tracking.add_node(db, user, service.get_to_manage(db, user, project_id), data)
    return shapes.node_out(node, shapes.case_numbers(db, [node]), shapes.item_names(db, [node]))


@router.patch("/{project_id}/nodes/{node_id}", response_model=NodeOut, summary="修改审批节点（计划、实际日期、状态）")
def update_node(project_id: int, node_id: int, data: NodePatch, db: DB, user: CurrentUser) -> NodeOut:
    """Moves planned dates by hand (kept by replanning), records actual dates and the state."""
    project = service.get_to_manage(db, user, project_id)
    node = tracking.update_node(db, user, project, tracking.get_node(project, node_id), data)
    return shapes.node_out(node, shapes.case_numbers(db, [node]), shapes.item_names(db, [node]))


@router.post("/{project_id}/milestones", response_model=MilestoneOut, status_code=201, summary="添加里程碑")
def add_milestone(project_id: int, data: MilestoneIn, db: DB, user: CurrentUser) -> MilestoneOut:
    """拿地、开工、主体封顶、竣工验收、投产 or a custom milestone; a finish before its start is refused."""
    milestone = tracking.add_milestone(db, user, service.get_to_manage(db, user, project_id), data)
    return shapes.milestone_out(milestone)


@router.patch("/{project_id}/milestones/{milestone_id}", response_model=MilestoneOut, summary="修改里程碑")
def update_milestone(
    project_id: int, milestone_id: int, data: MilestonePatch, db: DB, user: CurrentUser
) -> MilestoneOut:
    """Corrects a milestone or records it reached."""
    project = service.get_to_manage(db, user, project_id)
    milestone = tracking.get_milestone(project, milestone_id)
    return shapes.milestone_out(tracking.update_milestone(db, user, project, milestone, data))


@router.post("/{project_id}/issues", response_model=IssueOut, status_code=201, summary="提出协调问题")
def raise_issue(project_id: int, data: IssueIn, db: DB, user: CurrentUser) -> IssueOut:
    """问题协调: what, which departments (at least one), by when."""
    project = service.get_for(db, user, project_id)
    return shapes.issue_out(coordination.raise_issue(db, user, project, data))


@router.post(
    "/{project_id}/issues/{issue_id}/replies", response_model=IssueOut, status_code=201, summary="答复协调问题"
)
def reply(project_id: int, issue_id: int, data: ReplyIn, db: DB, user: CurrentUser) -> IssueOut:
    """An asked department answers (for itself)."""
    project = service.get_for(db, user, project_id)
    issue = coordination.get_issue(db, project, issue_id)
    coordination.reply(db, user, project, issue, data.body)
    return shapes.issue_out(issue)


@router.post("/{project_id}/issues/{issue_id}/close", response_model=IssueOut, summary="办结协调问题")
def close_issue(project_id: int, issue_id: int, data: CloseIn, db: DB, user: CurrentUser) -> IssueOut:
    """Its raiser or the project's manager closes it, saying how it was solved."""
    project = service.get_for(db, user, project_id)
    issue = coordination.get_issue(db, project, issue_id)
    coordination.close(db, user, project, issue, data.note)
    return shapes.issue_out(issue)


@router.post("/{project_id}/meetings", response_model=MeetingOut, status_code=201, summary="记录会商")
def record_meeting(project_id: int, data: MeetingIn, db: DB, user: CurrentUser) -> MeetingOut:
    """A 会商 meeting with its decisions (content, owner department and person, due date)."""
    project = service.get_to_manage(db, user, project_id)
    return shapes.meeting_out(coordination.record_meeting(db, user, project, data))


@router.patch("/{project_id}/decisions/{decision_id}", response_model=DecisionOut, summary="登记会商决定的完成情况")
def mark_decision(project_id: int, decision_id: int, data: DecisionPatch, db: DB, user: CurrentUser) -> DecisionOut:
    """Done on a day, or open again (null): the manager or the owning department."""
    project = service.get_for(db, user, project_id)
    decision = coordination.mark_decision(db, user, project, decision_id, data.done_on)
    meeting = shapes.meeting_out(coordination.get_decision(db, project, decision.id)[0])
    return next(d for d in meeting.decisions if d.id == decision.id)
