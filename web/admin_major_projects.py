"""Admin site, major projects (重大项目跟踪): the register with its filters, registering a project (from a filing
project or directly) and editing it, the project page with its timeline, and the statistics with the Excel export.

The project page's forms (nodes, milestones, problems, meetings) are in web/admin_major_project_actions.py.
"""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.clock import today
from core.deps import DB
from core.errors import ValidationFailed
from core.major_projects import export, service, shapes, stats
from core.major_projects.enums import (
    CATEGORY_LABELS,
    ISSUE_CLOSED,
    MILESTONE_KINDS,
    NODE_STATE_LABELS,
    STAGE_LABELS,
    STAGE_NAMES,
    STATUS_LABELS,
    WARNING_FILTERS,
)
from core.major_projects.models import MajorProject
from core.major_projects.schemas import MajorProjectIn, MajorProjectPatch
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.settings import get_settings
from web import major_project_timeline
from web.common import Form, flash, page_number, redirect, render, text, to_date, to_int, validation_message
from web.deps import OnError, Staff, staff_with

router = APIRouter(prefix="/admin/major-projects", include_in_schema=False)

PAGE_SIZE = 20
FIELD_LABELS = {
    "name": "项目名称",
    "category": "项目类别",
    "stage": "项目阶段",
    "project_code": "投资项目代码",
    "enterprise_name": "建设单位",
    "credit_code": "统一社会信用代码",
    "location": "建设地点",
    "investment": "总投资",
    "description": "项目简介",
    "lead_department_id": "牵头部门",
    "planned_start": "计划开工",
    "planned_finish": "计划竣工",
}
LABELS = {
    "category": CATEGORY_LABELS,
    "stage": STAGE_LABELS,
    "status": STATUS_LABELS,
    "node_state": NODE_STATE_LABELS,
    "milestone": MILESTONE_KINDS,
    "approval_stage": STAGE_NAMES,
    "warning": WARNING_FILTERS,
}


def major_reader(staff: Staff) -> User:
    """A member of staff who may read the register."""
    return service.require_reader(staff)


Reader = Annotated[User, Depends(major_reader)]
Manager = Annotated[User, Depends(staff_with(Permission.MAJOR_PROJECT_MANAGE))]


def readable_project(project_id: int, db: DB, reader: Reader) -> MajorProject:
    """The project of the address when the reader may see it (403 otherwise)."""
    return service.get_for(db, reader, project_id)


ReadableProject = Annotated[MajorProject, Depends(readable_project)]


# ---------------------------------------------------------------- the register


def _filter_from(raw: dict[str, str]) -> service.ProjectFilter:
    return service.ProjectFilter(
        q=raw["q"] or None,
        stage=raw["stage"] or None,
        category=raw["category"] or None,
        status=raw["status"] or None,
        department_id=to_int(raw["department_id"], "部门"),
        leader_id=to_int(raw["leader_id"], "责任领导"),
        warning_state=raw["warning_state"] or None,
    )


def _filter_choices(db: Session) -> dict[str, Any]:
    leaders = select(User).where(User.id.in_(select(MajorProject.leader_id))).order_by(User.name)
    return {
        "departments": org_service.list_departments(db=db, active_only=True),
        "leaders": list(db.scalars(leaders)),
        "labels": LABELS,
    }


FILTER_KEYS = ("q", "stage", "category", "status", "department_id", "leader_id", "warning_state")


@router.get("", response_class=HTMLResponse)
def register(request: Request, db: DB, reader: Reader, on_error: OnError, page: str | None = None) -> HTMLResponse:
    """The projects the reader reaches, with filters."""
    raw = {key: request.query_params.get(key, "").strip() for key in FILTER_KEYS}
    context: dict[str, Any] = {"raw": raw, "rows": [], "total": 0, "page": 1, "page_size": PAGE_SIZE}
    context |= _filter_choices(db)
    on_error.show("admin/major_projects/list.html", context)
    number = page_number(page)
    rows, total = service.list_projects(db, reader, _filter_from(raw), page=number, page_size=PAGE_SIZE)
    context |= {"rows": [shapes.summary(p) for p in rows], "total": total, "page": number}
    context["can_create"] = Permission.MAJOR_PROJECT_MANAGE in reader.permissions
    return render(request, "admin/major_projects/list.html", context)


# ---------------------------------------------------------------- registering and editing


def _people(db: Session) -> list[User]:
    return list(db.scalars(select(User).where(User.is_staff.is_(True), User.is_active.is_(True)).order_by(User.name)))


def _form_context(db: Session, manager: User, values: dict[str, str], project: MajorProject | None) -> dict[str, Any]:
    return {
        "values": values,
        "project": project,
        "filings": service.confirmed_filing_projects(db, manager) if project is None else [],
        "departments": org_service.list_departments(db=db, active_only=True),
        "people": _people(db),
        "labels": LABELS,
    }


FORM_FIELDS = (
    "project_id",
    "name",
    "category",
    "stage",
    "status",
    "project_code",
    "enterprise_name",
    "credit_code",
    "location",
    "investment",
    "description",
    "lead_department_id",
    "leader_id",
    "officer_id",
    "planned_start",
    "planned_finish",
)


def _values(form: FormData) -> dict[str, str]:
    return {key: text(form, key) for key in FORM_FIELDS}


def _facts(values: dict[str, str]) -> dict[str, Any]:
    try:
        investment = Decimal(values["investment"] or "0")
    except InvalidOperation as exc:
        raise ValidationFailed("总投资应为数字（单位：万元）", field="investment") from exc
    return {
        "name": values["name"],
        "category": values["category"],
        "stage": values["stage"],
        "project_code": values["project_code"],
        "enterprise_name": values["enterprise_name"],
        "credit_code": values["credit_code"],
        "location": values["location"],
        "investment": investment,
        "description": values["description"],
        "lead_department_id": to_int(values["lead_department_id"], "牵头部门"),
        "leader_id": to_int(values["leader_id"], "责任领导"),
        "officer_id": to_int(values["officer_id"], "帮办专员"),
        "planned_start": to_date(values["planned_start"], "计划开工"),
        "planned_finish": to_date(values["planned_finish"], "计划竣工"),
    }


@router.get("/new", response_class=HTMLResponse)
def new_page(request: Request, db: DB, manager: Manager, project_id: str | None = None) -> HTMLResponse:
    """Registering a project: from a filing project whose flow the departments confirmed, or directly."""
    values = {key: "" for key in FORM_FIELDS} | {"category": "industry", "stage": "approval"}
    values["project_id"] = project_id or ""
    return render(request, "admin/major_projects/form.html", _form_context(db, manager, values, None))


@router.post("/new", response_class=HTMLResponse)
def create(request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """Registers the project and opens its page."""
    values = _values(form)
    on_error.show("admin/major_projects/form.html", lambda: _form_context(db, manager, values, None))
    if not values["lead_department_id"]:
        raise ValidationFailed("请选择牵头部门", field="lead_department_id")
    try:
        data = MajorProjectIn.model_validate({**_facts(values), "project_id": to_int(values["project_id"], "报建项目")})
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, FIELD_LABELS)) from exc
    project = service.create(db, manager, data)
    flash(request, f"已登记重大项目 {project.code}，审批节点 {len(project.nodes)} 个")
    return redirect(f"/admin/major-projects/{project.id}")


def _current_values(project: MajorProject) -> dict[str, str]:
    def show(value: object) -> str:
        return "" if value is None else str(value)

    return {key: show(getattr(project, key, "")) for key in FORM_FIELDS}


@router.get("/{project_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, db: DB, manager: Manager, project_id: int) -> HTMLResponse:
    """The project's facts, to change."""
    project = service.get_to_manage(db, manager, project_id)
    return render(
        request, "admin/major_projects/form.html", _form_context(db, manager, _current_values(project), project)
    )


@router.post("/{project_id}/edit", response_class=HTMLResponse)
def edit(request: Request, db: DB, form: Form, manager: Manager, on_error: OnError, project_id: int) -> Response:
    """Saves the changed facts."""
    project = service.get_to_manage(db, manager, project_id)
    values = _values(form)
    on_error.show(
        "admin/major_projects/form.html",
        lambda: _form_context(db, manager, values, service.get_to_manage(db, manager, project_id)),
    )
    try:
        data = MajorProjectPatch.model_validate({**_facts(values), "status": values["status"] or None})
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, FIELD_LABELS)) from exc
    service.update(db, manager, project, data)
    flash(request, "项目信息已保存")
    return redirect(f"/admin/major-projects/{project.id}")


# ---------------------------------------------------------------- statistics


@router.get("/stats", response_class=HTMLResponse)
def statistics(request: Request, db: DB, reader: Reader, on_error: OnError) -> HTMLResponse:
    """By project stage, category, department and month, with the register's filters."""
    raw = {key: request.query_params.get(key, "").strip() for key in FILTER_KEYS}
    context: dict[str, Any] = {"raw": raw, "stats": None, "query": request.url.query} | _filter_choices(db)
    on_error.show("admin/major_projects/stats.html", context)
    context["stats"] = stats.statistics(db, reader, _filter_from(raw))
    return render(request, "admin/major_projects/stats.html", context)


@router.get("/stats.xlsx")
def statistics_excel(request: Request, db: DB, reader: Reader) -> Response:
    """The register with the filters applied and its statistics, as a workbook."""
    raw = {key: request.query_params.get(key, "").strip() for key in FILTER_KEYS}
    found = _filter_from(raw)
    figures = stats.statistics(db, reader, found)
    rows, _ = service.list_projects(db, reader, found, page=1, page_size=500)
    title = f"{get_settings().centre_name} 重大项目跟踪统计（{today():%Y-%m-%d}）"
    content = export.workbook([shapes.summary(p) for p in rows], figures, title)
    headers = {"Content-Disposition": 'attachment; filename="major-projects.xlsx"'}
    return Response(content, media_type=export.XLSX, headers=headers)


# ---------------------------------------------------------------- the project page


def project_context(db: Session, user: User, project: MajorProject) -> dict[str, Any]:
    """Everything the project page shows, and which of its forms the user may use."""
    shown = shapes.project_out(db, user, project)
    manage = shown.can_manage
    raised_by = {issue.id: issue.raised_by_id for issue in service.issues_of(db, project)}
    rights = {
        issue.id: {
            "reply": issue.status != ISSUE_CLOSED
            and (manage or user.department_id in {d.id for d in issue.departments}),
            "close": issue.status != ISSUE_CLOSED and (manage or raised_by[issue.id] == user.id),
        }
        for issue in shown.issues
    }
    return {
        "project": shown,
        "timeline": major_project_timeline.build(project, today()),
        "can_manage": manage,
        "issue_rights": rights,
        "own_department": user.department_id,
        "departments": org_service.list_departments(db=db, active_only=True),
        "labels": LABELS,
        "today": today(),
        "values": {},
        "failed": "",
    }


@router.get("/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, db: DB, reader: Reader, project: ReadableProject) -> HTMLResponse:
    """Facts, progress, the timeline, nodes with their cases, milestones, problems and meetings."""
    return render(request, "admin/major_projects/project.html", project_context(db, reader, project))
