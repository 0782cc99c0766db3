"""Project API shapes."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from core.rules.engine import DerivedFlow
from core.rules.indicators import IndicatorValue
from core.validators import OneLine, credit_code_problem, phone_problem


class ProjectInfo(BaseModel):
    """Project facts a filer gives (all optional while the project is a draft)."""

    name: OneLine | None = Field(default=None, min_length=2, max_length=200)
    enterprise_name: OneLine | None = Field(default=None, min_length=2, max_length=200)
    credit_code: str | None = Field(default=None, max_length=18)
    location: OneLine | None = Field(default=None, min_length=2, max_length=300)
    contact_name: OneLine | None = Field(default=None, min_length=1, max_length=50)
    contact_phone: str | None = Field(default=None, max_length=20)

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        problem = credit_code_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        problem = phone_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ProjectIn(ProjectInfo):
    """Creating a project: its name at least, optionally everything else including first answers."""

    name: str = Field(min_length=2, max_length=200)
    indicators: dict[str, IndicatorValue] = Field(default_factory=dict)


class ProjectPatch(ProjectInfo):
    """Saving a draft: any project facts, and answers to merge (null clears an answer)."""

    indicators: dict[str, IndicatorValue] = Field(default_factory=dict)


class QuestionOut(BaseModel):
    """A question as clients render it."""

    key: str
    label: str
    prompt: str
    kind: str
    options: dict[str, str] = Field(default_factory=dict)
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    gating: bool = Field(default=False, description="其答案决定其他问题是否适用：修改后请重新获取问题列表")
    answer: IndicatorValue = None
    answer_display: str = ""


class QuestionsOut(BaseModel):
    """The questions that apply to a project now, and the ones still open."""

    applicable: list[QuestionOut]
    unanswered: list[str]
    next: QuestionOut | None
    missing_project_info: list[str]
    project_info_labels: dict[str, str] = Field(
        description="项目信息字段的中文名称（missing_project_info 中的字段及项目名称），供客户端提问和提示"
    )


class ProjectOut(BaseModel):
    """A project as its filer and staff see it (phone masked)."""

    id: int
    code: str
    name: str
    enterprise_name: str
    credit_code: str
    location: str
    contact_name: str
    contact_phone: str
    status: str
    status_label: str
    indicators: dict[str, Any]
    derivation_stale: bool
    created_at: datetime
    updated_at: datetime


class DerivationOut(BaseModel):
    """A derivation with its (review-adjusted) flow."""

    id: int
    seq: int
    rule_set_version: int
    created_at: datetime
    flow: DerivedFlow
    reviews: list["ReviewOut"]


class AdjustmentIn(BaseModel):
    """A department's change to the flow: add an approval, correct one, or remove one; always with an opinion."""

    action: str = Field(pattern="^(add|correct|remove)$")
    approval_code: str = Field(default="", max_length=50)
    name: str = Field(default="", max_length=100)
    stage: str = Field(default="", max_length=20)
    time_limit_days: int | None = Field(default=None, ge=0, le=365)
    materials: list[str] = Field(default_factory=list, max_length=50)
    opinion: str = Field(min_length=2, max_length=2000)


class AdjustmentOut(AdjustmentIn):
    """A recorded adjustment."""

    id: int
    created_at: datetime


class ConfirmIn(BaseModel):
    """A department confirms its items, with an optional overall opinion."""

    opinion: str = Field(default="", max_length=2000)


class ReviewOut(BaseModel):
    """One department's review."""

    id: int
    project_id: int
    project_code: str
    project_name: str
    department_id: int
    department_name: str
    status: str
    status_label: str
    opinion: str
    reviewer_name: str
    confirmed_at: datetime | None
    items: list[str]
    adjustments: list[AdjustmentOut]


class LetterOut(BaseModel):
    """A guidance letter version."""

    version: int
    verification_code: str
    is_final: bool
    issued_at: datetime
    superseded: bool
    pdf_url: str
    verify_url: str


class LetterVerificationOut(LetterOut):
    """What the public verification page shows."""

    project_code: str
    project_name: str
    enterprise_name: str
    latest_version: int
