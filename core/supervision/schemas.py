"""Shapes of the supervision (审管衔接) API: configurations, pushes, feedback, escalations, comparisons and statistics."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, Field, field_validator

from core.clock import now
from core.files.models import StoredFile
from core.supervision.approval_result import PUSH_FIELDS
from core.supervision.comparison import KIND_LABELS, SOURCE_LABELS
from core.supervision.enums import STATUS_LABELS
from core.supervision.escalation import LEVEL_LABELS, STAGE_LABELS, Stage, is_overdue, thresholds
from core.supervision.models import (
    ItemComparison,
    ItemComparisonRow,
    SupervisionConfig,
    SupervisionEscalation,
    SupervisionFeedback,
    SupervisionPush,
)


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

    @classmethod
    def from_model(cls, config: SupervisionConfig) -> Self:
        """A configuration for the API and the pages, with the thresholds in force when it leaves them empty."""
        claim, feedback = thresholds(config)
        return cls(
            id=config.id,
            service_item_id=config.service_item_id,
            service_item_code=config.item.code,
            service_item_name=config.item.name,
            approving_department_name=config.item.department.name,
            departments=[DepartmentRef(id=d.id, name=d.name) for d in config.departments],
            fields=list(config.fields),
            field_labels=[PUSH_FIELDS[k] for k in config.fields if k in PUSH_FIELDS],
            note=config.note,
            claim_days=config.claim_days,
            feedback_days=config.feedback_days,
            effective_claim_days=claim,
            effective_feedback_days=feedback,
            is_active=config.is_active,
            updated_at=config.updated_at,
        )


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

    @classmethod
    def from_model(cls, f: SupervisionFeedback, *, attachments: Sequence[StoredFile]) -> Self:
        """A department's feedback with its attached files (looked up by the service)."""
        return cls(
            inspected=f.inspected,
            inspected_on=f.inspected_on,
            problems_found=f.problems_found,
            problems=f.problems,
            measures=f.measures,
            attachments=[AttachmentOut(id=s.id, name=s.original_name) for s in attachments],
            handler_name=f.handler_name,
            created_at=f.created_at,
        )


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

    @classmethod
    def from_model(cls, escalation: SupervisionEscalation, push: SupervisionPush) -> Self:
        """An escalation with what identifies its push."""
        stage = Stage(escalation.stage)
        return cls(
            id=escalation.id,
            push_id=push.id,
            case_no=push.case_no,
            service_item_name=push.item.name,
            department_id=push.department_id,
            department_name=push.department.name,
            stage=stage.value,
            stage_label=STAGE_LABELS[stage],
            level=escalation.level,
            level_label=LEVEL_LABELS[escalation.level],
            due_at=escalation.due_at,
            escalated_at=escalation.escalated_at,
            push_status=push.status,
            push_status_label=STATUS_LABELS[push.status],
        )


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

    @classmethod
    def from_model(cls, push: SupervisionPush) -> Self:
        """A push as a list row (whether it waits past its threshold now)."""
        return cls(
            id=push.id,
            case_id=push.case_id,
            case_no=push.case_no,
            licence_no=push.licence_no,
            service_item_id=push.service_item_id,
            service_item_name=push.item.name,
            approving_department_id=push.approving_department_id,
            approving_department_name=push.approving_department.name,
            department_id=push.department_id,
            department_name=push.department.name,
            holder_name=push.holder_name,
            status=push.status,
            status_label=STATUS_LABELS[push.status],
            pushed_at=push.pushed_at,
            claim_days=push.claim_days,
            feedback_days=push.feedback_days,
            claim_due_at=push.claim_due_at,
            claimed_at=push.claimed_at,
            feedback_due_at=push.feedback_due_at,
            fed_back_at=push.fed_back_at,
            overdue=is_overdue(push, now()),
            escalation_level=push.escalation_level,
        )


class PushOut(PushSummary):
    """A push with the frozen approval result, its feedback and escalations."""

    result: list[ResultFieldOut]
    note: str
    claimed_by_name: str
    feedback: FeedbackOut | None
    escalations: list[EscalationOut]

    @classmethod
    def from_model(cls, push: SupervisionPush, *, attachments: Sequence[StoredFile] = ()) -> Self:
        """A push with its approval result, feedback (``attachments``: the feedback's files) and escalations."""
        feedback = push.feedback
        return cls(
            **PushSummary.from_model(push).model_dump(),
            result=[ResultFieldOut.model_validate(line) for line in push.result],
            note=push.note,
            claimed_by_name=push.claimed_by_name,
            feedback=FeedbackOut.from_model(feedback, attachments=attachments) if feedback is not None else None,
            escalations=[EscalationOut.from_model(e, push) for e in push.escalations],
        )


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

    @classmethod
    def from_model(cls, r: ItemComparisonRow) -> Self:
        """A finding of a comparison, its kind in words."""
        return cls(
            kind=r.kind,
            kind_label=KIND_LABELS.get(r.kind, r.kind),
            code=r.code,
            name=r.name,
            matched_by=r.matched_by,
            sheet_row=r.sheet_row,
            service_item_id=r.service_item_id,
            differences=[DifferenceOut.model_validate(d) for d in r.differences],
        )


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

    @classmethod
    def from_model(cls, found: ItemComparison) -> Self:
        """A stored comparison's counts."""
        return cls(
            id=found.id,
            source=found.source,
            source_label=SOURCE_LABELS.get(found.source, found.source),
            file_name=found.file_name,
            sheet_name=found.sheet_name,
            their_count=found.their_count,
            our_count=found.our_count,
            matched=found.matched,
            only_ours=found.only_ours,
            only_theirs=found.only_theirs,
            differing=found.differing,
            uploaded_by_name=found.uploaded_by_name,
            created_at=found.created_at,
        )


class ComparisonOut(ComparisonSummary):
    """A stored comparison with its findings."""

    rows: list[ComparisonRowOut]

    @classmethod
    def from_model(cls, found: ItemComparison) -> Self:
        """A stored comparison with its findings."""
        rows = [ComparisonRowOut.from_model(r) for r in found.rows]
        return cls(**ComparisonSummary.from_model(found).model_dump(), rows=rows)


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
