"""办件清单导出: the staff case list (/admin/cases) as an Excel workbook, with the filters on screen — the same
query (core/cases/queries.py ``filtered``), so the file holds what the list shows, within the user's scope. The
export is on record in the audit log (the rows carry applicants' names)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from core.cases import export
from core.cases.enums import STATUS_LABELS
from core.clock import now
from core.deps import DB
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.settings import get_settings
from web.common import to_int
from web.deps import staff_with

router = APIRouter(prefix="/admin", include_in_schema=False)
CaseReader = Annotated[User, Depends(staff_with(Permission.CASE_READ))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def conditions_text(db: DB, filters: dict[str, object]) -> str:
    """The filters in words, for the line under the title."""
    parts = []
    if filters["status"]:
        parts.append(f"状态：{STATUS_LABELS.get(str(filters['status']), filters['status'])}")
    if filters["time_state"]:
        parts.append(f"时限状态：{filters['time_state']}")
    if filters["department_id"]:
        names = {d.id: d.name for d in org_service.list_departments(db=db)}
        parts.append(f"部门：{names.get(int(str(filters['department_id'])), '')}")
    if filters["q"]:
        parts.append(f"办件编号含：{filters['q']}")
    return "筛选条件：" + ("；".join(parts) if parts else "全部办件（本人可查看的范围）")


@router.get("/cases.xlsx")
def cases_workbook(
    db: DB,
    staff: CaseReader,
    status: str | None = None,
    time_state: str | None = None,
    q: str | None = None,
    department_id: str | None = None,
) -> Response:
    """The list as shown with these filters, newest first (at most CASE_LIST_LIMIT rows)."""
    filters: dict[str, object] = {
        "status": status or None,
        "time_state": time_state or None,
        "q": q or None,
        "department_id": to_int(department_id, "部门"),
    }
    rows, total = export.case_list(db, staff, filters)
    at = now()
    title = f"{get_settings().centre_name} 办件清单（{at:%Y年%m月%d日 %H:%M} 导出，共 {total} 件"
    title += f"，仅含最新的 {len(rows)} 件）" if total > len(rows) else "）"
    content = export.case_list_workbook(rows, title, conditions_text(db, filters))
    name = quote(f"办件清单{at:%Y%m%d%H%M}.xlsx")
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=\"cases.xlsx\"; filename*=UTF-8''{name}"},
    )
