"""Admin site, the audit log (auditors only): who did what, when, in words, and its Excel export."""

from dataclasses import asdict, dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from core.audit import labels as audit_labels
from core.audit import service as audit_service
from core.audit.service import AuditFilter
from core.deps import DB
from core.org.models import User
from core.org.permissions import Permission
from web.common import page_number, render, to_date
from web.deps import OnError, staff_with

router = APIRouter(prefix="/admin", include_in_schema=False)

AUDIT_PAGE_SIZE = 50
Auditor = Annotated[User, Depends(staff_with(Permission.AUDIT_READ))]


@dataclass(frozen=True)
class AuditFilterForm:
    """The audit page's filter fields as typed (shown again in the form), from the query string."""

    actor: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    date_from: str = ""
    date_to: str = ""

    def parsed(self) -> AuditFilter:
        """The filter, with the dates checked (a Chinese error names the wrong one)."""
        return AuditFilter(
            self.actor,
            self.action,
            self.entity,
            self.entity_id,
            to_date(self.date_from, "开始日期"),
            to_date(self.date_to, "结束日期"),
        )


AuditFilterQuery = Annotated[AuditFilterForm, Depends()]


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    db: DB,
    auditor: Auditor,
    filters: AuditFilterQuery,
    on_error: OnError,
    page: str | None = None,
) -> HTMLResponse:
    """Who did what, when, in words: Chinese action names, people's names, values before and after, no hashes."""
    context: dict[str, Any] = {"filters": filters, "rows": [], "total": 0, "page": 1, "pages": 1}
    context["entities"] = sorted(audit_labels.ENTITY_NAMES.items(), key=lambda kv: kv[1])
    on_error.show("admin/audit.html", dict(context))
    number = page_number(page)
    rows, total = audit_service.search(db, filters.parsed(), page=number, page_size=AUDIT_PAGE_SIZE)
    context |= {
        "rows": audit_service.readable(db, rows),
        "total": total,
        "page": number,
        "pages": max(1, -(-total // AUDIT_PAGE_SIZE)),
        "export_query": urlencode({k: v for k, v in asdict(filters).items() if v}),
    }
    return render(request, "admin/audit.html", context)


@router.get("/audit/export.xlsx")
def audit_export(request: Request, db: DB, auditor: Auditor, filters: AuditFilterQuery) -> Response:
    """The filtered log as an Excel workbook for the auditor (the export is itself recorded)."""
    content = audit_service.export_workbook(db, filters.parsed())
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="audit-log.xlsx"', "Cache-Control": "no-store"},
    )
