"""Admin site, 项目预警: the warning list with filters and counts by department (预警管理), a warning with its
subject's history and the 签收 / 处理 / 销警 forms (预警处理), and the settings per kind × department (预警设置)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.clock import today
from core.deps import DB
from core.early_warnings import service, settings
from core.early_warnings.schemas import CloseIn, HandleIn, SettingIn
from core.early_warnings.states import LEVEL_LABELS, STATE_LABELS
from core.errors import ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.warning_settings.thresholds import DEFAULTS, KIND_LABELS, SubjectKind
from web.common import Form, checked, flash, page_number, redirect, render, text, to_date, to_int
from web.deps import OnError, Staff, staff_with

router = APIRouter(prefix="/admin/warnings", include_in_schema=False)

PAGE_SIZE = 20
STATES = {"live": "未办结", **STATE_LABELS}


def warning_reader(staff: Staff) -> User:
    """The member of staff who may read warnings (their department's, or all of them)."""
    return service.require_reader(staff)


Reader = Annotated[User, Depends(warning_reader)]
Manager = Annotated[User, Depends(staff_with(Permission.WARNING_MANAGE))]


# ---------------------------------------------------------------- the list (预警管理)


def _filter(request: Request, reader: User) -> service.WarningFilter:
    query = request.query_params
    return service.WarningFilter(
        level=query.get("level") or None,
        state=query.get("state") or None,
        department_id=to_int(query.get("department_id"), "部门") if service.sees_all(reader) else None,
        subject_kind=query.get("subject_kind") or None,
        major_project_id=to_int(query.get("major_project_id"), "重大项目"),
        date_from=to_date(query.get("date_from"), "开始日期"),
        date_to=to_date(query.get("date_to"), "结束日期"),
    )


@router.get("", response_class=HTMLResponse)
def warning_list(request: Request, db: DB, reader: Reader, page: str | None = None) -> HTMLResponse:
    """Warnings the reader reaches, newest first, with filters, and how many each department has."""
    found = _filter(request, reader)
    number = page_number(page)
    rows, total = service.list_warnings(db, reader, found, page=number, page_size=PAGE_SIZE)
    context = {
        "rows": service.summaries(db, rows),
        "total": total,
        "page": number,
        "page_size": PAGE_SIZE,
        "counts": service.counts_by_department(db, reader, found),
        "filters": found,
        "departments": org_service.list_departments(db=db, active_only=True) if service.sees_all(reader) else [],
        "levels": LEVEL_LABELS,
        "states": STATES,
        "kinds": {k.value: label for k, label in KIND_LABELS.items()},
    }
    return render(request, "admin/warnings/list.html", context)


# ---------------------------------------------------------------- one warning (预警处理)


def _context(db: Session, user: User, warning_id: int, values: dict[str, str] | None = None) -> dict[str, Any]:
    warning = service.get_for(db, user, warning_id)
    return {
        "warning": service.warning_out(db, user, warning),
        "values": values or {},
        "today": today().isoformat(),
        "page_size": PAGE_SIZE,
    }


@router.get("/{warning_id:int}", response_class=HTMLResponse)
def warning_page(warning_id: int, request: Request, db: DB, reader: Reader) -> HTMLResponse:
    """A warning: its subject, its state, the subject's earlier warnings and the forms of what one may do."""
    return render(request, "admin/warnings/warning.html", _context(db, reader, warning_id))


@router.post("/{warning_id:int}/sign", response_class=HTMLResponse)
def sign(warning_id: int, request: Request, db: DB, form: Form, reader: Reader, on_error: OnError) -> Response:
    """签收."""
    on_error.redirect(f"/admin/warnings/{warning_id}")
    service.sign(db, reader, service.get_for(db, reader, warning_id))
    flash(request, "已签收，请填报原因、措施和承诺完成日期")
    return redirect(f"/admin/warnings/{warning_id}")


@router.post("/{warning_id:int}/handle", response_class=HTMLResponse)
def handle(warning_id: int, request: Request, db: DB, form: Form, reader: Reader, on_error: OnError) -> Response:
    """处理情况; the page shows again with the reason when it is refused, nothing saved."""
    values = {k: text(form, k) for k in ("reason", "plan", "promised_on")}
    on_error.show("admin/warnings/warning.html", lambda: _context(db, reader, warning_id, values))
    data = HandleIn(
        reason=values["reason"][:2000],
        plan=values["plan"][:2000],
        promised_on=to_date(values["promised_on"], "承诺完成日期"),
    )
    service.handle(db, reader, service.get_for(db, reader, warning_id), data)
    flash(request, "处理情况已保存，待项目专员核实销警")
    return redirect(f"/admin/warnings/{warning_id}")


@router.post("/{warning_id:int}/close", response_class=HTMLResponse)
def close(warning_id: int, request: Request, db: DB, form: Form, reader: Reader, on_error: OnError) -> Response:
    """销警."""
    values = {"note": text(form, "note")}
    on_error.show("admin/warnings/warning.html", lambda: _context(db, reader, warning_id, values))
    service.close(db, reader, service.get_for(db, reader, warning_id), CloseIn(note=values["note"][:2000]))
    flash(request, "已销警")
    return redirect(f"/admin/warnings/{warning_id}")


# ---------------------------------------------------------------- settings (预警设置)


def _settings_context(db: Session, manager: User, values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "rows": settings.table(db, manager),
        "kinds": {k.value: label for k, label in KIND_LABELS.items()},
        "departments": org_service.list_departments(db=db, active_only=True),
        "values": values or {"subject_kind": "node", "yellow_days": "", "escalate_days": "", "is_enabled": True},
        "max_days": settings.MAX_DAYS,
    }


def _days(form: FormData, name: str, label: str) -> int:
    value = to_int(text(form, name), label)
    if value is None:
        raise ValidationFailed(f"请填写{label}", field=name)
    return value


def _setting_in(form: FormData, kind: str, department_id: int | None) -> SettingIn:
    return SettingIn(
        subject_kind=kind,
        department_id=department_id,
        yellow_days=_days(form, "yellow_days", "黄色预警天数"),
        escalate_days=_days(form, "escalate_days", "升级天数"),
        is_enabled=checked(form, "is_enabled"),
    )


def _typed(form: FormData) -> dict[str, Any]:
    keys = ("subject_kind", "department_id", "yellow_days", "escalate_days")
    return {k: text(form, k) for k in keys} | {"is_enabled": checked(form, "is_enabled")}


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, db: DB, manager: Manager) -> HTMLResponse:
    """The settings per kind and department, and the form for a department's own."""
    return render(request, "admin/warnings/settings.html", _settings_context(db, manager))


@router.post("/settings", response_class=HTMLResponse)
def create_setting(request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """A department's own setting (or a kind's default); refused input shows the page again, nothing saved."""
    values = _typed(form)
    on_error.show("admin/warnings/settings.html", lambda: _settings_context(db, manager, values))
    department_id = to_int(values["department_id"], "部门")
    setting = settings.save(db, manager, None, _setting_in(form, values["subject_kind"], department_id))
    flash(request, f"已保存{settings.setting_out(db, setting).department_name}的预警设置")
    return redirect("/admin/warnings/settings")


def _form_context(
    db: Session, manager: User, setting_id: int | None, kind: str, values: dict[str, Any]
) -> dict[str, Any]:
    stored = settings.get(db, manager, setting_id) if setting_id else None
    return {
        "setting": settings.setting_out(db, stored) if stored else None,
        "kind": kind,
        "kind_label": KIND_LABELS[settings.kind_of(kind)],
        "values": values,
        "max_days": settings.MAX_DAYS,
    }


@router.get("/settings/default/{kind}", response_class=HTMLResponse)
def default_form(kind: str, request: Request, db: DB, manager: Manager) -> HTMLResponse:
    """The form of a kind's default that is not stored yet (the built-in one is shown)."""
    built_in = DEFAULTS[settings.kind_of(kind)]
    values = {"yellow_days": built_in.yellow_days, "escalate_days": built_in.escalate_days, "is_enabled": True}
    return render(request, "admin/warnings/setting_form.html", _form_context(db, manager, None, kind, values))


@router.post("/settings/default/{kind}", response_class=HTMLResponse)
def save_default(kind: str, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """Stores a kind's default."""
    values = _typed(form)
    on_error.show("admin/warnings/setting_form.html", lambda: _form_context(db, manager, None, kind, values))
    settings.save(db, manager, None, _setting_in(form, kind, None))
    flash(request, f"已保存“{KIND_LABELS[SubjectKind(kind)]}”的默认预警设置")
    return redirect("/admin/warnings/settings")


@router.get("/settings/{setting_id:int}", response_class=HTMLResponse)
def setting_form(setting_id: int, request: Request, db: DB, manager: Manager) -> HTMLResponse:
    """The form of a stored setting."""
    stored = settings.get(db, manager, setting_id)
    values = {"yellow_days": stored.yellow_days, "escalate_days": stored.escalate_days, "is_enabled": stored.is_enabled}
    context = _form_context(db, manager, setting_id, stored.subject_kind, values)
    return render(request, "admin/warnings/setting_form.html", context)


@router.post("/settings/{setting_id:int}", response_class=HTMLResponse)
def save_setting(
    setting_id: int, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError
) -> Response:
    """Changes a stored setting; refused input shows the form again, nothing saved."""
    stored = settings.get(db, manager, setting_id)
    kind, department_id = stored.subject_kind, stored.department_id
    values = _typed(form)
    on_error.show("admin/warnings/setting_form.html", lambda: _form_context(db, manager, setting_id, kind, values))
    settings.save(db, manager, stored, _setting_in(form, kind, department_id))
    flash(request, "预警设置已保存，下一次扫描起生效")
    return redirect("/admin/warnings/settings")


@router.post("/settings/{setting_id:int}/delete", response_class=HTMLResponse)
def delete_setting(
    setting_id: int, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError
) -> Response:
    """Removes a department's own setting: it follows the default again."""
    on_error.redirect(f"/admin/warnings/settings/{setting_id}")
    settings.delete(db, manager, settings.get(db, manager, setting_id))
    flash(request, "已删除该部门的预警设置，今后按默认设置预警")
    return redirect("/admin/warnings/settings")
