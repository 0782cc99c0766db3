"""统计大屏: the 政务服务大厅 screen (1920×1080, dark, refreshing itself from /api/v1/boards/hall) and the 领导端 board
(trends, departments ranked by the assessment, major projects, 审管衔接, 好差评), for holders of ``stats.read`` — a
department-scoped reader sees their own department's figures (core/figures/service.py).

The leader board is rendered here from the core's services with the same figures in tables; each figure links to the
list behind it (the cases of a department, the projects of a stage, a supervising department's pushes, the statistics
of a month). The hall screen is a page of empty places that web/static/boards/hall.js fills and refreshes.
"""

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from core.deps import ReadDB
from core.figures import service
from core.figures.schemas import DepartmentsOut, MajorProjectsOut, RatingsOut, SupervisionOut, TrendOut
from core.org.models import User
from web.common import render
from web.deps import Staff
from web.vendor import vendor_url

router = APIRouter(prefix="/admin/boards", include_in_schema=False)

REFRESH_SECONDS = 30
"""How often the hall screen asks for new figures by default (``?refresh=`` changes it, from 2 to 600 seconds)."""


def board_reader(staff: Staff) -> User:
    """A member of staff who may read the boards (stats.read)."""
    return service.require_reader(staff)


Reader = Annotated[User, Depends(board_reader)]


def _seconds(raw: str | None) -> int:
    try:
        return min(max(int(raw or REFRESH_SECONDS), 2), 600)
    except ValueError:
        return REFRESH_SECONDS


@router.get("/hall", response_class=HTMLResponse)
def hall(request: Request, reader: Reader, refresh: str | None = None) -> HTMLResponse:
    """政务服务大厅: the screen; its figures come from the API, fetched again every ``refresh`` seconds."""
    context = {"refresh": _seconds(refresh), "echarts_url": vendor_url("echarts.min.js")}
    return render(request, "admin/boards/hall.html", context)


def _month_link(month: date) -> str:
    last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return "/statistics?" + urlencode({"date_from": month.isoformat(), "date_to": last.isoformat()})


def chart_data(
    trend: TrendOut, ranked: DepartmentsOut, projects: MajorProjectsOut, pushes: SupervisionOut, rated: RatingsOut
) -> dict[str, Any]:
    """What web/static/boards/leader.js draws, each point with the address of the list behind it. The ranking
    chart shows the departments the assessment scored (the table lists the others too)."""
    scored = [d for d in ranked.departments if d.score is not None]
    charted = scored if ranked.assessment_id is not None else ranked.departments
    return {
        "trend": {
            "names": [m.label for m in trend.months],
            "registered": [m.registered for m in trend.months],
            "concluded": [m.concluded for m in trend.months],
            "overdue": [m.overdue for m in trend.months],
            "links": [_month_link(m.month) for m in trend.months],
        },
        "departments": {
            "names": [d.name for d in charted],
            "scores": [d.score for d in charted],
            "registered": [d.registered for d in charted],
            "links": [f"/admin/cases?department_id={d.department_id}" for d in charted],
            "ranked": ranked.assessment_id is not None,
        },
        "stages": {
            "names": [s.label for s in projects.stages],
            "projects": [s.projects for s in projects.stages],
            "red": [s.red for s in projects.stages],
            "yellow": [s.yellow for s in projects.stages],
            "links": [f"/admin/major-projects?stage={s.stage}" for s in projects.stages],
        },
        "supervision": {
            "names": [r.name for r in pushes.departments],
            "pushed": [r.pushed for r in pushes.departments],
            "claimed": [r.claimed for r in pushes.departments],
            "fed_back": [r.fed_back for r in pushes.departments],
            "links": [f"/admin/supervision?tab=pushed&department_id={r.department_id}" for r in pushes.departments],
        },
        "ratings": {
            "good": rated.month.rating_good,
            "bad": rated.month.rating_bad,
            "neutral": 0,
        },
    }


@router.get("/leader", response_class=HTMLResponse)
def leader(request: Request, db: ReadDB, reader: Reader) -> HTMLResponse:
    """领导端: the figures a leader follows, each linking to its list."""
    trend = service.trends(db, reader)
    ranked = service.departments(db, reader)
    projects = service.major_projects(db, reader)
    pushes = service.supervision(db, reader)
    rated = service.ratings(db, reader)
    context = {
        "trend": trend,
        "ranked": ranked,
        "projects": projects,
        "pushes": pushes,
        "rated": rated,
        "month_links": {m.month: _month_link(m.month) for m in trend.months},
        "department_scope": service.scope(reader) is not None,
        "charts": chart_data(trend, ranked, projects, pushes, rated),
        "echarts_url": vendor_url("echarts.min.js"),
    }
    return render(request, "admin/boards/leader.html", context)
