"""Admin site, construction filing: the projects and their flows, and each department's review of its items.

Every page calls the same core services as the JSON API (``core.projects.views``).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.audit.context import acting
from core.deps import DB
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.org.models import User
from core.org.permissions import Permission
from core.projects import documents, letters, proxy
from core.projects import service as project_service
from core.projects.final_flow import apply_reviews
from core.projects.models import DepartmentReview, Derivation, GuidanceLetter, Project
from core.projects.schemas import AdjustmentIn, ConfirmIn
from core.rules import indicators as ind
from core.rules.document import STAGES
from core.rules.engine import DerivedFlow
from core.security import mask_phone
from web.common import Form, flash, redirect, render, text
from web.deps import ErrorRoute, OnError, Staff, staff_with
from web.rule_forms import form_lines, form_number, invalid_input

router = APIRouter(prefix="/admin/filing", include_in_schema=False)

ADJUSTMENT_LABELS = {
    "action": "操作",
    "approval_code": "事项",
    "name": "事项名称",
    "stage": "阶段",
    "time_limit_days": "承诺时限",
    "materials": "材料",
    "opinion": "审核意见",
}
ACTION_LABELS = {"add": "新增", "correct": "更正", "remove": "删除"}
TRIGGER_LABELS = {"filer": "填报单位推演", "guide": "报建专员推演", "rules_published": "规则发布后重新推演"}


def project_reader(staff: Staff) -> User:
    """The member of staff who may see construction projects (readers and guides)."""
    if not ({Permission.PROJECT_READ, Permission.PROJECT_GUIDE} & staff.permissions):
        raise PermissionDenied("您没有查看报建项目的权限，如需开通请联系管理员")
    return staff


ProjectReader = Annotated[User, Depends(project_reader)]


@router.get("/projects", response_class=HTMLResponse)
def projects_page(
    request: Request, db: DB, staff: ProjectReader, status: str | None = None, q: str | None = None
) -> HTMLResponse:
    """Projects the user may see (guides and leaders all, officers their department's), with filters."""
    chosen = status if status in project_service.STATUS_LABELS else None
    query = (q or "").strip()[:100]
    context = {
        "projects": project_service.list_projects(db, staff, status=chosen, q=query or None),
        "filters": {"status": chosen or "", "q": query},
        "status_labels": project_service.STATUS_LABELS,
    }
    return render(request, "admin/filing/projects.html", context)


def _final_flow(db: Session, project: Project) -> tuple[Derivation | None, DerivedFlow | None]:
    try:
        return letters.final_flow(db, project)
    except Conflict:
        return None, None


def _item_names(derivation: Derivation | None) -> dict[str, str]:
    """The derived items' names by code, to name what a department corrected or removed."""
    if derivation is None:
        return {}
    return {item.code: item.name for item in DerivedFlow.model_validate(derivation.flow).items()}


def _project_context(db: Session, staff: User, project: Project) -> dict[str, Any]:
    values = project.indicators or {}
    derivation, flow = _final_flow(db, project)
    guide = Permission.PROJECT_GUIDE in staff.permissions
    return {
        "project": project,
        "phone": mask_phone(project.contact_phone) if project.contact_phone else "",
        "answers": [(q.label, ind.display(q.key, values.get(q.key))) for q in ind.applicable(values)],
        "unanswered": [q.label for q in ind.unanswered(values)],
        "status_label": project_service.STATUS_LABELS[project.status],
        "stale": project_service.derivation_stale(db, project),
        "derivation": derivation,
        "trigger_label": TRIGGER_LABELS.get(derivation.trigger, derivation.trigger) if derivation else "",
        "flow": flow,
        "reviews": derivation.reviews if derivation else [],
        "item_names": _item_names(derivation),
        "review_labels": project_service.REVIEW_STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "letters": letters.letters_of(db, project),
        "can_derive": guide,
        "can_send": guide and project.status == project_service.DERIVED,
        "documents": documents.list_documents(db, project),
        "document_kinds": documents.KINDS,
        "proxy_filer": proxy.filer_name(db, project),
        "invited_phone": proxy.invited_phone_masked(project),
    }


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(project_id: int, request: Request, db: DB, staff: ProjectReader) -> HTMLResponse:
    """A project: its facts (phone masked), answers, the flow by stage, reviews and letters."""
    project = project_service.get_for(db, staff, project_id)
    return render(request, "admin/filing/project.html", _project_context(db, staff, project))


def _project_action(
    request: Request, db: Session, staff: User, project_id: int, action: str, on_error: ErrorRoute
) -> Response:
    project = project_service.get_for(db, staff, project_id)
    on_error.show(
        "admin/filing/project.html",
        lambda: _project_context(db, staff, project_service.get_for(db, staff, project_id)),
    )
    with acting(action=f"project.{action}"):
        if action == "derive":
            letter = letters.derive_with_letter(db, staff, project)
            message = f"流程推演完成，已生成指导意见书（初稿）第 {letter.version} 版"
        else:
            reviews = project_service.send_for_review(db, staff, project)
            departments = "、".join(r.department.name for r in reviews)
            message = f"已提交 {len(reviews)} 个部门审核：{departments}"
    flash(request, message)
    return redirect(f"/admin/filing/projects/{project_id}")


@router.post("/projects/{project_id}/derive", response_class=HTMLResponse)
def derive(project_id: int, request: Request, db: DB, form: Form, staff: ProjectReader, on_error: OnError) -> Response:
    """流程推演 by a guide: derives with the rules in force and issues the draft letter."""
    return _project_action(request, db, staff, project_id, "derive", on_error)


@router.post("/projects/{project_id}/review", response_class=HTMLResponse)
def send_for_review(
    project_id: int, request: Request, db: DB, form: Form, staff: ProjectReader, on_error: OnError
) -> Response:
    """提交部门审核: every department with items in the flow gets a review."""
    return _project_action(request, db, staff, project_id, "send_for_review", on_error)


# ================================================================ department review


Reviewer = Annotated[User, Depends(staff_with(Permission.PROJECT_REVIEW))]


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, db: DB, officer: Reviewer) -> HTMLResponse:
    """The department's reviews: waiting ones first, then those already confirmed."""
    rows = []
    for status in (project_service.PENDING, project_service.CONFIRMED):
        for review in project_service.list_reviews(db, officer, status=status):
            rows.append((review, project_service.review_project(db, review)))
    return render(request, "admin/filing/reviews.html", {"rows": rows, "labels": project_service.REVIEW_STATUS_LABELS})


def _final_letter(db: Session, project: Project) -> GuidanceLetter | None:
    issued = letters.letters_of(db, project)
    return issued[0] if issued and issued[0].is_final else None


def _review_context(db: Session, review: DepartmentReview, **extra: Any) -> dict[str, Any]:
    project = project_service.review_project(db, review)
    derivation = db.get_one(Derivation, review.derivation_id)
    derived = DerivedFlow.model_validate(derivation.flow)
    final = apply_reviews(derived, derivation.reviews)
    department = review.department.code
    items = [i for i in final.items() if i.department_code == department]
    latest = project_service.latest_derivation(db, project)
    current = latest is not None and latest.id == derivation.id and project.status == project_service.IN_REVIEW
    context: dict[str, Any] = {
        "review": review,
        "project": project,
        "status_label": project_service.STATUS_LABELS[project.status],
        "review_label": project_service.REVIEW_STATUS_LABELS[review.status],
        "items": items,
        # what may still be corrected or removed: the department's derived items not removed yet, as now named
        "own_items": [i for i in items if derived.item(i.code) is not None],
        "item_names": {i.code: i.name for i in derived.items()},
        "others": [r for r in derivation.reviews if r.id != review.id],
        "review_labels": project_service.REVIEW_STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "stages": STAGES,
        "open": review.status == project_service.PENDING and current,
        "stale": review.status == project_service.PENDING and not current,
        "letter": _final_letter(db, project),
        "values": {},
        "failed_action": None,
    }
    return context | extra


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_page(review_id: int, request: Request, db: DB, officer: Reviewer) -> HTMLResponse:
    """A review of the user's department: the project, the department's items, and the forms to act."""
    review = project_service.get_review(db, officer, review_id)
    return render(request, "admin/filing/review.html", _review_context(db, review))


def adjustment_from(values: dict[str, str]) -> AdjustmentIn:
    """The adjustment the review form describes; a Chinese error naming the field when something is wrong."""
    limit = form_number(values["time_limit_days"], "time_limit_days", ADJUSTMENT_LABELS["time_limit_days"])
    try:
        return AdjustmentIn(
            action=values["action"],
            approval_code=values["approval_code"],
            name=values["name"],
            stage=values["stage"],
            time_limit_days=limit,
            materials=form_lines(values["materials"]),
            opinion=values["opinion"],
        )
    except ValidationError as error:
        raise invalid_input(error, ADJUSTMENT_LABELS) from error


@router.post("/reviews/{review_id}/adjust", response_class=HTMLResponse)
def adjust(review_id: int, request: Request, db: DB, form: Form, officer: Reviewer, on_error: OnError) -> Response:
    """更正、删除 or 新增 an item, always with the department's opinion."""
    review = project_service.get_review(db, officer, review_id)
    values = {key: text(form, key) for key in ADJUSTMENT_LABELS}
    action = values["action"] if values["action"] in ACTION_LABELS else ""
    on_error.show(
        "admin/filing/review.html",
        lambda: _review_context(
            db, project_service.get_review(db, officer, review_id), values=values, failed_action=action
        ),
    )
    if not action:
        raise ValidationFailed("请选择更正、删除或新增", field="action")
    data = adjustment_from(values)
    with acting(action=f"project.review.{action}"):
        project_service.add_adjustment(db, officer, review, data)
    flash(request, f"已{ACTION_LABELS[action]}事项，确认前仍可继续调整")
    return redirect(f"/admin/filing/reviews/{review_id}")


@router.post("/reviews/{review_id}/confirm", response_class=HTMLResponse)
def confirm(review_id: int, request: Request, db: DB, form: Form, officer: Reviewer, on_error: OnError) -> Response:
    """确认 the department's items; when the last department confirms, the final letter is issued."""
    review = project_service.get_review(db, officer, review_id)
    opinion = text(form, "opinion")
    on_error.show(
        "admin/filing/review.html",
        lambda: _review_context(
            db, project_service.get_review(db, officer, review_id), values={"opinion": opinion}, failed_action="confirm"
        ),
    )
    try:
        data = ConfirmIn(opinion=opinion)
    except ValidationError as error:
        raise invalid_input(error, ADJUSTMENT_LABELS | {"opinion": "确认意见"}) from error
    with acting(action="project.review.confirm"):
        letter = letters.confirm_with_letter(db, officer, review, data.opinion)
    if letter is not None:
        flash(request, f"已确认。各部门均已确认，已出具正式指导意见书第 {letter.version} 版")
    else:
        flash(request, "已确认本部门事项，等待其他部门确认")
    return redirect(f"/admin/filing/reviews/{review_id}")
