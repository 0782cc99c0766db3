"""考核配置: assessment schemes — indicators from the catalogue, weights adding up to exactly 100, the period.

A refused scheme saves nothing: every check runs before the first row changes. Changing the weights changes the
next computation and the drafts recomputed after it; a published result keeps the weights it was computed with.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assessment.indicators import INDICATORS
from core.assessment.models import AssessmentScheme, SchemeIndicator
from core.assessment.periods import PERIOD_KINDS
from core.assessment.schemas import SchemeIn
from core.audit.context import acting
from core.errors import Conflict, NotFound, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission

TOTAL_WEIGHT = 100


def list_schemes(db: Session, user: User | None) -> list[AssessmentScheme]:
    """Every scheme (assessment.manage)."""
    org_service.require(user, Permission.ASSESSMENT_MANAGE)
    return list(db.scalars(select(AssessmentScheme).order_by(AssessmentScheme.id)))


def get_scheme(db: Session, user: User | None, scheme_id: int) -> AssessmentScheme:
    """A scheme (assessment.manage) or NotFound."""
    org_service.require(user, Permission.ASSESSMENT_MANAGE)
    scheme = db.get(AssessmentScheme, scheme_id)
    if scheme is None:
        raise NotFound("考核方案不存在")
    return scheme


def check(data: SchemeIn) -> list[tuple[str, int]]:
    """The scheme's (indicator, weight) pairs in catalogue order, or a refusal saying what to change."""
    if data.period_kind not in PERIOD_KINDS:
        raise ValidationFailed("考核周期应为月度或季度", field="period_kind")
    unknown = [i.code for i in data.indicators if i.code not in INDICATORS]
    if unknown:
        choices = "、".join(i.name for i in INDICATORS.values())
        raise ValidationFailed(f"未知的考核指标：{'、'.join(unknown)}。可选的指标：{choices}", field="indicators")
    seen: set[str] = set()
    for entry in data.indicators:
        if entry.code in seen:
            raise ValidationFailed(
                f"考核指标“{INDICATORS[entry.code].name}”重复，每项指标只能设置一次", field="indicators"
            )
        seen.add(entry.code)
    chosen = [(i.code, i.weight) for i in data.indicators if i.weight > 0]
    if not chosen:
        raise ValidationFailed("请至少为一项考核指标设置权重", field="indicators")
    total = sum(weight for _, weight in chosen)
    if total != TOTAL_WEIGHT:
        raise ValidationFailed(
            f"各项指标的权重合计应为 {TOTAL_WEIGHT}，现为 {total}，请调整后再保存（未保存）", field="indicators"
        )
    order = list(INDICATORS)
    return sorted(chosen, key=lambda pair: order.index(pair[0]))


def save_scheme(db: Session, user: User | None, scheme: AssessmentScheme | None, data: SchemeIn) -> AssessmentScheme:
    """Creates or changes a scheme; refused as a whole (nothing saved) when the weights do not add up to 100,
    an indicator is unknown or the name is taken."""
    admin = org_service.require(user, Permission.ASSESSMENT_MANAGE)
    name = data.name.strip()
    if not name:
        raise ValidationFailed("请填写方案名称", field="name")
    chosen = check(data)
    taken = db.scalar(select(AssessmentScheme.id).where(AssessmentScheme.name == name))
    if taken is not None and (scheme is None or taken != scheme.id):
        raise Conflict(f"已有名为“{name}”的考核方案，请换一个名称")
    with acting(action="assessment.scheme_save"):
        if scheme is None:
            scheme = AssessmentScheme(name=name, period_kind=data.period_kind)
            db.add(scheme)
        scheme.name = name
        scheme.period_kind = data.period_kind
        scheme.description = data.description.strip()
        scheme.updated_by_id = admin.id
        existing = {i.code: i for i in scheme.indicators}
        kept = []
        for position, (code, weight) in enumerate(chosen):
            row = existing.pop(code, None) or SchemeIndicator(code=code)
            row.weight, row.position = weight, position
            kept.append(row)
        scheme.indicators[:] = kept
        db.flush()
    return scheme


def weights_of(scheme: AssessmentScheme) -> dict[str, int]:
    """The scheme's weights by indicator, in catalogue order."""
    return {i.code: i.weight for i in sorted(scheme.indicators, key=lambda i: list(INDICATORS).index(i.code))}


def default_scheme(db: Session) -> AssessmentScheme | None:
    """The first scheme, offered first in the pages."""
    return db.scalar(select(AssessmentScheme).order_by(AssessmentScheme.id).limit(1))
