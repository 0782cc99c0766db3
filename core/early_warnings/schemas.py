"""Shapes of the early-warning (项目预警) API: settings, warnings, their handling and counts by department."""

from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field

from core.early_warnings import subjects
from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import LEVEL_LABELS, STATE_LABELS
from core.warning_settings.thresholds import KIND_LABELS, SubjectKind


class SettingIn(BaseModel):
    """预警设置 as a manager enters it (checked by core/early_warnings/settings.py, with Chinese messages)."""

    subject_kind: str = Field(description="case 办件 / node 审批节点 / milestone 里程碑 / issue 协调问题")
    department_id: int | None = Field(default=None, description="部门；空为默认设置（未单独设置的部门）")
    yellow_days: int = Field(description="剩余不超过 N 个工作日时黄色预警（0–60）")
    escalate_days: int = Field(description="红色预警（逾期）满 M 个工作日仍未完成的，升级报告领导（1–60）")
    is_enabled: bool = Field(default=True, description="停用后该类（该部门）不再产生预警")


class SettingOut(BaseModel):
    """One row of the settings table; ``id`` is None for a kind's built-in default not stored yet."""

    id: int | None
    subject_kind: str
    subject_label: str
    department_id: int | None
    department_name: str
    yellow_days: int
    escalate_days: int
    is_enabled: bool
    updated_by_name: str
    updated_at: datetime | None


class WarningSummary(BaseModel):
    """A warning as a list row."""

    id: int
    subject_kind: str
    subject_label: str
    subject_id: int
    subject_url: str
    level: str
    level_label: str
    state: str
    state_label: str
    title: str
    department_id: int
    department_name: str
    major_project_id: int | None
    project_name: str
    due_on: date
    raised_at: datetime
    escalated_at: datetime | None
    signed_at: datetime | None
    signed_by_name: str
    handled_at: datetime | None
    promised_on: date | None
    closed_at: datetime | None
    ended_at: datetime | None
    end_reason: str

    @classmethod
    def from_model(cls, warning: EarlyWarning, *, project_name: str = "") -> Self:
        """A warning as a list row (its project's name read by the caller, once for a whole list)."""
        kind = SubjectKind(warning.subject_kind)
        return cls(
            id=warning.id,
            subject_kind=kind.value,
            subject_label=KIND_LABELS[kind],
            subject_id=warning.subject_id,
            subject_url=subjects.link(kind, warning.subject_id, warning.major_project_id),
            level=warning.level,
            level_label=LEVEL_LABELS.get(warning.level, warning.level),
            state=warning.state,
            state_label=STATE_LABELS.get(warning.state, warning.state),
            title=warning.title,
            department_id=warning.department_id,
            department_name=warning.department.name,
            major_project_id=warning.major_project_id,
            project_name=project_name,
            due_on=warning.due_on,
            raised_at=warning.raised_at,
            escalated_at=warning.escalated_at,
            signed_at=warning.signed_at,
            signed_by_name=warning.signed_by_name,
            handled_at=warning.handled_at,
            promised_on=warning.promised_on,
            closed_at=warning.closed_at,
            ended_at=warning.ended_at,
            end_reason=warning.end_reason,
        )


class WarningOut(WarningSummary):
    """A warning with its handling, what the caller may do with it, and the subject's other warnings."""

    handling_reason: str
    handling_plan: str
    closing_note: str
    announced_at: datetime | None
    allowed_actions: list[str]
    history: list[WarningSummary]


class WarningPage(BaseModel):
    """A page of warnings."""

    items: list[WarningSummary]
    total: int
    page: int
    page_size: int


class HandleIn(BaseModel):
    """预警处理: why it happened, what is done about it, and the new promised date."""

    reason: str = Field(max_length=2000, description="原因")
    plan: str = Field(max_length=2000, description="措施")
    promised_on: date | None = Field(default=None, description="承诺完成日期（不早于今天）")


class CloseIn(BaseModel):
    """销警 with a note."""

    note: str = Field(max_length=2000, description="销警说明")


class DepartmentCount(BaseModel):
    """Warnings of one department by level and state (counts by department, 预警管理)."""

    department_id: int
    department_name: str
    total: int
    yellow: int
    red: int
    escalated: int
    open: int
    signed: int
    handled: int
    closed: int
    ended: int
