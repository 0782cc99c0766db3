"""Admin site, progress assessment (进度考核): the history of every period, a version's ranking with its corrections,
publishing and the correction form, a department's result with what each score counted and the appeal form,
the schemes (weights adding up to 100) and the appeals with their answers.

Every page calls core/assessment's services, which check the permission and the department for each request:
administrators see and change everything, leaders read every published ranking, a department's staff read and
appeal their own results only.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.assessment import appeals, schemes, service
from core.assessment.compute import TOTAL
from core.assessment.indicators import INDICATORS
from core.assessment.models import PUBLISHED, Assessment, AssessmentResult
from core.assessment.periods import PERIOD_KINDS, previous
from core.assessment.schemas import AnswerIn, AppealIn, ComputeIn, CorrectionIn, SchemeIn, SchemeIndicatorIn
from core.clock import today
from core.deps import DB
from core.errors import ValidationFailed
from core.org.models import User
from web.common import Form, flash, redirect, render, text, to_int, validation_message
from web.deps import OnError, Staff

router = APIRouter(prefix="/admin/assessment", include_in_schema=False)
LISTED = 200
"""Items an explanation lists on the page (the count says how many there are in all)."""
LABELS = {"name": "方案名称", "weight": "权重", "reason": "理由", "answer": "答复意见", "value": "分值"}


def _reader(user: User) -> User:
    return service.require_reader(user)


def _number(value: str, label: str) -> float:
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValidationFailed(f"{label}应为数字，如 85 或 92.5") from exc
    if not number.is_finite():
        raise ValidationFailed(f"{label}应为数字，如 85 或 92.5")
    return float(number)


def _shown_number(value: Decimal) -> str:
    """2 rather than 2.00, 16.25 as it is."""
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


# ---------------------------------------------------------------- history


@router.get("", response_class=HTMLResponse)
def index(request: Request, db: DB, staff: Staff) -> HTMLResponse:
    """Every period's versions (administrators: drafts too), or the department's own results."""
    reader = _reader(staff)
    found = service.list_assessments(db, reader)
    own: list[tuple[Assessment, AssessmentResult | None]] = []
    if not service.sees_all(reader):
        own = [(a, next((r for r in a.results if r.department_id == reader.department_id), None)) for a in found]
    context: dict[str, Any] = {
        "assessments": found,
        "own": own,
        "sees_all": service.sees_all(reader),
        "manager": service.is_manager(reader),
        "schemes": schemes.list_schemes(db, reader) if service.is_manager(reader) else [],
        "suggested": previous("month", today()).code,
        "kinds": PERIOD_KINDS,
    }
    return render(request, "admin/assessment/index.html", context)


@router.post("/compute", response_class=HTMLResponse)
def compute(request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """计算: a period's first version, as a draft."""
    on_error.redirect("/admin/assessment")
    data = ComputeIn(scheme_id=to_int(text(form, "scheme_id"), "考核方案") or 0, period=text(form, "period")[:10])
    made = service.compute(db, staff, data)
    flash(request, f"已计算{made.period_label}的考核结果（待发布），请审核后发布")
    return redirect(f"/admin/assessment/{made.id}")


# ---------------------------------------------------------------- schemes


@router.get("/schemes", response_class=HTMLResponse)
def scheme_list(request: Request, db: DB, staff: Staff) -> HTMLResponse:
    """Every scheme with its weights."""
    context = {"schemes": schemes.list_schemes(db, staff), "indicators": INDICATORS}
    return render(request, "admin/assessment/schemes.html", context)


def _scheme_context(scheme_id: int | None, values: dict[str, Any]) -> dict[str, Any]:
    return {"scheme_id": scheme_id, "values": values, "indicators": INDICATORS, "kinds": PERIOD_KINDS}


def _scheme_values(form: Any) -> dict[str, Any]:
    weights = {code: text(form, f"weight_{code}") for code in INDICATORS}
    return {k: text(form, k) for k in ("name", "period_kind", "description")} | {"weights": weights}


@router.get("/schemes/{scheme_id}", response_class=HTMLResponse)
def scheme_form(scheme_id: str, request: Request, db: DB, staff: Staff) -> HTMLResponse:
    """The editor of a scheme (``new`` for a new one): each indicator's weight, 0 to leave it out."""
    if scheme_id == "new":
        schemes.list_schemes(db, staff)  # the permission check
        values: dict[str, Any] = {"name": "", "period_kind": "month", "description": "", "weights": {}}
        return render(request, "admin/assessment/scheme_form.html", _scheme_context(None, values))
    scheme = schemes.get_scheme(db, staff, to_int(scheme_id, "方案编号") or 0)
    values = {
        "name": scheme.name,
        "period_kind": scheme.period_kind,
        "description": scheme.description,
        "weights": {i.code: str(i.weight) for i in scheme.indicators},
    }
    return render(request, "admin/assessment/scheme_form.html", _scheme_context(scheme.id, values))


@router.post("/schemes/{scheme_id}", response_class=HTMLResponse)
def save_scheme(scheme_id: str, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """Saves the scheme; weights not adding up to 100 show the form again with the sum, nothing saved."""
    number = None if scheme_id == "new" else to_int(scheme_id, "方案编号")
    values = _scheme_values(form)
    on_error.show("admin/assessment/scheme_form.html", _scheme_context(number, values))
    scheme = schemes.get_scheme(db, staff, number) if number else None
    try:
        indicators = [
            SchemeIndicatorIn(code=code, weight=to_int(weight, f"“{INDICATORS[code].name}”的权重") or 0)
            for code, weight in values["weights"].items()
        ]
        kind = values["period_kind"] if values["period_kind"] in PERIOD_KINDS else "month"
        data = SchemeIn(
            name=values["name"][:100], period_kind=kind, description=values["description"][:1000], indicators=indicators
        )
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, LABELS)) from exc
    saved = schemes.save_scheme(db, staff, scheme, data)
    flash(request, f"已保存考核方案“{saved.name}”")
    return redirect("/admin/assessment/schemes")


# ---------------------------------------------------------------- appeals


def _appeals_context(db: Session, reader: User, values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "appeals": appeals.list_appeals(db, reader),
        "labels": appeals.STATUS_LABELS,
        "manager": service.is_manager(reader),
        "indicators": INDICATORS,
        "values": values or {},
    }


@router.get("/appeals", response_class=HTMLResponse)
def appeal_list(request: Request, db: DB, staff: Staff) -> HTMLResponse:
    """Appeals: every one for administrators and leaders, the department's for its staff."""
    return render(request, "admin/assessment/appeals.html", _appeals_context(db, _reader(staff)))


@router.post("/appeals/{appeal_id}/answer", response_class=HTMLResponse)
def answer(appeal_id: int, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """采纳 with a correction, or 不采纳 with the reason."""
    values: dict[str, Any] = {k: text(form, k) for k in ("accepted", "answer", "indicator", "value")}
    values["appeal_id"] = appeal_id
    on_error.show("admin/assessment/appeals.html", lambda: _appeals_context(db, staff, values))
    accepted = values["accepted"] == "1"
    data = AnswerIn(
        accepted=accepted,
        answer=values["answer"][:2000],
        indicator=(values["indicator"][:32] or None) if accepted else None,
        value=_number(values["value"], "修正后的分值") if accepted and values["value"] else None,
    )
    done = appeals.answer_appeal(db, staff, appeal_id, data)
    if done.new_assessment_id:
        flash(request, "已采纳申诉，修正已记入新版本（待发布）")
        return redirect(f"/admin/assessment/{done.new_assessment_id}")
    flash(request, "已答复申诉")
    return redirect("/admin/assessment/appeals")


# ---------------------------------------------------------------- one version: the ranking


def _version_context(
    db: Session, reader: User, assessment: Assessment, values: dict[str, str] | None = None
) -> dict[str, Any]:
    period = service.versions(db, assessment.scheme_id, assessment.period_start)
    return {
        "assessment": assessment,
        "results": service.visible_results(reader, assessment),
        "ranked_count": sum(1 for r in assessment.results if r.rank is not None),
        "codes": list(assessment.weights),
        "indicators": INDICATORS,
        "versions": period,
        "newest": period[0].id == assessment.id,
        "manager": service.is_manager(reader),
        "values": values or {},
        "corrections": [c for c in assessment.corrections if service.can_view_department(reader, c.department_id)],
    }


@router.get("/{assessment_id}", response_class=HTMLResponse)
def version(assessment_id: int, request: Request, db: DB, staff: Staff) -> Response:
    """A version's ranking; a department's staff go to their own result."""
    reader = _reader(staff)
    assessment = service.get_for(db, reader, assessment_id)
    if not service.sees_all(reader):
        return redirect(f"/admin/assessment/{assessment_id}/departments/{reader.department_id or 0}")
    return render(request, "admin/assessment/version.html", _version_context(db, reader, assessment))


@router.post("/{assessment_id}/recompute", response_class=HTMLResponse)
def recompute(assessment_id: int, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """重新计算 a draft with the scheme's current weights."""
    on_error.redirect(f"/admin/assessment/{assessment_id}")
    service.recompute(db, staff, assessment_id)
    flash(request, "已按当前方案的权重重新计算，审核修正已重新套用")
    return redirect(f"/admin/assessment/{assessment_id}")


@router.post("/{assessment_id}/publish", response_class=HTMLResponse)
def publish(assessment_id: int, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """发布: the version is frozen and pushed to the departments and the leaders."""
    on_error.redirect(f"/admin/assessment/{assessment_id}")
    done = service.publish(db, staff, assessment_id)
    flash(request, f"已发布{done.period_label}考核结果（第{done.version}版），各部门和领导将收到推送")
    return redirect(f"/admin/assessment/{assessment_id}")


@router.post("/{assessment_id}/corrections", response_class=HTMLResponse)
def correct(assessment_id: int, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """审核修正; on a published version it makes the next version."""
    values = {k: text(form, k) for k in ("department_id", "indicator", "value", "reason")}
    on_error.show(
        "admin/assessment/version.html",
        lambda: _version_context(db, staff, service.get_for(db, staff, assessment_id), values),
    )
    try:
        data = CorrectionIn(
            department_id=to_int(values["department_id"], "部门") or 0,
            indicator=values["indicator"][:32] or TOTAL,
            value=_number(values["value"], "修正后的分值"),
            reason=values["reason"][:1000],
        )
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, LABELS)) from exc
    target = service.correct(db, staff, assessment_id, data)
    new = " 已发布的版本不变，修正记入新版本（待发布）。" if target.id != assessment_id else ""
    flash(request, f"已记录修正。{new}")
    return redirect(f"/admin/assessment/{target.id}")


# ---------------------------------------------------------------- a department's result


def _department_context(
    db: Session,
    reader: User,
    assessment_id: int,
    department_id: int,
    values: dict[str, str] | None = None,
    indicator: str | None = None,
) -> dict[str, Any]:
    assessment, result = service.get_result(db, reader, assessment_id, department_id)
    explained = None
    if indicator:
        _, _, counted = service.explanation(db, reader, assessment_id, department_id, indicator)
        score = next(s for s in result.scores if s.indicator == indicator)
        explained = (score, INDICATORS[indicator], counted[:LISTED], len(counted))
    newest = service.current_published(db, assessment)
    own = reader.department_id == department_id
    return {
        "assessment": assessment,
        "result": result,
        "ranked_count": sum(1 for r in assessment.results if r.rank is not None),
        "explained": explained,
        "listed": LISTED,
        "corrections": [c for c in assessment.corrections if c.department_id == department_id],
        "appeals": [a for a in appeals.list_appeals(db, reader) if a.department_id == department_id],
        "can_appeal": own and assessment.status == PUBLISHED and newest is not None and newest.id == assessment.id,
        "sees_all": service.sees_all(reader),
        "values": values or {},
        "indicators": INDICATORS,
        "num": _shown_number,
    }


@router.get("/{assessment_id}/departments/{department_id}", response_class=HTMLResponse)
def department(
    assessment_id: int, department_id: int, request: Request, db: DB, staff: Staff, indicator: str | None = None
) -> HTMLResponse:
    """A department's scores; with ``indicator``, what that score counted (cases, nodes, warnings …) and why; the
    appeal form for the department's own staff."""
    chosen = indicator if indicator in INDICATORS else None
    context = _department_context(db, _reader(staff), assessment_id, department_id, indicator=chosen)
    return render(request, "admin/assessment/department.html", context)


@router.post("/{assessment_id}/appeals", response_class=HTMLResponse)
def file_appeal(assessment_id: int, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """申诉 by the user's own department."""
    values = {"indicator": text(form, "indicator")[:32], "reason": text(form, "reason")[:2000]}
    own = staff.department_id or 0
    on_error.show(
        "admin/assessment/department.html", lambda: _department_context(db, staff, assessment_id, own, values)
    )
    appeals.file_appeal(db, staff, assessment_id, AppealIn(**values))
    flash(request, "申诉已提交，管理员答复后将在此显示")
    return redirect(f"/admin/assessment/{assessment_id}/departments/{own}")
