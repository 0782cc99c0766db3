"""Admin site, supervision (审管衔接) reports: item comparison against another system's list, and statistics
with the Excel export."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from core.audit.context import acting
from core.deps import DB
from core.errors import ValidationFailed
from core.org.models import User
from core.supervision import comparison, service, stats
from web.admin_supervision import Reader, SupervisionManager, departments_seen
from web.common import Form, flash, redirect, render, text, to_date, to_int
from web.deps import OnError

router = APIRouter(prefix="/admin/supervision", include_in_schema=False)


# ---------------------------------------------------------------- item comparison


def _comparisons_context(db: Session, admin: User, source: str = "supervision") -> dict[str, Any]:
    return {
        "reports": comparison.list_comparisons(db, admin),
        "sources": comparison.SOURCE_LABELS,
        "source": source,
        "required": comparison.REQUIRED_COLUMNS,
        "optional": comparison.OPTIONAL_COLUMNS,
        "max_mb": comparison.MAX_BYTES // (1024 * 1024),
    }


@router.get("/comparisons", response_class=HTMLResponse)
def comparisons(request: Request, db: DB, admin: SupervisionManager) -> HTMLResponse:
    """The upload form and the stored reports."""
    return render(request, "admin/supervision/comparisons.html", _comparisons_context(db, admin))


@router.post("/comparisons", response_class=HTMLResponse)
def upload_comparison(request: Request, db: DB, form: Form, admin: SupervisionManager, on_error: OnError) -> Response:
    """Compares the uploaded list and opens its report; a refused workbook shows the reason."""
    source = text(form, "source")
    on_error.show("admin/supervision/comparisons.html", lambda: _comparisons_context(db, admin, source))
    chosen = form.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        raise ValidationFailed("请选择要比对的事项清单（.xlsx）", field="file")
    content = chosen.file.read(comparison.MAX_BYTES + 1)
    with acting(action="supervision.compare"):
        report = comparison.run(db, admin, filename=chosen.filename, content=content, source=source)
    flash(
        request,
        f"比对完成：仅我方有 {report.only_ours} 项，仅对方有 {report.only_theirs} 项，信息不一致 {report.differing} 项",
    )
    return redirect(f"/admin/supervision/comparisons/{report.id}")


@router.get("/comparisons/{comparison_id}", response_class=HTMLResponse)
def comparison_report(comparison_id: int, request: Request, db: DB, admin: SupervisionManager) -> HTMLResponse:
    """A stored report, field by field."""
    report = comparison.get_for(db, admin, comparison_id)
    context = {"report": report, "sources": comparison.SOURCE_LABELS, "kinds": comparison.KIND_LABELS}
    return render(request, "admin/supervision/comparison.html", context)


# ---------------------------------------------------------------- statistics


def _stats_filters(
    reader: User, date_from: str | None, date_to: str | None, department_id: str | None
) -> dict[str, Any]:
    return {
        "date_from": to_date(date_from, "开始日期"),
        "date_to": to_date(date_to, "结束日期"),
        "department_id": to_int(department_id, "部门") if service.sees_all(reader) else None,
    }


@router.get("/stats", response_class=HTMLResponse)
def statistics(
    request: Request,
    db: DB,
    reader: Reader,
    on_error: OnError,
    date_from: str | None = None,
    date_to: str | None = None,
    department_id: str | None = None,
) -> HTMLResponse:
    """Pushed, claimed, fed back and overdue by department, item and month, with the export link."""
    context: dict[str, Any] = {"stats": None, "departments": departments_seen(db, reader), "query": request.url.query}
    context["raw"] = {"date_from": date_from or "", "date_to": date_to or "", "department_id": department_id or ""}
    on_error.show("admin/supervision/stats.html", context)
    filters = _stats_filters(reader, date_from, date_to, department_id)
    context["stats"] = stats.statistics(db, reader, **filters)
    return render(request, "admin/supervision/stats.html", context)


@router.get("/stats.xlsx")
def statistics_excel(
    db: DB,
    reader: Reader,
    date_from: str | None = None,
    date_to: str | None = None,
    department_id: str | None = None,
) -> Response:
    """The same figures as a workbook."""
    filters = _stats_filters(reader, date_from, date_to, department_id)
    figures = stats.statistics(db, reader, **filters)
    content = stats.workbook(figures, stats.export_title(filters["date_from"], filters["date_to"]))
    headers = {"Content-Disposition": 'attachment; filename="supervision-statistics.xlsx"'}
    return Response(content, media_type=stats.XLSX, headers=headers)
