"""Admin site, data exchange (exchange.manage, all scope): the counterparts with pause and resume, the exchange log
with resend, a quarantined record corrected field by field and replayed, the daily reconciliations with their
differences, and the data centre's export. Every action goes through core/exchange/service.py and is audited."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from core.deps import DB
from core.errors import ValidationFailed
from core.exchange import export, service
from core.exchange.enums import (
    COUNTERPART_LABELS,
    DIFF_LABELS,
    DIRECTION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    Direction,
    Status,
)
from core.exchange.standard import FIELDS
from core.org.models import User
from core.org.permissions import Permission
from web.common import Form, file_response, flash, page_number, redirect, render, text
from web.deps import OnError, staff_with

router = APIRouter(prefix="/admin/exchange", include_in_schema=False)

Manager = Annotated[User, Depends(staff_with(Permission.EXCHANGE_MANAGE))]

LABELS = {
    "COUNTERPART_LABELS": COUNTERPART_LABELS,
    "KIND_LABELS": KIND_LABELS,
    "STATUS_LABELS": STATUS_LABELS,
    "DIRECTION_LABELS": DIRECTION_LABELS,
    "DIFF_LABELS": DIFF_LABELS,
}


@router.get("", response_class=HTMLResponse)
def overview(request: Request, db: DB, manager: Manager) -> HTMLResponse:
    """Every counterpart: connected, paused, what it exchanges and when, its records by status."""
    return render(request, "admin/exchange/overview.html", {"counterparts": service.overview(db, manager), **LABELS})


@router.post("/{code}/pause", response_class=HTMLResponse)
def pause(code: str, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """Stops sending to a counterpart, with the reason."""
    on_error.redirect("/admin/exchange")
    service.pause(db, manager, code, reason=text(form, "reason"))
    flash(request, f"已暂停向“{COUNTERPART_LABELS.get(code, code)}”发送，记录将排队等待")  # type: ignore[call-overload]
    return redirect("/admin/exchange")


@router.post("/{code}/resume", response_class=HTMLResponse)
def resume(code: str, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """Sends again to a paused counterpart."""
    on_error.redirect("/admin/exchange")
    service.resume(db, manager, code)
    flash(request, f"已恢复向“{COUNTERPART_LABELS.get(code, code)}”发送")  # type: ignore[call-overload]
    return redirect("/admin/exchange")


@router.get("/records", response_class=HTMLResponse)
def records(
    request: Request,
    db: DB,
    manager: Manager,
    counterpart: str = "",
    status: str = "",
    kind: str = "",
    direction: str = "",
    local_id: str = "",
    page: str | None = None,
) -> HTMLResponse:
    """The exchange log, filtered."""
    filters = {"counterpart": counterpart, "status": status, "kind": kind, "direction": direction, "local_id": local_id}
    found = service.list_records(db, manager, page=page_number(page), **filters)
    context = {"found": found, "filters": filters, "page_size": service.PAGE_SIZE, **LABELS}
    return render(request, "admin/exchange/records.html", context)


def _record_context(db: DB, manager: User, record_id: int) -> dict[str, Any]:
    row = service.get(db, manager, record_id)
    fields = FIELDS.get(row.kind, ())
    known = {f.name for f in fields}
    rows = [(f.name, f.label, row.payload.get(f.name, "")) for f in fields]
    rows += [(name, "（规范之外的字段）", value) for name, value in row.payload.items() if name not in known]
    return {"row": row, "fields": rows, "problem_fields": {p["field"] for p in row.problems}, **LABELS}


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record(record_id: int, request: Request, db: DB, manager: Manager) -> HTMLResponse:
    """One record: its fields with their Chinese names, status, attempts, errors; resend or correct and replay."""
    return render(request, "admin/exchange/record.html", _record_context(db, manager, record_id))


@router.post("/records/{record_id}/resend", response_class=HTMLResponse)
def resend(record_id: int, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """Sends an outbound record again."""
    on_error.redirect(f"/admin/exchange/records/{record_id}")
    row = service.resend(db, manager, record_id)
    flash(request, f"记录 {row.local_id} 已重新排队发送（第 {row.version} 版）")
    return redirect(f"/admin/exchange/records/{record_id}")


@router.post("/records/{record_id}/replay", response_class=HTMLResponse)
def replay(record_id: int, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """Uses a quarantined record again with the fields as corrected on the page."""
    on_error.show("admin/exchange/record.html", lambda: _record_context(db, manager, record_id))
    row = service.get(db, manager, record_id)
    if row.direction != Direction.IN:
        raise ValidationFailed("只有接收的记录可以修正后重放")
    corrected = {name: text(form, f"f_{name}") for name in [*(f.name for f in FIELDS.get(row.kind, ())), *row.payload]}
    row = service.replay(db, manager, record_id, corrected={k: v for k, v in corrected.items() if v})
    if row.status == Status.QUARANTINED:
        flash(request, f"修正后仍未通过校验：{row.last_error}", "error")
    else:
        flash(request, f"已重放并处理：{row.outcome}")
    return redirect(f"/admin/exchange/records/{record_id}")


@router.get("/reconciliations", response_class=HTMLResponse)
def reconciliations(
    request: Request,
    db: DB,
    manager: Manager,
    counterpart: str = "",
    everything: Annotated[str, Query(alias="all")] = "",
) -> HTMLResponse:
    """The daily reconciliations; by default only the days and kinds that differ."""
    found = service.reconciliations(db, manager, counterpart=counterpart, only_differences=not everything)
    context = {"found": found, "filters": {"counterpart": counterpart, "all": everything}, **LABELS}
    return render(request, "admin/exchange/reconciliations.html", context)


@router.post("/reconciliations/{reconciliation_id}/resend", response_class=HTMLResponse)
def resend_differences(
    reconciliation_id: int, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError
) -> Response:
    """Resends the records the counterpart lacks or holds differently."""
    on_error.redirect("/admin/exchange/reconciliations")
    count = service.resend_differences(db, manager, reconciliation_id)
    flash(request, f"已重新排队发送 {count} 条记录，明日对账将再次核对")
    return redirect("/admin/exchange/reconciliations")


@router.get("/export")
def data_center_export(request: Request, db: DB, manager: Manager, since: str = "") -> Response:
    """The data centre's ZIP: everything, or what changed since the given day."""
    start = None
    if since:
        try:
            start = datetime.strptime(since, "%Y-%m-%d")
        except ValueError as exc:
            raise ValidationFailed("起始日期格式应为 年-月-日", field="since") from exc
    return file_response(export.export(db, manager, since=start), attachment=True)
