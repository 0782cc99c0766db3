"""Shapes of the major project API: the register, nodes, milestones, coordination, meetings and statistics.

Input shapes check types and lengths; the rules between fields (a finish before its start, a department that
does not exist, at least one department for a problem) are the service's, so the pages get the same messages.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from core.validators import OneLine

T = TypeVar("T")


class MajorProjectIn(BaseModel):
    """A major project as registered: from a filing project (``project_id``, its confirmed flow gives the nodes)
    or directly (nodes added by hand). Empty facts are taken from the filing project."""

    name: OneLine = Field(default="", max_length=200, description="项目名称（从报建项目登记时可留空）")
    category: str = Field(
        description="industry 重大产业项目 / livelihood 重点实事工程 / infrastructure 基础设施 / other"
    )
    stage: str = Field(default="preparation", description="preparation 前期 / approval 审批 / construction 建设 / …")
    project_id: int | None = Field(default=None, description="来源报建项目（部门已确认流程）")
    project_code: OneLine = Field(default="", max_length=40, description="投资项目代码")
    enterprise_name: OneLine = Field(default="", max_length=200)
    credit_code: OneLine = Field(default="", max_length=18)
    location: OneLine = Field(default="", max_length=300)
    investment: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("999999999999"), description="总投资（万元）")
    description: str = Field(default="", max_length=2000)
    lead_department_id: int = Field(description="牵头（责任）部门")
    leader_id: int | None = Field(default=None, description="责任领导")
    officer_id: int | None = Field(default=None, description="一对一帮办专员")
    planned_start: date | None = Field(default=None, description="计划开工；审批节点从这一天起按工作日编排")
    planned_finish: date | None = Field(default=None, description="计划竣工（投产）")


class MajorProjectPatch(BaseModel):
    """Changes to a project's facts; absent fields stay."""

    name: OneLine | None = Field(default=None, min_length=1, max_length=200)
    category: str | None = None
    stage: str | None = None
    status: str | None = Field(default=None, description="active 跟踪中 / finished 已完成 / cancelled 已终止")
    project_code: OneLine | None = Field(default=None, max_length=40)
    enterprise_name: OneLine | None = Field(default=None, max_length=200)
    credit_code: OneLine | None = Field(default=None, max_length=18)
    location: OneLine | None = Field(default=None, max_length=300)
    investment: Decimal | None = Field(default=None, ge=0, le=Decimal("999999999999"))
    description: str | None = Field(default=None, max_length=2000)
    lead_department_id: int | None = None
    leader_id: int | None = None
    officer_id: int | None = None
    planned_start: date | None = None
    planned_finish: date | None = None


class PlanIn(BaseModel):
    """Replanning: the first working day on or after ``start`` is day one of the nodes without prerequisites."""

    start: date = Field(description="项目审批起始日期")


class NodeIn(BaseModel):
    """An approval node added by hand."""

    name: OneLine = Field(min_length=1, max_length=100)
    department_id: int
    service_item_id: int | None = Field(default=None, description="对应的服务事项（其办件自动填写实际日期）")
    stage: str = Field(default="other", description="审批阶段：land_planning / engineering / construction / …")
    depends_on: list[str] = Field(default_factory=list, description="前置节点的编码")
    time_limit_days: int = Field(default=0, ge=0, le=365, description="承诺时限（工作日）")
    planned_start: date | None = Field(default=None, description="手工指定时视为已调整，重新编排时保留")
    planned_finish: date | None = None
    note: str = Field(default="", max_length=1000)


class NodePatch(BaseModel):
    """Changes to a node. Setting planned dates fixes them (replanning keeps them) until ``planned_fixed`` is
    set false again; actual dates are recorded as given."""

    name: OneLine | None = Field(default=None, min_length=1, max_length=100)
    department_id: int | None = None
    service_item_id: int | None = None
    depends_on: list[str] | None = None
    time_limit_days: int | None = Field(default=None, ge=0, le=365)
    planned_start: date | None = None
    planned_finish: date | None = None
    planned_fixed: bool | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    state: str | None = Field(default=None, description="pending / in_progress / done / skipped")
    note: str | None = Field(default=None, max_length=1000)


class MilestoneIn(BaseModel):
    """A milestone: 拿地、开工、主体封顶、竣工验收、投产 or one named by hand (custom)."""

    kind: str = Field(description="land / groundbreaking / topping_out / completion_acceptance / production / custom")
    name: OneLine = Field(default="", max_length=100, description="自定义里程碑的名称；其余默认为类型名")
    department_id: int | None = None
    planned_start: date | None = None
    planned_finish: date
    actual_start: date | None = None
    actual_finish: date | None = None
    note: str = Field(default="", max_length=1000)


class MilestonePatch(BaseModel):
    """Changes to a milestone; absent fields stay."""

    name: OneLine | None = Field(default=None, min_length=1, max_length=100)
    department_id: int | None = None
    planned_start: date | None = None
    planned_finish: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    note: str | None = Field(default=None, max_length=1000)


class IssueIn(BaseModel):
    """问题协调: what, which departments are asked (at least one), by when, raised by whom."""

    title: OneLine = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    department_ids: list[int] = Field(default_factory=list, description="协调部门，至少一个")
    due_on: date = Field(description="要求解决日期")
    raised_by_name: OneLine = Field(default="", max_length=50, description="提出人（空则为登记人）")


class ReplyIn(BaseModel):
    """A department's reply."""

    body: str = Field(max_length=4000)


class CloseIn(BaseModel):
    """Closing a problem, with how it was solved."""

    note: str = Field(max_length=2000)


class DecisionIn(BaseModel):
    """A decision of a 会商 meeting."""

    content: str = Field(max_length=2000)
    department_id: int | None = None
    owner_name: OneLine = Field(default="", max_length=50)
    due_on: date | None = None


class MeetingIn(BaseModel):
    """A 会商 meeting held on the project."""

    held_on: date
    topic: OneLine = Field(min_length=1, max_length=200)
    host_name: OneLine = Field(default="", max_length=50)
    participants: str = Field(default="", max_length=2000)
    summary: str = Field(default="", max_length=8000)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)


class DecisionPatch(BaseModel):
    """A decision done on a day, or open again (null)."""

    done_on: date | None


# ---------------------------------------------------------------- out


class Ref(BaseModel):
    """Something by id and name."""

    id: int
    name: str


class Progress(BaseModel):
    """Done out of all (skipped nodes not counted)."""

    key: str
    label: str
    done: int
    total: int
    percent: int


class ProjectProgressOut(BaseModel):
    """Progress overall, by approval stage, and of the milestones."""

    overall: Progress
    by_stage: list[Progress]
    milestones: Progress


class MajorProjectSummary(BaseModel):
    """A row of the register."""

    id: int
    code: str
    name: str
    category: str
    category_label: str
    stage: str
    stage_label: str
    status: str
    status_label: str
    enterprise_name: str
    investment: Decimal
    lead_department: Ref
    leader: Ref | None
    officer: Ref | None
    planned_start: date | None
    planned_finish: date | None
    progress_percent: int
    nodes_done: int
    nodes_total: int
    overdue_nodes: int


class NodeOut(BaseModel):
    """An approval node with its plan, actual dates and the case that filled them."""

    id: int
    approval_code: str
    name: str
    stage: str
    stage_name: str
    department: Ref
    service_item: Ref | None
    position: int
    depends_on: list[str]
    time_limit_days: int
    planned_start: date | None
    planned_finish: date | None
    planned_fixed: bool
    actual_start: date | None
    actual_finish: date | None
    state: str
    state_label: str
    overdue: bool
    case_id: int | None
    case_no: str
    note: str


class MilestoneOut(BaseModel):
    """A milestone."""

    id: int
    kind: str
    kind_label: str
    name: str
    department: Ref | None
    planned_start: date | None
    planned_finish: date
    actual_start: date | None
    actual_finish: date | None
    overdue: bool
    note: str


class ReplyOut(BaseModel):
    """A reply to a problem."""

    id: int
    department: Ref | None
    author_name: str
    body: str
    created_at: datetime


class IssueOut(BaseModel):
    """A problem raised for coordination, with its replies."""

    id: int
    title: str
    description: str
    raised_by_name: str
    departments: list[Ref]
    due_on: date
    status: str
    status_label: str
    overdue: bool
    replies: list[ReplyOut]
    closed_at: datetime | None
    closing_note: str
    created_at: datetime


class DecisionOut(BaseModel):
    """A decision of a meeting."""

    id: int
    content: str
    department: Ref | None
    owner_name: str
    due_on: date | None
    done_on: date | None


class MeetingOut(BaseModel):
    """A 会商 meeting with its decisions."""

    id: int
    held_on: date
    topic: str
    host_name: str
    participants: str
    summary: str
    decisions: list[DecisionOut]


class MajorProjectOut(MajorProjectSummary):
    """A project with everything the project page shows."""

    project_id: int | None
    project_code: str
    credit_code: str
    location: str
    description: str
    progress: ProjectProgressOut
    nodes: list[NodeOut]
    milestones: list[MilestoneOut]
    issues: list[IssueOut]
    meetings: list[MeetingOut]
    can_manage: bool


class ProjectChoice(BaseModel):
    """A project a case may be registered for."""

    id: int
    code: str
    name: str


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    page_size: int


class MajorProjectStatsRow(BaseModel):
    """Figures of one group (a stage, a category, a department or a month)."""

    key: str
    label: str
    projects: int = 0
    investment: Decimal = Decimal(0)
    nodes: int = 0
    nodes_done: int = 0
    done_on_time: int = 0
    overdue: int = 0
    milestones_reached: int = 0

    @property
    def on_time_rate(self) -> str:
        """按时完成率 as shown to people, "—" when nothing is done."""
        return f"{self.done_on_time / self.nodes_done:.1%}" if self.nodes_done else "—"


class MajorProjectStats(BaseModel):
    """The statistics of the projects the caller reaches (with the list's filters)."""

    total: MajorProjectStatsRow
    by_stage: list[MajorProjectStatsRow]
    by_category: list[MajorProjectStatsRow]
    by_department: list[MajorProjectStatsRow]
    by_month: list[MajorProjectStatsRow]
