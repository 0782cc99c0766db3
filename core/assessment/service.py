"""进度考核: computing a period's draft, the administrator's corrections, publishing (which freezes it and pushes the
results), and reading by scope.

Who sees what: assessment.manage holders everything, drafts included; assessment.read over all departments (the
leaders) every published ranking; assessment.read in a department only that department's published results. A
published version never changes: a correction on it makes the next version (a draft, with the earlier
corrections carried over so that a recomputation keeps them), which is published in its turn.
"""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assessment import compute as tables
from core.assessment import events, measures, periods
from core.assessment.counted import Counted
from core.assessment.indicators import INDICATORS
from core.assessment.models import (
    DRAFT,
    PUBLISHED,
    Assessment,
    AssessmentCorrection,
    AssessmentResult,
    AssessmentScheme,
)
from core.assessment.schemas import ComputeIn, CorrectionIn
from core.assessment.schemes import get_scheme, weights_of
from core.audit.context import acting
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import DataScope, Permission

STATUS_LABELS = {DRAFT: "待发布", PUBLISHED: "已发布"}
MIN_REASON = 5


# ---------------------------------------------------------------- who may


def require_reader(user: User | None) -> User:
    """A user who may read assessment results; 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not {Permission.ASSESSMENT_READ, Permission.ASSESSMENT_MANAGE} & user.permissions:
        raise PermissionDenied("您没有查看考核结果的权限，如需开通请联系管理员")
    return user


def is_manager(user: User) -> bool:
    """Holds assessment.manage."""
    return Permission.ASSESSMENT_MANAGE in user.permissions


def sees_all(user: User) -> bool:
    """Reads every department's results: managers and all-scope readers."""
    return is_manager(user) or (Permission.ASSESSMENT_READ in user.permissions and user.data_scope == DataScope.ALL)


def can_view_department(user: User, department_id: int) -> bool:
    """True when the user may read that department's results."""
    return sees_all(user) or (user.department_id is not None and user.department_id == department_id)


# ---------------------------------------------------------------- versions


def versions(db: Session, scheme_id: int, period_start: object) -> list[Assessment]:
    """Every version of one scheme's period, newest first."""
    return list(
        db.scalars(
            select(Assessment)
            .where(Assessment.scheme_id == scheme_id, Assessment.period_start == period_start)
            .order_by(Assessment.version.desc())
        )
    )


def latest(db: Session, assessment: Assessment) -> Assessment:
    """The newest version of the assessment's period (itself when it is the newest)."""
    return versions(db, assessment.scheme_id, assessment.period_start)[0]


def current_published(db: Session, assessment: Assessment) -> Assessment | None:
    """The newest published version of the assessment's period."""
    return next((a for a in versions(db, assessment.scheme_id, assessment.period_start) if a.status == PUBLISHED), None)


def period_of(assessment: Assessment) -> periods.Period:
    """The assessment's period."""
    return periods.Period(assessment.period_kind, assessment.period_start, assessment.period_end)


def _fresh(db: Session, assessment: Assessment, weights: dict[str, int]) -> None:
    """Measures the period again and rebuilds the draft's results; its corrections are applied again."""
    tables.clear(db, assessment.id)
    departments = org_service.list_departments(db=db, active_only=True)
    found = measures.measure_all(db, period_of(assessment), set(weights))
    results = tables.build(departments, weights, found)
    for correction in assessment.corrections:
        applies = correction.indicator in weights or correction.indicator == tables.TOTAL
        if applies and tables.result_of(results, correction.department_id) is not None:
            tables.apply(results, correction)
    tables.rank(results)
    tables.store(db, assessment.id, results)
    assessment.weights = dict(weights)
    assessment.computed_at = now()
    db.expire(assessment, ["results"])


# ---------------------------------------------------------------- computing


def compute(db: Session, user: User | None, data: ComputeIn) -> Assessment:
    """Computes the first version of a period as a draft, with the scheme's current weights."""
    admin = org_service.require(user, Permission.ASSESSMENT_MANAGE)
    scheme = get_scheme(db, admin, data.scheme_id)
    period = periods.parse(scheme.period_kind, data.period)
    if period.end_at > now():
        raise ValidationFailed(f"考核期{period.label}尚未结束，结束后才能计算", field="period")
    existing = versions(db, scheme.id, period.start)
    if existing:
        newest = existing[0]
        raise Conflict(
            f"{period.label}已有考核结果（第{newest.version}版，{STATUS_LABELS[newest.status]}），"
            "请在原结果上重新计算或修正"
        )
    with acting(action="assessment.compute"):
        return first_draft(db, scheme, period, computed_by_id=admin.id)


def first_draft(
    db: Session, scheme: AssessmentScheme, period: periods.Period, *, computed_by_id: int | None
) -> Assessment:
    """Stores version 1 of the period as a draft and computes it (the caller checked that there is none, and
    audits under its action; two at once: the second fails on the unique scheme, period and version)."""
    assessment = Assessment(
        scheme_id=scheme.id,
        scheme_name=scheme.name,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        version=1,
        status=DRAFT,
        computed_at=now(),
        computed_by_id=computed_by_id,
        published_by_name="",
    )
    db.add(assessment)
    db.flush()
    _fresh(db, assessment, weights_of(scheme))
    db.flush()
    return assessment


def get_draft(db: Session, user: User | None, assessment_id: int) -> Assessment:
    """A draft for the administrator to work on; published versions are refused as frozen."""
    org_service.require(user, Permission.ASSESSMENT_MANAGE)
    assessment = _get(db, assessment_id)
    if assessment.status != DRAFT:
        raise Conflict("已发布的考核结果不能更改；如需修正，请提交修正，系统将生成新版本")
    return assessment


def recompute(db: Session, user: User | None, assessment_id: int) -> Assessment:
    """Measures a draft's period again with its scheme's current weights, keeping its corrections."""
    assessment = get_draft(db, user, assessment_id)
    scheme = get_scheme(db, user, assessment.scheme_id)
    with acting(action="assessment.recompute"):
        assessment.computed_by_id = user.id if user else None
        _fresh(db, assessment, weights_of(scheme))
        db.flush()
    return assessment


# ---------------------------------------------------------------- corrections


def check_correction(assessment: Assessment, department_id: int, *, indicator: str, value: float, reason: str) -> None:
    if tables.result_of(assessment.results, department_id) is None:
        raise ValidationFailed("该部门未参加本期考核，请重新选择部门", field="department_id")
    if indicator != tables.TOTAL and indicator not in assessment.weights:
        raise ValidationFailed("本期考核没有这项指标，请选择考核指标或总分", field="indicator")
    if not 0 <= value <= 100:
        raise ValidationFailed("修正后的分值应在 0 到 100 之间", field="value")
    if len(reason.strip()) < MIN_REASON:
        raise ValidationFailed(f"请写明修正理由（至少 {MIN_REASON} 个字）", field="reason")


def _new_version(db: Session, admin: User, published: Assessment) -> Assessment:
    """The next version of a published one: the same results and corrections, as a draft."""
    draft = Assessment(
        scheme_id=published.scheme_id,
        scheme_name=published.scheme_name,
        period_kind=published.period_kind,
        period_start=published.period_start,
        period_end=published.period_end,
        period_label=published.period_label,
        version=published.version + 1,
        status=DRAFT,
        previous_id=published.id,
        weights=dict(published.weights),
        computed_at=published.computed_at,
        computed_by_id=admin.id,
        published_by_name="",
    )
    db.add(draft)
    tables.copy_results(published, draft)
    for old in published.corrections:
        draft.corrections.append(
            AssessmentCorrection(
                department_id=old.department_id,
                indicator=old.indicator,
                old_value=old.old_value,
                new_value=old.new_value,
                reason=old.reason,
                appeal_id=old.appeal_id,
                carried_from_id=old.id,
                created_by_id=old.created_by_id,
                created_by_name=old.created_by_name,
                created_at=old.created_at,
            )
        )
    db.flush()
    return draft


def working_version(db: Session, admin: User, assessment: Assessment) -> Assessment:
    """Where a correction of the period goes: its draft, or a new version of its newest published one."""
    newest = latest(db, assessment)
    return newest if newest.status == DRAFT else _new_version(db, admin, newest)


def record_correction(
    db: Session, admin: User, target: Assessment, data: CorrectionIn, *, appeal_id: int | None = None
) -> AssessmentCorrection:
    """Writes the correction on a draft and puts its value in place (ranking included)."""
    result = tables.result_of(target.results, data.department_id)
    assert result is not None and target.status == DRAFT
    old = (
        result.total
        if data.indicator == tables.TOTAL
        else next(s.score for s in result.scores if s.indicator == data.indicator)
    )
    correction = AssessmentCorrection(
        department_id=data.department_id,
        indicator=data.indicator,
        old_value=old,
        new_value=Decimal(str(data.value)).quantize(Decimal("0.01")),
        reason=data.reason.strip(),
        appeal_id=appeal_id,
        created_by_id=admin.id,
        created_by_name=admin.name,
        created_at=now(),
    )
    target.corrections.append(correction)
    tables.apply(target.results, correction)
    tables.rank(target.results)
    db.flush()
    return correction


def correct(db: Session, user: User | None, assessment_id: int, data: CorrectionIn) -> Assessment:
    """审核修正 of one department's indicator score or total. On a draft it changes the draft; on the newest
    published version it makes the next version (the published one stays as it was). Returns the draft."""
    admin = org_service.require(user, Permission.ASSESSMENT_MANAGE)
    assessment = _get(db, assessment_id)
    newest = latest(db, assessment)
    if newest.id != assessment.id:
        raise Conflict(f"该考核期已有更新的版本（第{newest.version}版），请在最新版本上修正")
    check_correction(assessment, data.department_id, indicator=data.indicator, value=data.value, reason=data.reason)
    with acting(action="assessment.correct"):
        target = working_version(db, admin, assessment)
        record_correction(db, admin, target, data)
    return target


# ---------------------------------------------------------------- publishing


def publish(db: Session, user: User | None, assessment_id: int) -> Assessment:
    """Freezes the draft and pushes each department its result and the leaders the ranking."""
    assessment = get_draft(db, user, assessment_id)
    assert user is not None
    with acting(action="assessment.publish"):
        assessment.status = PUBLISHED
        assessment.published_at = now()
        assessment.published_by_id = user.id
        assessment.published_by_name = user.name
        db.flush()
        events.published(db, assessment)
    return assessment


# ---------------------------------------------------------------- reading


def _get(db: Session, assessment_id: int) -> Assessment:
    assessment = db.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound("考核结果不存在")
    return assessment


def get_for(db: Session, user: User | None, assessment_id: int) -> Assessment:
    """A version the user may read: drafts for managers only (others learn nothing of them)."""
    reader = require_reader(user)
    assessment = db.get(Assessment, assessment_id)
    if assessment is None or (assessment.status == DRAFT and not is_manager(reader)):
        raise NotFound("考核结果不存在或尚未发布")
    return assessment


def list_assessments(db: Session, user: User | None) -> list[Assessment]:
    """Every version the user may read, newest period first (the history of every period)."""
    reader = require_reader(user)
    query = select(Assessment).order_by(Assessment.period_start.desc(), Assessment.scheme_id, Assessment.version.desc())
    if not is_manager(reader):
        query = query.where(Assessment.status == PUBLISHED)
    return list(db.scalars(query))


def visible_results(user: User, assessment: Assessment) -> list[AssessmentResult]:
    """The results of the version the user may read: all, or their own department's."""
    ordered = sorted(
        assessment.results, key=lambda r: (r.rank is None, r.rank or 0, r.department.sort_order, r.department_id)
    )
    return [r for r in ordered if can_view_department(user, r.department_id)]


def get_result(
    db: Session, user: User | None, assessment_id: int, *, department_id: int
) -> tuple[Assessment, AssessmentResult]:
    """One department's result, when the user may read it."""
    reader = require_reader(user)
    if not can_view_department(reader, department_id):
        raise PermissionDenied("只能查看本部门的考核结果")
    assessment = get_for(db, reader, assessment_id)
    result = tables.result_of(assessment.results, department_id)
    if result is None:
        raise NotFound("该部门未参加本期考核")
    return assessment, result


def explanation(
    db: Session, user: User | None, assessment_id: int, *, department_id: int, indicator: str
) -> tuple[Assessment, AssessmentResult, list[Counted]]:
    """What one indicator counted for one department: every case, node, warning, push or rating, with why."""
    assessment, result = get_result(db, user, assessment_id, department_id=department_id)
    if indicator not in assessment.weights or indicator not in INDICATORS:
        raise ValidationFailed("本期考核没有这项指标", field="indicator")
    return assessment, result, measures.explain(db, period_of(assessment), department_id, indicator)
