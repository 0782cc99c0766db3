"""The confirmed flow: a derivation with the departments' added, corrected and removed items applied."""

from collections.abc import Sequence

from core.projects.models import DepartmentReview
from core.rules.document import STAGES
from core.rules.engine import DerivedFlow, FlowItem, FlowMaterial, Reason, RuledOut


def _opinion(review: DepartmentReview, text: str) -> Reason:
    return Reason(rule_code="department_review", rule_name=f"{review.department.name}审核意见", text=text)


def apply_reviews(flow: DerivedFlow, reviews: Sequence[DepartmentReview]) -> DerivedFlow:
    """The flow as the departments left it, each item marked with who confirmed it."""
    result = flow.model_copy(deep=True)
    items = {item.code: item for item in result.items()}
    for review in reviews:
        for change in review.adjustments:
            reason = _opinion(review, change.opinion)
            item = items.get(change.approval_code)
            if change.action == "add" and item is None:
                items[change.approval_code] = FlowItem(
                    code=change.approval_code,
                    name=change.name,
                    stage=change.stage,
                    stage_name=STAGES.get(change.stage, change.stage),
                    department_code=review.department.code,
                    department_name=review.department.name,
                    time_limit_days=change.time_limit_days or 0,
                    materials=[FlowMaterial(name=m, reason=reason) for m in change.materials],
                    reasons=[reason],
                )
            elif change.action == "correct" and item is not None:
                item.name = change.name or item.name
                if change.time_limit_days is not None:
                    item.time_limit_days = change.time_limit_days
                if change.materials:
                    item.materials = [FlowMaterial(name=m, reason=reason) for m in change.materials]
                item.reasons.append(reason)
            elif change.action == "remove" and item is not None:
                del items[change.approval_code]
                result.ruled_out.append(RuledOut(kind="approval", code=item.code, name=item.name, reasons=[reason]))
        if review.status == "confirmed" and review.confirmed_at is not None:
            stamp = f"{review.department.name} {review.reviewer_name} {review.confirmed_at:%Y-%m-%d} 确认"
            for item in items.values():
                if item.department_code == review.department.code:
                    item.confirmed_by = stamp
    _schedule(result, list(items.values()))
    return result


def _schedule(flow: DerivedFlow, items: list[FlowItem]) -> None:
    """Puts items back into stages in order and recomputes start/finish days."""
    rank = {code: i for i, code in enumerate(STAGES)}
    ordered = sorted(items, key=lambda i: (rank.get(i.stage, len(rank)), i.order or 10_000))
    present = {i.code for i in ordered}
    finish: dict[str, int] = {}
    for number, item in enumerate(ordered, start=1):
        item.order = number
        item.depends_on = [d for d in item.depends_on if d in present]
        item.start_day = max((finish.get(d, 0) for d in item.depends_on), default=0)
        item.finish_day = item.start_day + item.time_limit_days
        finish[item.code] = item.finish_day
    for stage in flow.stages:
        stage.items = [i for i in ordered if i.stage == stage.code]
    flow.total_days = max(finish.values(), default=0)
