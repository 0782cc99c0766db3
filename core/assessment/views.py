"""Assessment (进度考核) API: the indicator catalogue, schemes, computing, corrections, publishing, results with
their explanations, the ranking export, and appeals."""

from fastapi import APIRouter, Response

from core.assessment import appeals, export, schemes, service
from core.assessment.indicators import INDICATORS
from core.assessment.models import Assessment
from core.assessment.schemas import (
    AnswerIn,
    AppealIn,
    AppealOut,
    AssessmentOut,
    AssessmentSummary,
    ComputeIn,
    CorrectionIn,
    ExplanationOut,
    IndicatorOut,
    ResultOut,
    SchemeIn,
    SchemeOut,
    appeal_out,
    assessment_out,
    explanation_out,
    indicator_out,
    result_out,
    scheme_out,
    summary,
)
from core.deps import DB, CurrentUser, ReadDB

router = APIRouter(prefix="/assessment", tags=["进度考核"])
EXPLANATION_LIMIT = 500


# ---------------------------------------------------------------- configuration


@router.get("/indicators", response_model=list[IndicatorOut], summary="考核指标（定义、方向、计分方法）")
def indicators(user: CurrentUser) -> list[IndicatorOut]:
    """Every indicator a scheme may weigh, with its formula."""
    service.require_reader(user)
    return [indicator_out(i) for i in INDICATORS.values()]


@router.get("/schemes", response_model=list[SchemeOut], summary="考核方案列表")
def list_schemes(db: ReadDB, user: CurrentUser) -> list[SchemeOut]:
    """Every scheme (assessment.manage)."""
    return [scheme_out(s) for s in schemes.list_schemes(db, user)]


@router.post("/schemes", response_model=SchemeOut, status_code=201, summary="新建考核方案")
def create_scheme(data: SchemeIn, db: DB, user: CurrentUser) -> SchemeOut:
    """A scheme whose weights add up to 100; refused as a whole otherwise."""
    return scheme_out(schemes.save_scheme(db, user, None, data))


@router.get("/schemes/{scheme_id}", response_model=SchemeOut, summary="考核方案详情")
def get_scheme(scheme_id: int, db: ReadDB, user: CurrentUser) -> SchemeOut:
    """One scheme."""
    return scheme_out(schemes.get_scheme(db, user, scheme_id))


@router.put("/schemes/{scheme_id}", response_model=SchemeOut, summary="修改考核方案（指标、权重、周期）")
def update_scheme(scheme_id: int, data: SchemeIn, db: DB, user: CurrentUser) -> SchemeOut:
    """Changes a scheme; drafts recomputed afterwards use the new weights, published results keep theirs."""
    return scheme_out(schemes.save_scheme(db, user, schemes.get_scheme(db, user, scheme_id), data))


# ---------------------------------------------------------------- assessments


@router.get("/assessments", response_model=list[AssessmentSummary], summary="考核历史（各期各版本）")
def list_assessments(db: ReadDB, user: CurrentUser) -> list[AssessmentSummary]:
    """Every version the caller may read, newest period first; drafts only for administrators."""
    return [summary(a) for a in service.list_assessments(db, user)]


@router.post("/assessments", response_model=AssessmentOut, status_code=201, summary="计算一期考核（生成待发布版本）")
def compute(data: ComputeIn, db: DB, user: CurrentUser) -> AssessmentOut:
    """Computes every department's scores for a period that has ended, as a draft."""
    found = service.compute(db, user, data)
    assert user is not None
    return assessment_out(found, service.visible_results(user, found), found.corrections)


def _out(found: Assessment, user: CurrentUser) -> AssessmentOut:
    assert user is not None
    corrections = [c for c in found.corrections if service.can_view_department(user, c.department_id)]
    return assessment_out(found, service.visible_results(user, found), corrections)


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut, summary="考核结果与排名")
def get_assessment(assessment_id: int, db: ReadDB, user: CurrentUser) -> AssessmentOut:
    """A version with the ranking (leaders, administrators) or the caller's own department's result."""
    return _out(service.get_for(db, user, assessment_id), user)


@router.post("/assessments/{assessment_id}/recompute", response_model=AssessmentOut, summary="重新计算待发布版本")
def recompute(assessment_id: int, db: DB, user: CurrentUser) -> AssessmentOut:
    """Measures the draft's period again with the scheme's current weights; its corrections stay."""
    return _out(service.recompute(db, user, assessment_id), user)


@router.post(
    "/assessments/{assessment_id}/corrections", response_model=AssessmentOut, summary="审核修正（已发布的生成新版本）"
)
def correct(assessment_id: int, data: CorrectionIn, db: DB, user: CurrentUser) -> AssessmentOut:
    """Corrects one department's indicator score or total; answers with the draft that holds the correction."""
    return _out(service.correct(db, user, assessment_id, data), user)


@router.post("/assessments/{assessment_id}/publish", response_model=AssessmentOut, summary="发布考核结果并推送")
def publish(assessment_id: int, db: DB, user: CurrentUser) -> AssessmentOut:
    """Freezes the draft; each department gets its result and the leaders the ranking."""
    return _out(service.publish(db, user, assessment_id), user)


@router.get(
    "/assessments/{assessment_id}/departments/{department_id}", response_model=ResultOut, summary="部门考核结果"
)
def department_result(assessment_id: int, department_id: int, db: ReadDB, user: CurrentUser) -> ResultOut:
    """One department's scores (its own staff, leaders and administrators)."""
    return result_out(service.get_result(db, user, assessment_id, department_id)[1])


@router.get(
    "/assessments/{assessment_id}/departments/{department_id}/explanation",
    response_model=ExplanationOut,
    summary="得分说明：计入的办件、节点、预警等",
)
def explain(assessment_id: int, department_id: int, indicator: str, db: ReadDB, user: CurrentUser) -> ExplanationOut:
    """Every case, node, warning, push or rating the indicator counted for the department, and why."""
    _, result, counted = service.explanation(db, user, assessment_id, department_id, indicator)
    score = next(s for s in result.scores if s.indicator == indicator)
    return explanation_out(score, counted, EXPLANATION_LIMIT)


@router.get("/assessments/{assessment_id}/export.xlsx", summary="导出考核排名（Excel）")
def export_ranking(assessment_id: int, db: ReadDB, user: CurrentUser) -> Response:
    """The ranking (or the caller's own result) as a workbook."""
    found = service.get_for(db, user, assessment_id)
    assert user is not None
    content = export.workbook(found, service.visible_results(user, found))
    name = export.filename(found)
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


# ---------------------------------------------------------------- appeals


@router.post("/assessments/{assessment_id}/appeals", response_model=AppealOut, status_code=201, summary="提出申诉")
def file_appeal(assessment_id: int, data: AppealIn, db: DB, user: CurrentUser) -> AppealOut:
    """The caller's department appeals its published result."""
    return appeal_out(appeals.file_appeal(db, user, assessment_id, data), appeals.STATUS_LABELS)


@router.get("/appeals", response_model=list[AppealOut], summary="申诉列表")
def list_appeals(db: ReadDB, user: CurrentUser, status: str | None = None) -> list[AppealOut]:
    """Every appeal (administrators, leaders) or the caller's department's."""
    return [appeal_out(a, appeals.STATUS_LABELS) for a in appeals.list_appeals(db, user, status=status)]


@router.post("/appeals/{appeal_id}/answer", response_model=AppealOut, summary="答复申诉（采纳并修正，或不采纳）")
def answer_appeal(appeal_id: int, data: AnswerIn, db: DB, user: CurrentUser) -> AppealOut:
    """Accepted with a correction (a new version), or rejected with the reason."""
    return appeal_out(appeals.answer_appeal(db, user, appeal_id, data), appeals.STATUS_LABELS)
