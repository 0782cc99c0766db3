"""Shapes of the assessment (进度考核) API: the indicator catalogue, schemes, assessments with their ranking and
explanations, corrections and appeals."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from core.assessment.counted import Counted
from core.assessment.indicators import INDICATORS, Indicator
from core.assessment.models import (
    PUBLISHED,
    Assessment,
    AssessmentAppeal,
    AssessmentCorrection,
    AssessmentResult,
    AssessmentScheme,
    AssessmentScore,
)
from core.assessment.periods import PERIOD_KINDS, Period


class IndicatorOut(BaseModel):
    """An indicator of the catalogue: its formula, which way is better and how it is scored."""

    code: str
    name: str
    definition: str
    direction: str
    scoring: str
    unit: str


class SchemeIndicatorIn(BaseModel):
    """One indicator of a scheme with its weight (points out of 100)."""

    code: str = Field(max_length=32)
    weight: int = Field(ge=0, le=100)


class SchemeIn(BaseModel):
    """考核方案 as an administrator enters it: the weights must add up to 100."""

    name: str = Field(min_length=1, max_length=100)
    period_kind: Literal["month", "quarter"] = Field(description="month 月度 / quarter 季度")
    description: str = Field(default="", max_length=1000)
    indicators: list[SchemeIndicatorIn] = Field(max_length=20)


class SchemeIndicatorOut(BaseModel):
    """An indicator of a scheme."""

    code: str
    name: str
    weight: int
    definition: str
    direction: str
    scoring: str


class SchemeOut(BaseModel):
    """A scheme with its indicators."""

    id: int
    name: str
    period_kind: str
    period_kind_label: str
    description: str
    indicators: list[SchemeIndicatorOut]
    total_weight: int
    updated_at: datetime


class ComputeIn(BaseModel):
    """Which scheme to compute for which period (2026-11 for a month, 2026-Q4 for a quarter)."""

    scheme_id: int
    period: str = Field(max_length=10, description="月度如 2026-11，季度如 2026-Q4")


class CorrectionIn(BaseModel):
    """审核修正: one department's indicator score (0–100) or total, with the reason."""

    department_id: int
    indicator: str = Field(max_length=32, description="指标编码；total 为总分")
    value: float = Field(ge=0, le=100)
    reason: str = Field(max_length=1000)


class AppealIn(BaseModel):
    """申诉: the indicator disputed (empty for the total or the whole result) and why."""

    indicator: str = Field(default="", max_length=32)
    reason: str = Field(max_length=2000)


class AnswerIn(BaseModel):
    """The administrator's answer: accepted with a correction (indicator and new value), or rejected."""

    accepted: bool
    answer: str = Field(max_length=2000)
    indicator: str | None = Field(default=None, max_length=32)
    value: float | None = Field(default=None, ge=0, le=100)


class ScoreOut(BaseModel):
    """One indicator of one department: what was measured and the points it gives."""

    indicator: str
    name: str
    weight: int
    numerator: float
    denominator: float
    numerator_label: str
    denominator_label: str
    value: float | None
    value_text: str
    computed_score: float | None
    score: float | None
    corrected: bool


class ResultOut(BaseModel):
    """One department's result."""

    department_id: int
    department_name: str
    rank: int | None
    total: float | None
    computed_total: float | None
    total_corrected: bool
    scores: list[ScoreOut]


class CorrectionOut(BaseModel):
    """A recorded correction."""

    id: int
    department_id: int
    department_name: str
    indicator: str
    indicator_name: str
    old_value: float | None
    new_value: float
    reason: str
    appeal_id: int | None
    carried: bool
    created_by_name: str
    created_at: datetime


class AssessmentSummary(BaseModel):
    """One version of one period's assessment."""

    id: int
    scheme_id: int
    scheme_name: str
    period_kind: str
    period: str
    period_label: str
    period_start: date
    period_end: date
    version: int
    status: str
    status_label: str
    previous_id: int | None
    computed_at: datetime
    published_at: datetime | None
    published_by_name: str


class AssessmentOut(AssessmentSummary):
    """A version with the results the caller may see (all, or their own department's) and its corrections."""

    ranked_count: int
    results: list[ResultOut]
    corrections: list[CorrectionOut]


class CountedOut(BaseModel):
    """One case, node, warning, push or rating an indicator counted."""

    kind: str
    id: int
    number: str
    title: str
    good: bool
    why: str
    link: str


class ExplanationOut(BaseModel):
    """How one department's indicator score came about: the stored measure and what it counted."""

    indicator: str
    name: str
    definition: str
    scoring: str
    numerator_label: str
    denominator_label: str
    numerator: float
    denominator: float
    value_text: str
    score: float | None
    listed: int
    listed_good: int
    items: list[CountedOut]
    truncated: bool


class AppealOut(BaseModel):
    """An appeal and its answer."""

    id: int
    assessment_id: int
    period_label: str
    version: int
    department_id: int
    department_name: str
    indicator: str
    indicator_name: str
    reason: str
    status: str
    status_label: str
    submitted_by_name: str
    submitted_at: datetime
    answer: str
    answered_by_name: str
    answered_at: datetime | None
    new_assessment_id: int | None


# ---------------------------------------------------------------- mappers


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def indicator_out(indicator: Indicator) -> IndicatorOut:
    """A catalogue entry."""
    return IndicatorOut(
        code=indicator.code,
        name=indicator.name,
        definition=indicator.definition,
        direction=indicator.direction,
        scoring=indicator.scoring_text,
        unit=indicator.unit,
    )


def indicator_name(code: str) -> str:
    """An indicator's name; 总分 for a correction of the total; empty for none."""
    if code == "total":
        return "总分"
    found = INDICATORS.get(code)
    return found.name if found else ""


def scheme_out(scheme: AssessmentScheme) -> SchemeOut:
    """A scheme with its indicators' definitions."""
    indicators = [
        SchemeIndicatorOut(
            code=i.code,
            name=INDICATORS[i.code].name,
            weight=i.weight,
            definition=INDICATORS[i.code].definition,
            direction=INDICATORS[i.code].direction,
            scoring=INDICATORS[i.code].scoring_text,
        )
        for i in scheme.indicators
        if i.code in INDICATORS
    ]
    return SchemeOut(
        id=scheme.id,
        name=scheme.name,
        period_kind=scheme.period_kind,
        period_kind_label=PERIOD_KINDS.get(scheme.period_kind, ""),
        description=scheme.description,
        indicators=indicators,
        total_weight=sum(i.weight for i in indicators),
        updated_at=scheme.updated_at,
    )


def summary(assessment: Assessment) -> AssessmentSummary:
    """A version without its results."""
    period = Period(assessment.period_kind, assessment.period_start, assessment.period_end)
    return AssessmentSummary(
        id=assessment.id,
        scheme_id=assessment.scheme_id,
        scheme_name=assessment.scheme_name,
        period_kind=assessment.period_kind,
        period=period.code,
        period_label=assessment.period_label,
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        version=assessment.version,
        status=assessment.status,
        status_label="已发布" if assessment.status == PUBLISHED else "待发布",
        previous_id=assessment.previous_id,
        computed_at=assessment.computed_at,
        published_at=assessment.published_at,
        published_by_name=assessment.published_by_name,
    )


def score_out(score: AssessmentScore) -> ScoreOut:
    """One indicator of a result."""
    indicator = INDICATORS[score.indicator]
    return ScoreOut(
        indicator=score.indicator,
        name=indicator.name,
        weight=score.weight,
        numerator=float(score.numerator),
        denominator=float(score.denominator),
        numerator_label=indicator.numerator_label,
        denominator_label=indicator.denominator_label,
        value=_number(score.value),
        value_text=indicator.shown(score.value),
        computed_score=_number(score.computed_score),
        score=_number(score.score),
        corrected=score.corrected,
    )


def result_out(result: AssessmentResult) -> ResultOut:
    """A department's result."""
    return ResultOut(
        department_id=result.department_id,
        department_name=result.department.name,
        rank=result.rank,
        total=_number(result.total),
        computed_total=_number(result.computed_total),
        total_corrected=result.total_corrected,
        scores=[score_out(s) for s in result.scores],
    )


def correction_out(correction: AssessmentCorrection) -> CorrectionOut:
    """A recorded correction."""
    return CorrectionOut(
        id=correction.id,
        department_id=correction.department_id,
        department_name=correction.department.name,
        indicator=correction.indicator,
        indicator_name=indicator_name(correction.indicator),
        old_value=_number(correction.old_value),
        new_value=float(correction.new_value),
        reason=correction.reason,
        appeal_id=correction.appeal_id,
        carried=correction.carried_from_id is not None,
        created_by_name=correction.created_by_name,
        created_at=correction.created_at,
    )


def assessment_out(
    assessment: Assessment, results: list[AssessmentResult], corrections: list[AssessmentCorrection]
) -> AssessmentOut:
    """A version with the results and corrections the caller may see."""
    return AssessmentOut(
        **summary(assessment).model_dump(),
        ranked_count=sum(1 for r in assessment.results if r.rank is not None),
        results=[result_out(r) for r in results],
        corrections=[correction_out(c) for c in corrections],
    )


def appeal_out(appeal: AssessmentAppeal, status_labels: dict[str, str]) -> AppealOut:
    """An appeal and its answer."""
    return AppealOut(
        id=appeal.id,
        assessment_id=appeal.assessment_id,
        period_label=appeal.assessment.period_label,
        version=appeal.assessment.version,
        department_id=appeal.department_id,
        department_name=appeal.department.name,
        indicator=appeal.indicator,
        indicator_name=indicator_name(appeal.indicator) or "总分（整体）",
        reason=appeal.reason,
        status=appeal.status,
        status_label=status_labels.get(appeal.status, ""),
        submitted_by_name=appeal.submitted_by_name,
        submitted_at=appeal.submitted_at,
        answer=appeal.answer,
        answered_by_name=appeal.answered_by_name,
        answered_at=appeal.answered_at,
        new_assessment_id=appeal.new_assessment_id,
    )


def explanation_out(score: AssessmentScore, counted: list[Counted], limit: int) -> ExplanationOut:
    """An indicator's stored measure beside what it counts, the first ``limit`` of them listed."""
    indicator = INDICATORS[score.indicator]
    return ExplanationOut(
        indicator=score.indicator,
        name=indicator.name,
        definition=indicator.definition,
        scoring=indicator.scoring_text,
        numerator_label=indicator.numerator_label,
        denominator_label=indicator.denominator_label,
        numerator=float(score.numerator),
        denominator=float(score.denominator),
        value_text=indicator.shown(score.value),
        score=_number(score.score),
        listed=len(counted),
        listed_good=sum(1 for c in counted if c.good),
        items=[CountedOut(**vars(c)) for c in counted[:limit]],
        truncated=len(counted) > limit,
    )
