"""Reading cases: staff lists within their data scope, the citizen's progress query, publicity, statistics."""

from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, literal, or_, select, union_all
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, joinedload, lazyload

from core import cache, rate_limit
from core.cases.enums import (
    STATUS_LABELS,
    CaseStatus,
)
from core.cases.models import Applicant, Case, JointTask
from core.cases.schemas import CaseSummary, Page, ProgressOut, PublicityRow, StatsRow
from core.cases.service import deadline
from core.clock import today
from core.errors import NotFound, ValidationFailed
from core.items.models import ServiceItem
from core.org.models import Department, User
from core.org.permissions import DataScope, Permission
from core.security import constant_time_equal, keyed_hash

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
MAX_PAGE_SIZE = 100
WRONG_CREDENTIALS = "办件编号或查询密码不正确，请核对受理通知书上的信息"


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise ValidationFailed("页码应从 1 开始", field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"每页条数应在 1–{MAX_PAGE_SIZE} 之间", field="page_size")
    return page, page_size


def _date_range(query: Q, column: Any, start: date | None, end: date | None) -> Q:
    if start and end and start > end:
        raise ValidationFailed("开始日期不能晚于结束日期", field="date_from")
    if start:
        query = query.where(column >= datetime.combine(start, time()))
    if end:
        query = query.where(column < datetime.combine(end + timedelta(days=1), time()))
    return query


def scoped(query: Q, user: User) -> Q:
    """Limits a case query to what the user may see."""
    if Permission.CASE_READ in user.permissions:
        if user.data_scope == DataScope.ALL:
            return query
        if user.data_scope == DataScope.DEPARTMENT and user.department_id is not None:
            joint = select(JointTask.case_id).where(JointTask.department_id == user.department_id)
            return query.where(or_(Case.department_id == user.department_id, Case.id.in_(joint)))
    return query.where(Case.owner_user_id == user.id)


def filtered(
    query: Q,
    user: User,
    *,
    status: str | None = None,
    time_state: str | None = None,
    department_id: int | None = None,
    service_item_id: int | None = None,
    q: str | None = None,
) -> Q:
    """A case query limited to the user's scope and the list's filters (the list and its Excel export share it:
    a filter narrows the scope, never widens it)."""
    query = scoped(query, user)
    if status:
        if status not in STATUS_LABELS:
            raise ValidationFailed(f"状态应为：{'、'.join(STATUS_LABELS)}", field="status")
        query = query.where(Case.status == status)
    if time_state:
        query = query.where(
            Case.time_state == time_state, Case.status.in_(["processing", "supplementing", "suspended"])
        )
    if department_id:
        query = query.where(Case.department_id == department_id)
    if service_item_id:
        query = query.where(Case.service_item_id == service_item_id)
    if q and q.strip():
        query = query.where(Case.case_no.like(f"%{q.strip().upper()}%"))
    return query


def list_cases(
    db: Session,
    user: User,
    *,
    status: str | None = None,
    time_state: str | None = None,
    department_id: int | None = None,
    service_item_id: int | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[CaseSummary]:
    """Cases the user may see, newest first, with filters."""
    page, page_size = _page_bounds(page, page_size)
    query = filtered(
        select(Case),
        user,
        status=status,
        time_state=time_state,
        department_id=department_id,
        service_item_id=service_item_id,
        q=q,
    )
    total = _count(db, query)
    order = (Case.submitted_at.desc(), Case.id.desc())
    rows = _page_of(db, query, order, page, page_size)
    return Page[CaseSummary](
        items=[CaseSummary.from_model(c) for c in rows], total=total, page=page, page_size=page_size
    )


def _count(db: Session, query: Select[Any]) -> int:
    """How many cases ``query`` finds, counting ids only (a count over the whole entity made SQLite carry every
    column of 100,000 rows)."""
    ids = query.with_only_columns(Case.id).order_by(None)
    return db.scalar(select(func.count()).select_from(ids.subquery())) or 0


def _page_of(db: Session, query: Select[Any], order: tuple[Any, ...], page: int, size: int) -> list[Case]:
    """One page of ``query``'s cases with what a list row shows (item, department, applicant's name).

    Two steps: the page's ids are sorted from the case table alone (an index, or a sort of two columns), then
    only those rows are loaded. Sorting the query with its eager joins sorted every matching row together with
    its item, department and applicant (0.9 s at 100,000 cases); the collections (steps, materials …) a list
    never shows are not loaded at all."""
    ids = list(db.scalars(query.with_only_columns(Case.id).order_by(*order).offset((page - 1) * size).limit(size)))
    if not ids:
        return []
    rows = db.scalars(
        select(Case)
        .where(Case.id.in_(ids))
        .options(
            lazyload("*"),
            joinedload(Case.item).load_only(ServiceItem.name).lazyload("*"),
            joinedload(Case.department).load_only(Department.name, Department.short_name),
            joinedload(Case.applicant).load_only(Applicant.name),
        )
    )
    by_id = {c.id: c for c in rows}
    return [by_id[i] for i in ids if i in by_id]


def progress(db: Session, case_no: str, query_code: str) -> ProgressOut:
    """The public progress of a case; unknown number and wrong password get the same answer."""
    case = db.scalar(
        select(Case)
        .where(Case.case_no == case_no.strip().upper())
        .options(  # only what the answer shows: no materials, joint tasks, guide or decrypted ID numbers
            lazyload(Case.materials),
            lazyload(Case.joint_tasks),
            joinedload(Case.item).lazyload(ServiceItem.materials),
            joinedload(Case.applicant).load_only(Applicant.name),
        )
    )
    expected = case.query_code_hash if case and case.query_code_hash else keyed_hash("-")
    if case is None or not constant_time_equal(expected, keyed_hash(query_code.strip())):
        raise NotFound(WRONG_CREDENTIALS, code="wrong_case_or_code")
    return progress_view(case)


def guarded_progress(db: Session, case_no: str, query_code: str, *, client: str) -> ProgressOut:
    """The progress query as every channel must run it: limited per address (all attempts) and per address and
    case number (failed attempts); many failures on one case from anywhere slow its queries down instead of
    locking it, so that the applicant with the right password still gets in (case numbers are public)."""
    rate_limit.guard_progress(client, case_no.strip().upper())
    try:
        return progress(db, case_no, query_code)
    except NotFound:
        rate_limit.progress_failed(client, case_no.strip().upper())
        raise


def progress_view(case: Case) -> ProgressOut:
    """What an applicant may see of their own case (the case already found and checked), with its deadline."""
    return ProgressOut.from_model(case, due=deadline(case))


def publicity(
    db: Session,
    *,
    department_id: int | None = None,
    service_item_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[PublicityRow]:
    """办件公示: concluded cases, newest first, applicant names masked. Cached (core/cache.py): a concluded or
    refused case written empties it (core/cases/models.py watches), so a conclusion shows at once."""
    page, page_size = _page_bounds(page, page_size)
    key = f"{department_id}:{service_item_id}:{date_from}:{date_to}:{page}:{page_size}"
    return cache.cached(
        "publicity",
        key,
        Page[PublicityRow],
        lambda: _publicity(db, department_id, service_item_id, date_from, date_to, page, page_size),
    )


def _publicity(
    db: Session,
    department_id: int | None,
    service_item_id: int | None,
    date_from: date | None,
    date_to: date | None,
    page: int,
    page_size: int,
) -> Page[PublicityRow]:
    query = select(Case).where(Case.status.in_([CaseStatus.CONCLUDED, CaseStatus.REFUSED]))
    if department_id:
        query = query.where(Case.department_id == department_id)
    if service_item_id:
        query = query.where(Case.service_item_id == service_item_id)
    query = _date_range(query, Case.concluded_at, date_from, date_to)
    total = _count(db, query)
    rows = _page_of(db, query, (Case.concluded_at.desc(), Case.id.desc()), page, page_size)
    items = [PublicityRow.from_model(c) for c in rows]
    return Page[PublicityRow](items=items, total=total, page=page, page_size=page_size)


def _month(column: Any, db: Session) -> Any:
    if db.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 7)  # stored as "YYYY-MM-DD HH:MM:SS": a quarter cheaper than strftime
    return func.date_format(column, "%Y-%m")


def statistics(
    db: Session,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    department_id: int | None = None,
) -> list[StatsRow]:
    """办件统计 by department and month (see ``_statistics``). Only the current month's figures change as cases
    are handled (received, concluded and overdue all count in the month it happens), so the months before it
    are cached (core/cache.py; emptied when a write touches a case's earlier months: core/cases/models.py) and
    the current month is counted live."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("开始日期不能晚于结束日期", field="date_from")
    first = today().replace(day=1)
    rows: list[StatsRow] = []
    if date_from is None or date_from < first:
        end = date_to if date_to is not None and date_to < first else first - timedelta(days=1)
        rows += cache.cached(
            "statistics",
            f"{date_from}:{end}:{department_id}",
            list[StatsRow],
            lambda: _statistics(db, date_from=date_from, date_to=end, department_id=department_id),
        )
    if date_to is None or date_to >= first:
        start = max(date_from, first) if date_from else first
        rows += _statistics(db, date_from=start, date_to=date_to, department_id=department_id)
    return sorted(rows, key=lambda r: (r.month, r.department_id))


def _statistics(
    db: Session,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    department_id: int | None = None,
) -> list[StatsRow]:
    """办件统计 by department and month: received (month of submission), concluded and on time (month of
    conclusion; on time = concluded without ever passing the limit), overdue (month the limit was passed,
    concluded or not)."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("开始日期不能晚于结束日期", field="date_from")
    late = sql_case((Case.first_overdue_at.is_not(None), 1), else_=0)

    def part(kind: str, column: Any, late_value: Any, *conditions: Any) -> Select[Any]:
        month = _month(column, db)
        query = select(literal(kind).label("kind"), Case.department_id, month.label("month"), late_value.label("late"))
        query = query.where(column.is_not(None), *conditions)
        if department_id:
            query = query.where(Case.department_id == department_id)
        return _date_range(query, column, date_from, date_to)

    # One statement, one grouping: each case contributes a row per figure it counts in (received in its month of
    # submission, concluded in its month of conclusion, overdue in the month it passed its limit); the three
    # scans read the covering indexes of migration 0026, not the case rows.
    parts = union_all(
        part("received", Case.submitted_at, literal(0)),
        part("concluded", Case.concluded_at, late, Case.status == CaseStatus.CONCLUDED),
        part("overdue", Case.first_overdue_at, literal(0)),
    ).subquery()
    grouped = select(parts.c.kind, parts.c.department_id, parts.c.month, func.count(), func.sum(parts.c.late))
    grouped = grouped.group_by(parts.c.kind, parts.c.department_id, parts.c.month)
    rows: dict[tuple[int, str], dict[str, int]] = {}
    for kind, dept, month, n, late_count in db.execute(grouped):
        values = rows.setdefault((dept, month), {"received": 0, "concluded": 0, "on_time": 0, "overdue": 0})
        values[kind] = int(n)
        if kind == "concluded":
            values["on_time"] = int(n) - int(late_count or 0)
    names = {row[0]: row[1] for row in db.execute(select(Department.id, Department.name))}
    return [
        StatsRow(department_id=dept, department_name=names.get(dept, ""), month=month, **values)
        for (dept, month), values in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
