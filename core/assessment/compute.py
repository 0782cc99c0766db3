"""From measures to a ranked table: each department's indicator scores, its weighted total, the corrections on top,
and the ranking. Pure bookkeeping on the rows of one draft; the service decides when it may run.

Total = Σ weight × score ÷ Σ weight over the indicators that apply to the department (to the cent, from scores
already rounded to the cent), so a department with no project nodes is judged on the rest in the same proportions.
A corrected indicator score replaces the computed one in that sum; a corrected total replaces the sum itself.
Ranking: highest total first, equal totals share a place (1, 2, 2, 4); departments without a total are not ranked.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from core.assessment.counted import Measure
from core.assessment.indicators import CENT, INDICATORS
from core.assessment.models import Assessment, AssessmentCorrection, AssessmentResult, AssessmentScore
from core.org.models import Department

TOTAL = "total"
"""The indicator code of a correction that sets the total itself."""


def weighted_total(scores: Iterable[tuple[int, Decimal | None]]) -> Decimal | None:
    """Σ weight × score ÷ Σ weight over the (weight, score) pairs that have a score; ``None`` when none has."""
    pairs = [(Decimal(w), s) for w, s in scores if s is not None]
    weight = sum((w for w, _ in pairs), Decimal(0))
    if not pairs or weight <= 0:
        return None
    return (sum((w * s for w, s in pairs), Decimal(0)) / weight).quantize(CENT, ROUND_HALF_UP)


def build(
    departments: list[Department], weights: Mapping[str, int], measures: Mapping[str, Mapping[int, Measure]]
) -> list[AssessmentResult]:
    """Fresh results, not yet stored: every department, every weighted indicator (``store`` writes them)."""
    results = []
    for department in departments:
        result = AssessmentResult(department_id=department.id, department=department, total_corrected=False)
        for position, (code, weight) in enumerate(weights.items()):
            indicator = INDICATORS[code]
            numerator, denominator = measures.get(code, {}).get(department.id, (Decimal(0), Decimal(0)))
            value = indicator.value(numerator, denominator)
            score = indicator.score(value)
            result.scores.append(
                AssessmentScore(
                    indicator=code,
                    position=position,
                    weight=weight,
                    numerator=numerator,
                    denominator=denominator,
                    value=value,
                    computed_score=score,
                    score=score,
                    corrected=False,
                )
            )
        result.computed_total = weighted_total((s.weight, s.score) for s in result.scores)
        result.total = result.computed_total
        results.append(result)
    return results


def store(db: Session, assessment_id: int, results: list[AssessmentResult]) -> None:
    """Writes built results in two multi-row statements (results, then their scores) instead of one INSERT per
    row: the statement-level audit records each with the keys it wrote (core/audit/statements.py)."""
    columns = ("department_id", "computed_total", "total", "total_corrected", "rank")
    db.execute(
        insert(AssessmentResult),
        [{"assessment_id": assessment_id, **{c: getattr(r, c) for c in columns}} for r in results],
    )
    ids = dict(
        db.execute(
            select(AssessmentResult.department_id, AssessmentResult.id).where(
                AssessmentResult.assessment_id == assessment_id
            )
        ).all()
    )
    fields = ("indicator", "position", "weight", "numerator", "denominator", "value", "computed_score", "score")
    rows = [
        {"result_id": ids[r.department_id], "corrected": s.corrected, **{f: getattr(s, f) for f in fields}}
        for r in results
        for s in r.scores
    ]
    if rows:
        db.execute(insert(AssessmentScore), rows)


def clear(db: Session, assessment_id: int) -> None:
    """Removes a draft's stored results and scores before they are computed again."""
    kept = select(AssessmentResult.id).where(AssessmentResult.assessment_id == assessment_id)
    db.execute(delete(AssessmentScore).where(AssessmentScore.result_id.in_(kept)))
    db.execute(delete(AssessmentResult).where(AssessmentResult.assessment_id == assessment_id))


def result_of(results: Iterable[AssessmentResult], department_id: int) -> AssessmentResult | None:
    """The department's result among ``results``, if it was assessed."""
    return next((r for r in results if r.department_id == department_id), None)


def apply(results: list[AssessmentResult], correction: AssessmentCorrection) -> None:
    """Puts one correction's value in place (an indicator's score or the total) and totals again."""
    result = result_of(results, correction.department_id)
    assert result is not None
    if correction.indicator == TOTAL:
        result.total = correction.new_value
        result.total_corrected = True
        return
    score = next(s for s in result.scores if s.indicator == correction.indicator)
    score.score = correction.new_value
    score.corrected = True
    retotal(result)


def retotal(result: AssessmentResult) -> None:
    """The weighted total from the current scores, unless the total itself was corrected."""
    result.computed_total = weighted_total((s.weight, s.score) for s in result.scores)
    if not result.total_corrected:
        result.total = result.computed_total


def rank(results: list[AssessmentResult]) -> None:
    """Places every department with a total: highest first, equal totals share a place."""
    ranked = sorted(
        (r for r in results if r.total is not None),
        key=lambda r: (-(r.total or 0), r.department.sort_order, r.department_id),
    )
    place, previous = 0, None
    for position, result in enumerate(ranked, start=1):
        if result.total != previous:
            place, previous = position, result.total
        result.rank = place
    for result in results:
        if result.total is None:
            result.rank = None


def copy_results(source: Assessment, target: Assessment) -> None:
    """The new version starts as the published one left off: the same measures, scores, totals and places."""
    for old in source.results:
        new = AssessmentResult(
            department_id=old.department_id,
            department=old.department,
            computed_total=old.computed_total,
            total=old.total,
            total_corrected=old.total_corrected,
            rank=old.rank,
        )
        for s in old.scores:
            new.scores.append(
                AssessmentScore(
                    indicator=s.indicator,
                    position=s.position,
                    weight=s.weight,
                    numerator=s.numerator,
                    denominator=s.denominator,
                    value=s.value,
                    computed_score=s.computed_score,
                    score=s.score,
                    corrected=s.corrected,
                )
            )
        target.results.append(new)
