"""办件统计 on the portal: figures by department and by month as ECharts charts (served from this app, see
web/vendor.py), with the same figures in tables below them — the tables are what a screen reader or a printout
reads, the charts what a visitor glances at."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from core.cases import queries
from core.cases.schemas import StatsRow, StatsTotals, grand_total, totals_by_department
from core.deps import ReplicaDB
from core.edge_cache import SHARED
from core.org import service as org_service
from web.common import WebUser, render, to_date, to_int
from web.deps import OnReplicaError
from web.vendor import vendor_url

router = APIRouter(include_in_schema=False)


def totals_by_month(rows: list[StatsRow]) -> list[tuple[str, StatsTotals]]:
    """All departments' figures summed per month, oldest month first."""
    months: dict[str, StatsTotals] = {}
    for row in rows:
        months.setdefault(row.month, StatsTotals()).add(row)
    return sorted(months.items())


def chart_data(
    departments: list[tuple[str, StatsTotals]], months: list[tuple[str, StatsTotals]], short_names: dict[str, str]
) -> dict[str, Any]:
    """What web/static/statistics.js draws: one series per figure, by department (named by its short name — the
    full names all begin with the same city and zone, which is all a phone's axis would show) and by month."""

    def series(pairs: list[tuple[str, StatsTotals]]) -> dict[str, list[Any]]:
        return {
            "names": [name for name, _ in pairs],
            "received": [t.received for _, t in pairs],
            "concluded": [t.concluded for _, t in pairs],
            "overdue": [t.overdue for _, t in pairs],
        }

    by_department = series(departments)
    by_department["names"] = [short_names.get(name) or name for name, _ in departments]
    by_month = series(months)
    by_month["names"] = [f"{m[:4]}年{int(m[5:7])}月" for m, _ in months]
    return {"departments": by_department, "months": by_month}


@router.get("/statistics", response_class=HTMLResponse, dependencies=[SHARED])
def statistics(
    request: Request,
    db: ReplicaDB,  # figures a moment behind the primary are fine: the replica serves them
    user: WebUser,
    on_error: OnReplicaError,
    date_from: str | None = None,
    date_to: str | None = None,
    department_id: str | None = None,
) -> HTMLResponse:
    """办件统计 by department and by month: charts, a summary per department and per month, and the detail."""
    choices = org_service.department_choices(db=db)
    context: dict[str, Any] = {
        "date_from": date_from or "",
        "date_to": date_to or "",
        "department_id": department_id or "",
        "department_choices": choices,
        "rows": [],
        "totals": None,
        "echarts_url": vendor_url("echarts.min.js"),
    }
    on_error.show("portal/statistics.html", dict(context))
    rows = queries.statistics(
        db,
        date_from=to_date(date_from, "开始日期"),
        date_to=to_date(date_to, "结束日期"),
        department_id=to_int(department_id, "部门"),
    )
    departments = sorted(totals_by_department(rows).items(), key=lambda kv: -kv[1].received)
    months = totals_by_month(rows)
    query = (("date_from", date_from), ("date_to", date_to), ("department_id", department_id))
    context.update(
        rows=rows,
        departments=departments,
        months=months,
        totals=grand_total(rows),
        charts=chart_data(departments, months, {d.name: d.short_name for d in choices}),
        export_query=urlencode({k: v for k, v in query if v}),
    )
    return render(request, "portal/statistics.html", context)
