"""Boards API (/api/v1/boards): the aggregate figures behind the 政务服务大厅 screen and the 领导端 board.

Every route only reads, through ``BoardDB``: today the primary database's read session; in production the read
replica (one line here, when the deployment's replica session dependency exists).
"""

from typing import Annotated

from fastapi import APIRouter, Query

from core.deps import CurrentUser, ReadDB
from core.figures import service
from core.figures.schemas import DepartmentsOut, HallOut, MajorProjectsOut, RatingsOut, SupervisionOut, TrendOut

BoardDB = ReadDB
"""Where the boards read: switch to the read replica's session dependency here, and only here."""

router = APIRouter(prefix="/boards", tags=["统计大屏"])


@router.get("/hall", response_model=HallOut, summary="政务服务大厅：今日收件、受理、办结，在办与逾期，好差评")
def hall(db: BoardDB, user: CurrentUser) -> HallOut:
    """Today's and this month's figures, open cases, busiest items and the latest conclusions (applicant masked)."""
    return service.hall(db, user)


@router.get("/trends", response_model=TrendOut, summary="领导端：按月趋势")
def trends(
    db: BoardDB, user: CurrentUser, months: Annotated[int, Query(ge=1, le=36)] = service.TREND_MONTHS
) -> TrendOut:
    """The last months' received, accepted, concluded, on-time, overdue and rated counts."""
    return service.trends(db, user, months=months)


@router.get("/departments", response_model=DepartmentsOut, summary="领导端：部门排名（考核结果）与本月办件")
def departments(db: BoardDB, user: CurrentUser) -> DepartmentsOut:
    """Departments in the order of the last published assessment, with this month's figures."""
    return service.departments(db, user)


@router.get("/major-projects", response_model=MajorProjectsOut, summary="领导端：重大项目分阶段与预警")
def major_projects(db: BoardDB, user: CurrentUser) -> MajorProjectsOut:
    """Tracked major projects by stage with their open warnings."""
    return service.major_projects(db, user)


@router.get("/supervision", response_model=SupervisionOut, summary="领导端：审管衔接认领率、反馈率")
def supervision(db: BoardDB, user: CurrentUser) -> SupervisionOut:
    """Pushes claimed and fed back, overall and per supervising department."""
    return service.supervision(db, user)


@router.get("/ratings", response_model=RatingsOut, summary="领导端：好差评与差评整改")
def ratings(db: BoardDB, user: CurrentUser) -> RatingsOut:
    """This month's ratings, the follow-up of bad ones, and the latest bad ratings."""
    return service.ratings(db, user)
