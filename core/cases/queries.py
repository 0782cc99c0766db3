"""Reading cases: staff lists within their data scope, the citizen's progress query, publicity, statistics."""

from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, joinedload, lazyload

from core import rate_limit
from core.cases.enums import (
    STATUS_LABELS,
    CaseStatus,
)
from core.cases.models import Applicant, Case, JointTask
from core.cases.schemas import CaseSummary, Page, ProgressOut, PublicityRow, StatsRow
from core.cases.service import deadline
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
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows: Any = db.scalars(
        query.order_by(Case.submitted_at.desc(), Case.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return Page[CaseSummary](
        items=[CaseSummary.from_model(c) for c in rows], total=total, page=page, page_size=page_size
    )


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
    """办件公示: concluded cases, newest first, applicant names masked."""
    page, page_size = _page_bounds(page, page_size)
    query = select(Case).where(Case.status.in_([CaseStatus.CONCLUDED, CaseStatus.REFUSED]))
    if department_id:
        query = query.where(Case.department_id == department_id)
    if service_item_id:
        query = query.where(Case.service_item_id == service_item_id)
    query = _date_range(query, Case.concluded_at, date_from, date_to)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(
        query.order_by(Case.concluded_at.desc(), Case.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    items = [PublicityRow.from_model(c) for c in rows]
    return Page[PublicityRow](items=items, total=total, page=page, page_size=page_size)


def _month(column: Any, db: Session) -> Any:
    if db.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.date_format(column, "%Y-%m")


def statistics(
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
    rows: dict[tuple[int, str], dict[str, int]] = {}

    def counts(column: Any, *conditions: Any, late: bool = False) -> list[tuple[int, str, int, int]]:
        month = _month(column, db)
        late_count = func.sum(sql_case((Case.first_overdue_at.is_not(None), 1), else_=0))
        query = select(Case.department_id, month, func.count(), late_count).where(column.is_not(None), *conditions)
        if department_id:
            query = query.where(Case.department_id == department_id)
        query = _date_range(query, column, date_from, date_to).group_by(Case.department_id, month)
        return [(d, m, int(n), int(x or 0)) for d, m, n, x in db.execute(query)]

    def bucket(dept: int, month: str) -> dict[str, int]:
        return rows.setdefault((dept, month), {"received": 0, "concluded": 0, "on_time": 0, "overdue": 0})

    for dept, month, n, _ in counts(Case.submitted_at):
        bucket(dept, month)["received"] = n
    for dept, month, n, late in counts(Case.concluded_at, Case.status == CaseStatus.CONCLUDED):
        bucket(dept, month).update(concluded=n, on_time=n - late)
    for dept, month, n, _ in counts(Case.first_overdue_at):
        bucket(dept, month)["overdue"] = n
    names = {row[0]: row[1] for row in db.execute(select(Department.id, Department.name))}
    return [
        StatsRow(department_id=dept, department_name=names.get(dept, ""), month=month, **values)
        for (dept, month), values in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
