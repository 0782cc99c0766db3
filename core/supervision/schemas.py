"""Shapes of the supervision (审管衔接) API: configurations, pushes, feedback, escalations, comparisons and statistics."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class FieldChoice(BaseModel):
    """A field of the approval result a configuration may send."""

    key: str
    label: str
    default: bool


class ConfigIn(BaseModel):
    """推送配置 as an admin enters it."""

    service_item_id: int
    department_ids: list[int] = Field(description="接收推送的监管部门")
    fields: list[str] = Field(description="推送的审批结果字段")
    note: str = Field(default="", max_length=500)
    claim_days: int | None = Field(default=None, ge=1, le=60, description="认领时限（工作日）；空则用系统默认")
    feedback_days: int | None = Field(default=None, ge=1, le=250, description="反馈时限（工作日）；空则用系统默认")
    is_active: bool = True

    @field_validator("department_ids")
    @classmethod
    def _some_departments(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("请至少选择一个接收推送的监管部门")
        if len(value) > 20:
            raise ValueError("监管部门最多选择 20 个")
        return value

    @field_validator("fields")
    @classmethod
    def _some_fields(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("请至少勾选一项推送内容")
        return value


class DepartmentRef(BaseModel):
    """A department by id and name."""

    id: int
    name: str


class ConfigOut(BaseModel):
    """A push configuration with its effective thresholds."""

    id: int
    service_item_id: int
    service_item_code: str
    service_item_name: str
    approving_department_name: str
    departments: list[DepartmentRef]
    fields: list[str]
    field_labels: list[str]
    note: str
    claim_days: int | None
    feedback_days: int | None
    effective_claim_days: int
    effective_feedback_days: int
    is_active: bool
    updated_at: datetime


class ResultFieldOut(BaseModel):
    """One line of the approval result the department received."""

    key: str
    label: str
    value: str | list[str]


class FeedbackIn(BaseModel):
    """监管反馈: inspected or not and when, problems found or not and which, the measures taken."""

    inspected: bool
    inspected_on: date | None = None
    problems_found: bool
    problems: str = Field(default="", max_length=2000)
    measures: str = Field(default="", max_length=2000)
    attachment_ids: list[int] = Field(default_factory=list, max_length=10)


class AttachmentOut(BaseModel):
    """An attachment of a feedback."""

    id: int
    name: str


class FeedbackOut(BaseModel):
    """A recorded supervision result."""

    inspected: bool
    inspected_on: date | None
    problems_found: bool
    problems: str
    measures: str
    attachments: list[AttachmentOut]
    handler_name: str
    created_at: datetime


class EscalationOut(BaseModel):
    """One escalation of a push."""

    id: int
    push_id: int
    case_no: str
    service_item_name: str
    department_id: int
    department_name: str
    stage: str
    stage_label: str
    level: int
    level_label: str
    due_at: datetime
    escalated_at: datetime
    push_status: str
    push_status_label: str


class PushSummary(BaseModel):
    """A row of the push lists."""

    id: int
    case_id: int
    case_no: str
    licence_no: str
    service_item_id: int
    service_item_name: str
    approving_department_id: int
    approving_department_name: str
    department_id: int
    department_name: str
    holder_name: str
    status: str
    status_label: str
    pushed_at: datetime
    claim_days: int
    feedback_days: int
    claim_due_at: datetime
    claimed_at: datetime | None
    feedback_due_at: datetime | None
    fed_back_at: datetime | None
    overdue: bool
    escalation_level: int


class PushOut(PushSummary):
    """A push with the frozen approval result, its feedback and escalations."""

    result: list[ResultFieldOut]
    note: str
    claimed_by_name: str
    feedback: FeedbackOut | None
    escalations: list[EscalationOut]


class PushPage(BaseModel):
    """A page of pushes."""

    items: list[PushSummary]
    total: int
    page: int
    page_size: int


ComparisonSource = Literal["supervision", "city_platform"]


class DifferenceOut(BaseModel):
    """One field that differs: ours vs theirs."""

    field: str
    label: str
    ours: str
    theirs: str


class ComparisonRowOut(BaseModel):
    """One finding of a comparison."""

    kind: str
    kind_label: str
    code: str
    name: str
    matched_by: str
    sheet_row: int | None
    service_item_id: int | None
    differences: list[DifferenceOut]


class ComparisonSummary(BaseModel):
    """A stored comparison, counts only."""

    id: int
    source: str
    source_label: str
    file_name: str
    sheet_name: str
    their_count: int
    our_count: int
    matched: int
    only_ours: int
    only_theirs: int
    differing: int
    uploaded_by_name: str
    created_at: datetime


class ComparisonOut(ComparisonSummary):
    """A stored comparison with its findings."""

    rows: list[ComparisonRowOut]


class StatsRow(BaseModel):
    """Pushed, claimed, fed back and overdue for one department, item or month."""

    key: str
    label: str
    pushed: int = 0
    claimed: int = 0
    fed_back: int = 0
    overdue: int = 0

    @property
    def claim_rate(self) -> str:
        """Claimed as a share of pushed."""
        return f"{self.claimed / self.pushed:.1%}" if self.pushed else "—"

    @property
    def feedback_rate(self) -> str:
        """Fed back as a share of pushed."""
        return f"{self.fed_back / self.pushed:.1%}" if self.pushed else "—"


class StatsOut(BaseModel):
    """The supervision statistics for a date range."""

    date_from: date | None
    date_to: date | None
    total: StatsRow
    by_department: list[StatsRow]
    by_item: list[StatsRow]
    by_month: list[StatsRow]
