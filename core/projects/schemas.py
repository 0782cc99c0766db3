"""Project API shapes."""

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, Field, field_validator

from core.projects.enums import PROJECT_INFO_LABELS, REVIEW_STATUS_LABELS, STATUS_LABELS
from core.projects.models import DepartmentReview, Derivation, GuidanceLetter, Project
from core.rules import indicators as ind
from core.rules.engine import DerivedFlow
from core.rules.indicators import IndicatorValue
from core.security import mask_phone
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

    @classmethod
    def from_question(cls, question: ind.Question, values: ind.Indicators) -> Self:
        """A question of the catalogue with the project's current answer, if any."""
        answer = values.get(question.key)
        return cls(
            key=question.key,
            label=question.label,
            prompt=question.prompt,
            kind=question.kind,
            options=dict(question.options),
            unit=question.unit,
            minimum=question.minimum if question.kind == "number" else None,
            maximum=question.maximum if question.kind == "number" else None,
            help=question.help,
            gating=question.key in ind.GATING_KEYS,
            answer=answer,
            answer_display=ind.display(question.key, answer) if answer is not None else "",
        )


class QuestionsOut(BaseModel):
    """The questions that apply to a project now, and the ones still open."""

    applicable: list[QuestionOut]
    unanswered: list[str]
    next: QuestionOut | None
    missing_project_info: list[str]
    project_info_labels: dict[str, str] = Field(
        description="项目信息字段的中文名称（missing_project_info 中的字段及项目名称），供客户端提问和提示"
    )

    @classmethod
    def from_model(cls, project: Project, *, missing_project_info: list[str]) -> Self:
        """Which questions apply now given the project's answers, and which is next."""
        values = project.indicators or {}
        open_questions = ind.unanswered(values)
        return cls(
            applicable=[QuestionOut.from_question(q, values) for q in ind.applicable(values)],
            unanswered=[q.key for q in open_questions],
            next=QuestionOut.from_question(open_questions[0], values) if open_questions else None,
            missing_project_info=missing_project_info,
            project_info_labels=dict(PROJECT_INFO_LABELS),
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

    @classmethod
    def from_model(cls, project: Project, *, derivation_stale: bool) -> Self:
        """A project for the API (contact phone masked); whether its derivation is stale the service works out."""
        return cls(
            id=project.id,
            code=project.code or "",
            name=project.name,
            enterprise_name=project.enterprise_name,
            credit_code=project.credit_code,
            location=project.location,
            contact_name=project.contact_name,
            contact_phone=mask_phone(project.contact_phone) if project.contact_phone else "",
            status=project.status,
            status_label=STATUS_LABELS[project.status],
            indicators=project.indicators or {},
            derivation_stale=derivation_stale,
            created_at=project.created_at,
            updated_at=project.updated_at,
        )


class DerivationOut(BaseModel):
    """A derivation with its (review-adjusted) flow."""

    id: int
    seq: int
    rule_set_version: int
    created_at: datetime
    flow: DerivedFlow
    reviews: list["ReviewOut"]

    @classmethod
    def from_model(cls, derivation: Derivation, *, flow: DerivedFlow, reviews: list["ReviewOut"]) -> Self:
        """A derivation with its flow as the departments' reviews left it."""
        return cls(
            id=derivation.id,
            seq=derivation.seq,
            rule_set_version=derivation.rule_set_version,
            created_at=derivation.created_at,
            flow=flow,
            reviews=reviews,
        )


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

    @classmethod
    def from_model(cls, review: DepartmentReview, *, project: Project, flow: DerivedFlow) -> Self:
        """A department's review with the items of ``flow`` (the derivation's) that it covers."""
        return cls(
            id=review.id,
            project_id=project.id,
            project_code=project.code or "",
            project_name=project.name,
            department_id=review.department_id,
            department_name=review.department.name,
            status=review.status,
            status_label=REVIEW_STATUS_LABELS[review.status],
            opinion=review.opinion,
            reviewer_name=review.reviewer_name,
            confirmed_at=review.confirmed_at,
            items=[i.name for i in flow.items() if i.department_code == review.department.code],
            adjustments=[AdjustmentOut.model_validate(a, from_attributes=True) for a in review.adjustments],
        )


class LetterOut(BaseModel):
    """A guidance letter version."""

    version: int
    verification_code: str
    is_final: bool
    issued_at: datetime
    superseded: bool
    pdf_url: str
    verify_url: str

    @classmethod
    def from_model(cls, letter: GuidanceLetter, *, verify_url: str) -> Self:
        """A letter version with its links (``verify_url``: the portal page its QR code leads to)."""
        return cls(
            version=letter.version,
            verification_code=letter.verification_code,
            is_final=letter.is_final,
            issued_at=letter.issued_at,
            superseded=letter.superseded_at is not None,
            pdf_url=f"/api/v1/letters/{letter.verification_code}/pdf",
            verify_url=verify_url,
        )


class LetterVerificationOut(LetterOut):
    """What the public verification page shows."""

    project_code: str
    project_name: str
    enterprise_name: str
    latest_version: int

    @classmethod
    def verified(cls, letter: GuidanceLetter, *, verify_url: str, project: Project, latest_version: int) -> Self:
        """What the public verification of a letter answers: the letter, its project and the newest version."""
        return cls(
            **LetterOut.from_model(letter, verify_url=verify_url).model_dump(),
            project_code=project.code or "",
            project_name=project.name,
            enterprise_name=project.enterprise_name,
            latest_version=latest_version,
        )
