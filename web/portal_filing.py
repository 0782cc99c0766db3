"""全流程报建指导 on the portal: the enterprise filer's project wizard, the derived approval flow, sending it
to the departments and guidance letters. What the pages show of letters, reviews and the flow is in
web/filing_views.py; the public letter verification pages are web/portal_letters.py.

Every rule lives in ``core.projects`` and the rule engine; these pages only turn forms into calls of the same
services the JSON API (``core.projects.views``) uses, and show what they return.
"""

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from core.deps import DB
from core.errors import AppError, ValidationFailed
from core.org.models import User
from core.org.permissions import Permission
from core.projects import documents, letters, proxy, service
from core.projects.letter_pdf import working_day_window
from core.projects.models import Project
from core.projects.schemas import ProjectIn, ProjectPatch
from core.rules import indicators as ind
from web.common import Form, WebUser, flash, redirect, render, text, validation_message
from web.deps import OnError, SignedIn, signed_in_with
from web.filing_answers import REPOST_KEYS, parsed_answers, question_rows, typed_answers
from web.filing_views import diagram, info_shown, letter_row, pdf_url, review_rows

router = APIRouter(include_in_schema=False)

INFO_FIELDS = tuple(service.PROJECT_INFO_LABELS)
KIND_LABELS = {"approval": "审批事项", "intermediary": "中介服务"}
FIELD_ERROR_SUMMARY = "有填写内容需要修改，请查看标注的项目"
STEPS = ("项目信息", "填写指标", "流程推演", "部门审核", "指导意见书")

InfoModel = TypeVar("InfoModel", ProjectIn, ProjectPatch)


# ---------------------------------------------------------------- helpers


Filer = Annotated[User, Depends(signed_in_with(Permission.PROJECT_FILE))]
"""The signed-in user allowed to file projects; anonymous visitors go to the login page first."""


def viewed_project(project_id: int, db: DB, viewer: SignedIn) -> Project:
    """The project of the address, when the viewer may see it (its filer, or staff with the data scope)."""
    return service.get_for(db, viewer, project_id)


ViewedProject = Annotated[Project, Depends(viewed_project)]


def _field_of(error: AppError) -> str:
    """The form field an error names: ``indicators.floor_area`` → ``floor_area``."""
    return (error.field or "").removeprefix("indicators.")


def _show_error(request: Request, name: str, context: dict[str, Any], error: AppError) -> HTMLResponse:
    """The page again with the message next to the field it names; on top as well when the page lacks that field."""
    field = _field_of(error)
    errors = {field: error.message} if field else {}
    summary = FIELD_ERROR_SUMMARY if field in context["shown_fields"] else error.message
    return render(request, name, {**context, "errors": errors, "error": summary}, status=error.status_code)


def _invalid(exc: ValidationError) -> ValidationFailed:
    """A pydantic error of the project facts as a Chinese message naming its field."""
    location = exc.errors()[0].get("loc", ())
    field = str(location[-1]) if location else None
    return ValidationFailed(validation_message(exc, service.PROJECT_INFO_LABELS), field=field)


def _steps_done(project: Project) -> int:
    """How many wizard steps are behind the filer (for the step bar)."""
    if project.status == service.CONFIRMED:
        return len(STEPS)
    if project.status in (service.DERIVED, service.IN_REVIEW):
        return 3
    return 2 if not ind.unanswered(project.indicators or {}) else 1


# ---------------------------------------------------------------- landing


@router.get("/filing", response_class=HTMLResponse)
def landing(request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """What 全流程报建指导 does, and the signed-in filer's projects."""
    projects = service.list_projects(db, user) if user is not None else []
    may_file = user is not None and Permission.PROJECT_FILE in user.permissions
    return render(
        request,
        "filing/landing.html",
        {"projects": projects, "may_file": may_file, "status_labels": service.STATUS_LABELS},
    )


# ---------------------------------------------------------------- project facts


def _info_values(form: FormData) -> dict[str, str]:
    return {key: text(form, key) for key in INFO_FIELDS}


def _info_context(values: dict[str, str], project: Project | None = None, *, locked: bool = False) -> dict[str, Any]:
    return {
        "values": values,
        "labels": service.PROJECT_INFO_LABELS,
        "project": project,
        "locked": locked,
        "shown_fields": INFO_FIELDS,
        "errors": {},
        "steps": STEPS,
        "steps_done": 0,
    }


def _parse_info(model: type[InfoModel], values: dict[str, str]) -> InfoModel:
    # A blank field is "not given": drafts may lack facts, and the schema checks only what is there.
    try:
        return model.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        raise _invalid(exc) from exc


@router.get("/filing/projects/new", response_class=HTMLResponse)
def new_project_page(request: Request, db: DB, filer: Filer) -> Response:
    """Step 1: the project facts."""
    return render(request, "filing/info.html", _info_context(dict.fromkeys(INFO_FIELDS, "")))


@router.post("/filing/projects/new", response_class=HTMLResponse)
def create_project(request: Request, db: DB, form: Form, filer: Filer, on_error: OnError) -> Response:
    """Starts the draft project and goes on to the indicators."""
    values = _info_values(form)
    on_error.answer(lambda error: _show_error(request, "filing/info.html", _info_context(values), error))
    project = service.create_project(db, filer, _parse_info(ProjectIn, values))
    flash(request, f"项目已创建，编号 {project.code}。请继续填写项目指标。")
    return redirect(f"/filing/projects/{project.id}/indicators")


@router.get("/filing/projects/{project_id}/info", response_class=HTMLResponse)
def info_page(request: Request, db: DB, viewer: SignedIn, project: ViewedProject) -> Response:
    """Editing the project facts."""
    values = {key: getattr(project, key) or "" for key in INFO_FIELDS}
    context = _info_context(values, project, locked=not service.may_edit(viewer, project))
    return render(request, "filing/info.html", context)


@router.post("/filing/projects/{project_id}/info", response_class=HTMLResponse)
def save_info(
    request: Request, db: DB, form: Form, viewer: SignedIn, project: ViewedProject, on_error: OnError
) -> Response:
    """Saves the project facts; a field emptied that had a value is asked for again rather than ignored."""
    values = _info_values(form)

    def show(error: AppError) -> Response:
        stored = service.get_for(db, viewer, project.id)
        context = _info_context(values, stored, locked=not service.may_edit(viewer, stored))
        return _show_error(request, "filing/info.html", context, error)

    on_error.answer(show)
    emptied = next((k for k in INFO_FIELDS if not values[k] and getattr(project, k)), None)
    if emptied:
        raise ValidationFailed(f"请填写{service.PROJECT_INFO_LABELS[emptied]}", field=emptied)
    service.update_project(db, viewer, project, _parse_info(ProjectPatch, values))
    flash(request, "项目信息已保存")
    return redirect(f"/filing/projects/{project.id}")


# ---------------------------------------------------------------- overview


@router.get("/filing/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, db: DB, viewer: SignedIn, project: ViewedProject) -> Response:
    """A project: facts, answers, status, and what to do next."""
    values = project.indicators or {}
    answers = [
        (q.label, ind.display(q.key, values.get(q.key)), values.get(q.key) is not None) for q in ind.applicable(values)
    ]
    info = [(label, info_shown(project, key)) for key, label in service.PROJECT_INFO_LABELS.items()]
    derivation = service.latest_derivation(db, project)
    context = {
        "project": project,
        "status_label": service.STATUS_LABELS[project.status],
        "info": info,
        "answers": answers,
        "unanswered": ind.unanswered(values),
        "missing_info": [service.PROJECT_INFO_LABELS[k] for k in service.missing_info(project)],
        "stale": service.derivation_stale(db, project),
        "derivation": derivation,
        "has_flow": derivation is not None and project.status != service.DRAFT,
        "letters": [letter_row(x) for x in letters.letters_of(db, project)],
        "editable": service.may_edit(viewer, project),
        "steps": STEPS,
        "steps_done": _steps_done(project),
        "proxy_filer": proxy.filer_name(db, project),
        "invited_phone": proxy.invited_phone_masked(project),
        "awaiting_owner": proxy.awaiting_owner(project),
        "is_owner": project.owner_user_id == viewer.id,
        "documents": documents.list_documents(db, project),
        "document_kinds": documents.KINDS,
    }
    return render(request, "filing/project.html", context)


# ---------------------------------------------------------------- the indicators step


def _indicators_context(
    project: Project,
    values: ind.Indicators,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    rows = question_rows(values, typed, errors or {})
    return {
        "project": project,
        "questions": rows,
        "answered": sum(1 for r in rows if not r.unanswered),
        "missing_info": [service.PROJECT_INFO_LABELS[k] for k in service.missing_info(project)],
        "shown_fields": [r.key for r in rows],
        "steps": STEPS,
        "steps_done": 1,
        "errors": errors or {},
    }


def _indicators_error(
    request: Request, project: Project, values: ind.Indicators, typed: dict[str, str], error: AppError
) -> HTMLResponse:
    field = _field_of(error)
    context = _indicators_context(project, values, typed, {field: error.message} if field else {})
    return _show_error(request, "filing/indicators.html", context, error)


@router.get("/filing/projects/{project_id}/indicators", response_class=HTMLResponse)
def indicators_page(request: Request, db: DB, viewer: SignedIn, project: ViewedProject) -> Response:
    """Step 2: the questions that apply given the answers so far, prefilled with the saved answers."""
    context = _indicators_context(project, project.indicators or {})
    return render(request, "filing/indicators.html", {**context, "locked": not service.may_edit(viewer, project)})


@router.post("/filing/projects/{project_id}/indicators", response_class=HTMLResponse)
def save_indicators(
    request: Request, db: DB, form: Form, viewer: SignedIn, project: ViewedProject, on_error: OnError
) -> Response:
    """保存草稿 (partial answers are fine) or 保存并推演 (save, derive, issue the draft letter, show the flow)."""
    typed = typed_answers(form)

    def show(error: AppError) -> Response:
        stored = service.get_for(db, viewer, project.id)
        values = {**(stored.indicators or {}), **parsed_answers(typed, lenient=True)}
        return _indicators_error(request, stored, values, typed, error)

    on_error.answer(show)
    answers = parsed_answers(typed)
    if answers:
        service.update_project(db, viewer, project, ProjectPatch(indicators=answers))

    if text(form, "action") == "derive":
        try:
            letters.derive_with_letter(db, viewer, project)
        except AppError as error:
            # not rolled back: the draft stays saved (the request still commits); only the derivation did not happen
            return _indicators_error(request, project, project.indicators or {}, typed, error)
        flash(request, "流程推演完成，已生成指导意见书初稿")
        return redirect(f"/filing/projects/{project.id}/flow")

    flash(request, "草稿已保存")
    changed = text(form, "changed")
    anchor = f"#q-{changed}" if changed in REPOST_KEYS else ""
    return redirect(f"/filing/projects/{project.id}/indicators{anchor}")


# ---------------------------------------------------------------- derivation, review, letters


def _back_with(request: Request, project: Project, error: AppError) -> Response:
    """Back to the page where the problem can be fixed, with the message on top."""
    flash(request, error.message, "error")
    field = error.field or ""
    if field.startswith("indicators."):
        return redirect(f"/filing/projects/{project.id}/indicators#q-{_field_of(error)}")
    if field in INFO_FIELDS:
        return redirect(f"/filing/projects/{project.id}/info")
    return redirect(f"/filing/projects/{project.id}")


@router.post("/filing/projects/{project_id}/derive")
def derive(
    request: Request, db: DB, form: Form, viewer: SignedIn, project: ViewedProject, on_error: OnError
) -> Response:
    """流程推演 with the rules in force; the draft letter (初稿) is issued with it, as the API does."""
    on_error.answer(lambda error: _back_with(request, project, error))
    letters.derive_with_letter(db, viewer, project)
    flash(request, "流程推演完成，已生成指导意见书初稿")
    return redirect(f"/filing/projects/{project.id}/flow")


@router.post("/filing/projects/{project_id}/review")
def send_for_review(
    request: Request, db: DB, form: Form, viewer: SignedIn, project: ViewedProject, on_error: OnError
) -> Response:
    """提交部门审核: every department with items in the flow is asked to confirm them."""
    on_error.answer(lambda error: _back_with(request, project, error))
    reviews = service.send_for_review(db, viewer, project)
    names = "、".join(r.department.name for r in reviews)
    flash(request, f"已提交部门审核：{names}。各部门确认后将出具正式指导意见书。")
    return redirect(f"/filing/projects/{project.id}")


@router.post("/filing/projects/{project_id}/letter")
def issue_letter(
    request: Request, db: DB, form: Form, viewer: SignedIn, project: ViewedProject, on_error: OnError
) -> Response:
    """The letter for the current flow (a new version only when the flow changed), opened as PDF."""
    on_error.answer(lambda error: _back_with(request, project, error))
    letter = letters.issue_letter(db, viewer, project)
    return redirect(pdf_url(letter))


# ---------------------------------------------------------------- the flow


@router.get("/filing/projects/{project_id}/flow", response_class=HTMLResponse)
def flow_page(request: Request, db: DB, viewer: SignedIn, project: ViewedProject, on_error: OnError) -> Response:
    """Step 3: the derived flow with the departments' changes: table, diagram, reasons, materials, exclusions."""
    on_error.answer(lambda error: _back_with(request, project, error))
    derivation, flow = letters.final_flow(db, project)
    names = {i.code: i.name for i in flow.items()} | {i.code: i.name for i in flow.intermediaries}
    existing = letters.letters_of(db, project)
    context = {
        "project": project,
        "status_label": service.STATUS_LABELS[project.status],
        "derivation": derivation,
        "flow": flow,
        "names": names,
        "diagram": diagram(flow),
        "window": working_day_window,
        "kind_labels": KIND_LABELS,
        "reviews": review_rows(derivation),
        "latest_letter": letter_row(existing[0]) if existing else None,
        "editable": service.may_edit(viewer, project),
        "can_send": project.status == service.DERIVED,
        "steps": STEPS,
        "steps_done": _steps_done(project),
    }
    return render(request, "filing/flow.html", context)
