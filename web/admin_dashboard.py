"""Admin site, the 工作台: each member of staff sees their own work — cases for those who handle them, versions to
review or drafts for the knowledge base's people, department reviews and projects for the filing staff — and
nothing else (an editor is not shown case counters they cannot open)."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.calendar.service import TimeState
from core.cases import queries
from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.deps import DB
from core.org.models import User
from core.org.permissions import Permission
from core.projects import service as project_service
from core.projects.enums import DERIVED, DRAFT, IN_REVIEW
from knowledge import workflow
from notifications import service as inbox_service
from web.common import render
from web.deps import Staff

router = APIRouter(prefix="/admin", include_in_schema=False)

OPEN = [CaseStatus.PROCESSING, CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED]


@dataclass(frozen=True)
class Tile:
    """One counter of the 工作台, linking to where the work is."""

    label: str
    count: int
    link: str
    css: str = ""


def _case_tiles(db: Session, staff: User) -> list[Tile]:
    scoped = queries.scoped(select(Case), staff)

    def count(*conditions: Any) -> int:
        return db.scalar(select(func.count()).select_from(scoped.where(*conditions).subquery())) or 0

    return [
        Tile("待受理", count(Case.status == CaseStatus.SUBMITTED), "/admin/cases?status=submitted"),
        Tile("办理中", count(Case.status == CaseStatus.PROCESSING), "/admin/cases?status=processing"),
        Tile("补正中", count(Case.status == CaseStatus.SUPPLEMENTING), "/admin/cases?status=supplementing"),
        Tile("特别程序", count(Case.status == CaseStatus.SUSPENDED), "/admin/cases?status=suspended"),
        Tile(
            "预警",
            count(Case.time_state == TimeState.WARNING, Case.status.in_(OPEN)),
            "/admin/cases?time_state=预警",
            "warning",
        ),
        Tile(
            "逾期",
            count(Case.time_state == TimeState.OVERDUE, Case.status.in_(OPEN)),
            "/admin/cases?time_state=逾期",
            "overdue",
        ),
    ]


def _knowledge_tiles(db: Session, staff: User) -> list[Tile]:
    counts = workflow.work_counts(db, staff)
    names = {"review": "待我审核", "drafts": "我的草稿", "rejected": "被退回待修改", "pending": "我提交待审核"}
    return [Tile(names[key], n, "/admin/knowledge") for key, n in counts.items()]


def _filing_tiles(db: Session, staff: User) -> list[Tile]:
    tiles = []
    if Permission.PROJECT_REVIEW in staff.permissions:
        tiles.append(Tile("待本部门审核", len(project_service.list_reviews(db, staff)), "/admin/filing/reviews"))
    if Permission.PROJECT_GUIDE in staff.permissions:
        for status, label in ((DRAFT, "填报中的项目"), (DERIVED, "已推演待送审"), (IN_REVIEW, "部门审核中")):
            found = project_service.list_projects(db, staff, status=status)
            tiles.append(Tile(label, len(found), f"/admin/filing/projects?status={status}"))
    return tiles


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, db: DB, staff: Staff) -> HTMLResponse:
    """The counters of the work that waits for this member of staff, grouped by kind of work."""
    held = staff.permissions
    closed: frozenset[str] = getattr(request.state, "closed_modules", frozenset())  # modules off for all roles
    sections: list[tuple[str, list[Tile]]] = []
    if Permission.CASE_READ in held and "cases" not in closed:
        sections.append(("办件（数据范围内）", _case_tiles(db, staff)))
    if {Permission.KNOWLEDGE_EDIT, Permission.KNOWLEDGE_REVIEW} & held and "knowledge" not in closed:
        sections.append(("知识库", _knowledge_tiles(db, staff)))
    if {Permission.PROJECT_REVIEW, Permission.PROJECT_GUIDE} & held and "filing" not in closed:
        sections.append(("报建", _filing_tiles(db, staff)))
    unread = inbox_service.unread_count(db, staff)
    return render(request, "admin/dashboard.html", {"sections": sections, "unread": unread})
