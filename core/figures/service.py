"""The boards' reads: who may read them, how far (data scope), and the figures each board shows.

Readers hold ``stats.read``. An all-scope reader (中心领导, 系统管理员) sees every department; a department-scoped
one (审批人员) sees their own department only — every query below takes ``_scope``'s department, never one from the
request. The figures come from core/figures' tables; the other boards' small counts (major projects, warnings,
supervision pushes, ratings' follow-up) are indexed counts over tables far smaller than the cases.
"""

from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from core import cache
from core.assessment.models import Assessment, AssessmentResult
from core.cases.enums import CaseStatus
from core.cases.models import Applicant, Case
from core.clock import now, today
from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import LIVE
from core.errors import NotAuthenticated, PermissionDenied
from core.evaluation.enums import ANSWERED, BAD_LEVELS, LEVEL_LABELS, PENDING
from core.evaluation.models import Evaluation
from core.figures import windows as by_window
from core.figures.compute import COUNTS
from core.figures.models import (
    BOARDS,
    FigureDay,
    FigureFollowUp,
    FigureMonth,
    FigureOpen,
    FigurePush,
    FigureRun,
)
from core.figures.schemas import (
    BadRating,
    ConcludedCase,
    Counts,
    DepartmentRow,
    DepartmentsOut,
    DepartmentToday,
    HallOut,
    ItemCount,
    MajorProjectsOut,
    MonthRow,
    OpenCounts,
    RatedCounts,
    RatingsOut,
    StageRow,
    SupervisionOut,
    SupervisionRow,
    TrendOut,
    percent,
)
from core.guidance import today as today_bookings
from core.items.models import ServiceItem
from core.major_projects.enums import STAGE_LABELS
from core.major_projects.models import MajorProject, ProjectNode
from core.org.models import Department, User
from core.org.permissions import DataScope, Permission
from core.security import mask_name

S = TypeVar("S", bound=Select[*tuple[Any, ...]])
LIVE_LIST = 10
"""How many just-concluded cases (hall) and bad ratings (leaders) a board lists."""
TREND_MONTHS = 12
HALL_SECONDS = 10.0
"""How long one answer of the hall is reused. Every screen in the hall and every leader asks for the same figures
(each screen every 30 s): the figures change only when their refresh runs, which empties the cache
(core/figures/scheduled.py), as do the live lists when they change (a conclusion, a booking: core/figures/models.py);
reuse shows nothing older than the figures themselves but saves the nine queries of an answer (p95 77 ms at a
million cases on a busy MariaDB; bench/boards.py)."""

# ---------------------------------------------------------------- who may read, and how far


def require_reader(user: User | None) -> User:
    """A user who may read the boards; 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if Permission.STATS_READ not in user.permissions:
        raise PermissionDenied("您没有查看统计大屏的权限，如需开通请联系管理员")
    return user


def can_view(user: User | None) -> bool:
    """Whether the user may open the boards (the menu shows them only then)."""
    return user is not None and Permission.STATS_READ in user.permissions


def scope(user: User) -> int | None:
    """The one department a department-scoped reader sees (0, matching none, when they have no department);
    None for a reader of every department."""
    if user.data_scope == DataScope.ALL:
        return None
    return user.department_id or 0


def _within(query: S, column: Any, department: int | None) -> S:
    return query if department is None else query.where(column == department)


# ---------------------------------------------------------------- figures


def _sums(model: type[FigureDay] | type[FigureMonth]) -> list[Any]:
    return [func.coalesce(func.sum(getattr(model, name)), 0) for name in COUNTS]


def _counts(values: Any) -> Counts:
    return Counts(**dict(zip(COUNTS, map(int, values), strict=True)))


def _names(db: Session) -> dict[int, str]:
    rows = db.execute(select(Department.id, Department.short_name, Department.name))
    return {i: short or name for i, short, name in rows}


def refreshed_at(db: Session) -> Any:
    """When the figures were last refreshed (None before the first run)."""
    return db.scalar(select(FigureRun.finished_at).order_by(FigureRun.id.desc()).limit(1))


def _open_by_department(db: Session, department: int | None) -> dict[int, OpenCounts]:
    fields = ("waiting", "in_hand", "warning", "overdue")
    sums = [func.sum(getattr(FigureOpen, f)) for f in fields]
    query = _within(select(FigureOpen.department_id, *sums), FigureOpen.department_id, department)
    rows = db.execute(query.group_by(FigureOpen.department_id))
    return {d: OpenCounts(**dict(zip(fields, map(int, n), strict=True))) for d, *n in rows}


def _month_total(db: Session, month: date, department: int | None) -> Counts:
    query = _within(
        select(*_sums(FigureMonth)).where(FigureMonth.month == month), FigureMonth.department_id, department
    )
    return _counts(db.execute(query).one())


def hall(db: Session, user: User | None) -> HallOut:
    """政务服务大厅: today's figures by department, this month's, the open cases, the busiest items, the latest
    conclusions and today's bookings — one answer per data scope, reused for a few seconds (``HALL_SECONDS``)."""
    department = scope(require_reader(user))
    moment = now()
    key = ":".join(
        (
            "hall",
            "all" if department is None else str(department),
            moment.date().isoformat(),
            "pm" if moment.hour >= today_bookings.NOON else "am",  # the morning's bookings leave the list at noon
        )
    )
    return cache.cached(BOARDS, key, HallOut, lambda: _hall(db, department), ttl=HALL_SECONDS)


def _hall(db: Session, department: int | None) -> HallOut:
    day = today()
    by_department = _within(
        select(FigureDay.department_id, *_sums(FigureDay)).where(FigureDay.day == day),
        FigureDay.department_id,
        department,
    ).group_by(FigureDay.department_id)
    todays = {d: _counts(n) for d, *n in db.execute(by_department)}
    opened = _open_by_department(db, department)
    names = _names(db)
    total, open_total = Counts(), OpenCounts()
    for counts in todays.values():
        total = Counts(**{k: getattr(total, k) + getattr(counts, k) for k in COUNTS})
    for still_open in opened.values():
        open_total = OpenCounts(**{k: getattr(open_total, k) + v for k, v in still_open.model_dump().items()})
    rows = [
        DepartmentToday(
            department_id=d,
            name=names.get(d, ""),
            registered=todays.get(d, Counts()).registered,
            accepted=todays.get(d, Counts()).accepted,
            concluded=todays.get(d, Counts()).concluded,
            in_hand=opened.get(d, OpenCounts()).in_hand,
            overdue=opened.get(d, OpenCounts()).overdue,
        )
        for d in set(todays) | set(opened)
    ]
    rows.sort(key=lambda r: (-r.registered, -r.in_hand, r.name))
    return HallOut(
        day=day,
        refreshed_at=refreshed_at(db),
        today=RatedCounts.of(total),
        month=RatedCounts.of(_month_total(db, day.replace(day=1), department)),
        open=open_total,
        departments=rows,
        windows=by_window.today(db, day=day, department_id=department),
        busiest_items=_busiest(db, day.replace(day=1), department),
        just_concluded=_just_concluded(db, department),
        appointments=today_bookings.hall_day(db, day=day, department_id=department),
    )


def _busiest(db: Session, month: date, department: int | None, limit: int = 8) -> list[ItemCount]:
    """The items that received the most cases this month (a day's few would leave the morning's chart empty)."""
    received = func.sum(FigureMonth.registered)
    query = _within(
        select(FigureMonth.service_item_id, ServiceItem.name, received)
        .join(ServiceItem, ServiceItem.id == FigureMonth.service_item_id)
        .where(FigureMonth.month == month),
        FigureMonth.department_id,
        department,
    )
    query = query.group_by(FigureMonth.service_item_id, ServiceItem.name).having(received > 0)
    rows = db.execute(query.order_by(received.desc(), FigureMonth.service_item_id).limit(limit))
    return [ItemCount(service_item_id=i, name=name, count=int(n)) for i, name, n in rows]


def _just_concluded(db: Session, department: int | None) -> list[ConcludedCase]:
    """The latest conclusions, the applicant masked: first the ids of the newest ``concluded_at`` through their
    index (a few more than shown, as a refused case has one too), then those cases. Asked in one query with the
    status, both databases drove it from the status index and sorted every concluded case (1 s at a million)."""
    newest = _within(select(Case.id).where(Case.concluded_at.is_not(None)), Case.department_id, department)
    ids = list(db.scalars(newest.order_by(Case.concluded_at.desc()).limit(4 * LIVE_LIST)))
    query = (
        select(
            Case.case_no,
            ServiceItem.name,
            func.coalesce(func.nullif(Department.short_name, ""), Department.name),
            Applicant.name,
            Case.concluded_at,
        )
        .join(ServiceItem, ServiceItem.id == Case.service_item_id)
        .join(Department, Department.id == Case.department_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(Case.id.in_(ids or [0]), Case.status == CaseStatus.CONCLUDED)
    )
    rows = db.execute(query.order_by(Case.concluded_at.desc(), Case.id.desc()).limit(LIVE_LIST))
    return [
        ConcludedCase(
            case_no=no, service_item_name=item, department_name=dept, applicant_name=mask_name(who), concluded_at=at
        )
        for no, item, dept, who, at in rows
    ]


def trends(db: Session, user: User | None, *, months: int = TREND_MONTHS) -> TrendOut:
    """The last ``months`` months' figures, this month included, oldest first; a month without cases shows zeros."""
    department = scope(require_reader(user))
    first = today().replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    query = _within(
        select(FigureMonth.month, *_sums(FigureMonth)).where(FigureMonth.month >= first),
        FigureMonth.department_id,
        department,
    ).group_by(FigureMonth.month)
    found = {m: _counts(n) for m, *n in db.execute(query)}
    rows, month = [], first
    while month <= today():
        counts = RatedCounts.of(found.get(month, Counts()))
        rows.append(MonthRow(month=month, label=f"{month.year}年{month.month}月", **counts.model_dump()))
        month = (month + timedelta(days=32)).replace(day=1)
    return TrendOut(months=rows)


def _last_published(db: Session) -> Assessment | None:
    query = select(Assessment).where(Assessment.status == "published")
    return db.scalar(query.order_by(Assessment.period_start.desc(), Assessment.published_at.desc()).limit(1))


def departments(db: Session, user: User | None) -> DepartmentsOut:
    """Departments ranked by the last published assessment, with this month's figures and their open cases."""
    department = scope(require_reader(user))
    month = today().replace(day=1)
    query = _within(
        select(FigureMonth.department_id, *_sums(FigureMonth)).where(FigureMonth.month == month),
        FigureMonth.department_id,
        department,
    ).group_by(FigureMonth.department_id)
    figures = {d: _counts(n) for d, *n in db.execute(query)}
    opened = _open_by_department(db, department)
    assessment = _last_published(db)
    results: dict[int, AssessmentResult] = {}
    if assessment is not None:
        chosen = _within(
            select(AssessmentResult).where(AssessmentResult.assessment_id == assessment.id),
            AssessmentResult.department_id,
            department,
        )
        results = {r.department_id: r for r in db.scalars(chosen)}
    names = _names(db)
    rows = []
    for d in set(figures) | set(opened) | set(results):
        result = results.get(d)
        counts = RatedCounts.of(figures.get(d, Counts()))
        rows.append(
            DepartmentRow(
                department_id=d,
                name=names.get(d, ""),
                in_hand=opened.get(d, OpenCounts()).in_hand,
                overdue_now=opened.get(d, OpenCounts()).overdue,
                rank=result.rank if result else None,
                score=float(result.total) if result and result.total is not None else None,
                **counts.model_dump(),
            )
        )
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.registered, r.name))
    return DepartmentsOut(
        month=month,
        assessment_id=assessment.id if assessment else None,
        assessment_label=f"{assessment.period_label}{assessment.scheme_name}" if assessment else "",
        departments=rows,
    )


def _project_scope(department: int | None) -> list[ColumnElement[bool]]:
    if department is None:
        return []
    involved = exists().where(ProjectNode.major_project_id == MajorProject.id, ProjectNode.department_id == department)
    return [or_(MajorProject.lead_department_id == department, involved)]


def major_projects(db: Session, user: User | None) -> MajorProjectsOut:
    """Major projects being tracked by stage, and how many have an open red or yellow warning."""
    department = scope(require_reader(user))
    tracked = [MajorProject.status == "active", *_project_scope(department)]
    projects = dict(
        db.execute(select(MajorProject.stage, func.count()).where(*tracked).group_by(MajorProject.stage)).all()
    )
    live: list[ColumnElement[bool]] = [EarlyWarning.state.in_(LIVE), EarlyWarning.major_project_id.is_not(None)]
    if department is not None:
        live.append(EarlyWarning.department_id == department)
    warned = (
        select(MajorProject.stage, EarlyWarning.level, func.count(func.distinct(MajorProject.id)))
        .join(EarlyWarning, EarlyWarning.major_project_id == MajorProject.id)
        .where(*tracked, *live)
        .group_by(MajorProject.stage, EarlyWarning.level)
    )
    levels: dict[tuple[str, str], int] = {(s, lv): int(n) for s, lv, n in db.execute(warned)}
    counted = select(EarlyWarning.level, func.count()).where(*live).group_by(EarlyWarning.level)
    totals: dict[str, int] = {lv: int(n) for lv, n in db.execute(counted)}
    stages = [
        StageRow(
            stage=code,
            label=label,
            projects=int(projects.get(code, 0)),
            red=levels.get((code, "red"), 0),
            yellow=levels.get((code, "yellow"), 0),
        )
        for code, label in STAGE_LABELS.items()
    ]
    return MajorProjectsOut(stages=stages, red_warnings=totals.get("red", 0), yellow_warnings=totals.get("yellow", 0))


def supervision(db: Session, user: User | None) -> SupervisionOut:
    """Pushes made, claimed, fed back and escalated, overall and by supervising department (the refresh's counts;
    a department-scoped reader sees the pushes their department received or sent)."""
    department = scope(require_reader(user))
    query = select(
        FigurePush.department_id,
        func.sum(FigurePush.pushed),
        func.sum(FigurePush.claimed),
        func.sum(FigurePush.fed_back),
        func.sum(FigurePush.escalated),
    ).group_by(FigurePush.department_id)
    if department is not None:
        query = query.where(
            or_(FigurePush.department_id == department, FigurePush.approving_department_id == department)
        )
    names = _names(db)

    def row(dept: int, pushed: int, claimed: int, fed_back: int, late: int) -> SupervisionRow:
        return SupervisionRow(
            department_id=dept,
            name=names.get(dept, "合计"),
            pushed=pushed,
            claimed=claimed,
            fed_back=fed_back,
            escalated=late,
            claim_rate_pct=percent(claimed, pushed),
            feedback_rate_pct=percent(fed_back, pushed),
        )

    rows = [row(d, *(int(v or 0) for v in n)) for d, *n in db.execute(query)]
    rows.sort(key=lambda r: (-r.pushed, r.name))
    sums = [sum(getattr(r, f) for r in rows) for f in ("pushed", "claimed", "fed_back", "escalated")]
    return SupervisionOut(total=row(0, *sums), departments=rows)


def ratings(db: Session, user: User | None) -> RatingsOut:
    """This month's ratings, the bad ratings' follow-up (waiting, late, answered) and the latest bad ones."""
    department = scope(require_reader(user))
    month = _month_total(db, today().replace(day=1), department)
    bad: list[ColumnElement[bool]] = [Evaluation.level.in_(BAD_LEVELS)]
    if department is not None:
        bad.append(Evaluation.department_id == department)

    at = now()
    follow_ups = _within(
        select(
            func.coalesce(func.sum(FigureFollowUp.pending), 0),
            func.coalesce(func.sum(FigureFollowUp.overdue), 0),
            func.coalesce(func.sum(FigureFollowUp.answered), 0),
        ),
        FigureFollowUp.department_id,
        department,
    )
    waiting, overdue, answered = (int(n) for n in db.execute(follow_ups).one())
    query = (
        select(Evaluation, Case.case_no, ServiceItem.name, Department.name)
        .join(Case, Case.id == Evaluation.case_id)
        .join(ServiceItem, ServiceItem.id == Case.service_item_id)
        .join(Department, Department.id == Evaluation.department_id)
        .where(*bad)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(LIVE_LIST)
    )
    latest = [
        BadRating(
            case_id=e.case_id,
            case_no=no,
            service_item_name=item,
            department_name=dept,
            level_label=LEVEL_LABELS.get(e.level, ""),
            rated_at=e.created_at,
            follow_up_label="已答复" if e.follow_up_status == ANSWERED else "待回访整改",
            follow_up_overdue=e.follow_up_status == PENDING
            and e.follow_up_due_at is not None
            and e.follow_up_due_at < at,
        )
        for e, no, item, dept in db.execute(query)
    ]
    return RatingsOut(
        month=RatedCounts.of(month),
        follow_up_pending=waiting,
        follow_up_overdue=overdue,
        follow_up_answered=answered,
        latest_bad=latest,
    )
