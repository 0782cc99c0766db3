"""Warnings read by scope and handled: 签收 (the responsible department), 处理 (reason, plan, promised date), 销警
(warning.manage). A warning the subject left by itself (ended) takes no more steps; each step is audited.

Who reads: holders of warning.handle, warning.manage, stats.read or major_project.read — all warnings with an
all-departments scope, their department's with a department scope. A value in the request (a department
filter) narrows the list; it never widens it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from core.audit.context import acting
from core.clock import now, today
from core.early_warnings.events import project_names
from core.early_warnings.models import EarlyWarning
from core.early_warnings.schemas import CloseIn, DepartmentCount, HandleIn, WarningOut, WarningSummary
from core.early_warnings.states import (
    CLOSED,
    ENDED,
    HANDLED,
    LEVEL_LABELS,
    LIVE,
    OPEN,
    RED,
    SIGNED,
    STATE_LABELS,
    YELLOW,
)
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import Department, User
from core.org.permissions import DataScope, Permission
from core.warning_settings.thresholds import SubjectKind

READERS = (Permission.WARNING_HANDLE, Permission.WARNING_MANAGE, Permission.STATS_READ, Permission.MAJOR_PROJECT_READ)
MAX_TEXT = 2000


# ---------------------------------------------------------------- who reads what


def require_reader(user: User | None) -> User:
    """A member of staff who may read warnings; 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not user.is_staff or not any(p in user.permissions for p in READERS):
        raise PermissionDenied("您没有查看项目预警的权限，如需开通请联系管理员")
    return user


def sees_all(user: User) -> bool:
    """True for whoever reaches every department's warnings."""
    return user.data_scope == DataScope.ALL


def can_view(user: User, warning: EarlyWarning) -> bool:
    """True when the user may read this warning."""
    if not user.is_staff or not any(p in user.permissions for p in READERS):
        return False
    return org_service.can_reach_department(user, {warning.department_id})


def scoped(query: Select[Any], user: User) -> Select[Any]:
    """Limits a warning query to the departments the user reaches."""
    if sees_all(user):
        return query
    if user.data_scope == DataScope.DEPARTMENT and user.department_id is not None:
        return query.where(EarlyWarning.department_id == user.department_id)
    return query.where(EarlyWarning.id == -1)


def get(db: Session, warning_id: int) -> EarlyWarning:
    """A warning or NotFound."""
    warning = db.get(EarlyWarning, warning_id)
    if warning is None:
        raise NotFound("预警不存在")
    return warning


def get_for(db: Session, user: User | None, warning_id: int) -> EarlyWarning:
    """A warning the user may read; 401/403 before 404, so that outsiders learn nothing of it."""
    reader = require_reader(user)
    warning = get(db, warning_id)
    if not can_view(reader, warning):
        raise PermissionDenied("该预警不在您的数据权限范围内")
    return warning


def get_to_handle(db: Session, user: User | None, warning_id: int) -> EarlyWarning:
    """A warning for 签收 or 处理: 401/403 before 404 (warning.handle)."""
    org_service.require(user, Permission.WARNING_HANDLE)
    return get(db, warning_id)


def get_to_close(db: Session, user: User | None, warning_id: int) -> EarlyWarning:
    """A warning for 销警: 401/403 before 404 (warning.manage)."""
    org_service.require(user, Permission.WARNING_MANAGE)
    return get(db, warning_id)


UNBOUND = "您的企业微信账号未绑定通办工作人员账号，请联系管理员在“用户管理”中绑定"


def bound_member(db: Session, wecom_userid: str) -> User | None:
    """The active staff account bound to a WeCom member, if any."""
    user = db.scalar(select(User).where(User.wecom_userid == wecom_userid))
    return user if user is not None and user.is_active and user.is_staff else None


def member_for(db: Session, caller: User, channel_user: str | None) -> User:
    """Whom a call is about: the caller, or the staff account bound to the WeCom member a service client speaks
    for (``wecom:<UserID>``; core/deps ``ChannelUser`` lets only service clients speak for one)."""
    if channel_user is None:
        return caller
    channel, _, userid = channel_user.partition(":")
    if channel != "wecom":
        raise PermissionDenied("只有绑定了企业微信的工作人员可以查询预警")
    member = bound_member(db, userid)
    if member is None:
        raise PermissionDenied(UNBOUND)
    return member


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class WarningFilter:
    """Filters of the warning lists (预警管理)."""

    level: str | None = None
    state: str | None = None
    department_id: int | None = None
    subject_kind: str | None = None
    major_project_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _check_filter(f: WarningFilter) -> None:
    if f.level and f.level not in LEVEL_LABELS:
        raise ValidationFailed("预警级别应为 yellow（黄色）或 red（红色）", field="level")
    if f.state and f.state not in STATE_LABELS and f.state != "live":
        choices = "、".join(f"{k}（{v}）" for k, v in STATE_LABELS.items())
        raise ValidationFailed(f"预警状态应为 live（未办结）、{choices}", field="state")
    if f.subject_kind and f.subject_kind not in {k.value for k in SubjectKind}:
        raise ValidationFailed("预警类型应为 case、node、milestone 或 issue", field="subject_kind")
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationFailed("开始日期不能晚于结束日期", field="date_from")


def filtered(user: User, f: WarningFilter) -> Select[Any]:
    """The warnings the user reaches that meet the filters (raised between the two days, both included)."""
    _check_filter(f)
    query = scoped(select(EarlyWarning), user)
    if f.level:
        query = query.where(EarlyWarning.level == f.level)
    if f.state == "live":
        query = query.where(EarlyWarning.state.in_(LIVE))
    elif f.state:
        query = query.where(EarlyWarning.state == f.state)
    if f.department_id:
        query = query.where(EarlyWarning.department_id == f.department_id)
    if f.subject_kind:
        query = query.where(EarlyWarning.subject_kind == f.subject_kind)
    if f.major_project_id:
        query = query.where(EarlyWarning.major_project_id == f.major_project_id)
    if f.date_from:
        query = query.where(EarlyWarning.raised_at >= datetime.combine(f.date_from, time()))
    if f.date_to:
        query = query.where(EarlyWarning.raised_at < datetime.combine(f.date_to + timedelta(days=1), time()))
    return query


def list_warnings(
    db: Session, user: User | None, f: WarningFilter, *, page: int = 1, page_size: int = 20
) -> tuple[list[EarlyWarning], int]:
    """Warnings the user reaches, newest first, a page at a time, and how many there are."""
    reader = require_reader(user)
    if page < 1 or not 1 <= page_size <= 200:
        raise ValidationFailed("页码应从 1 开始，每页 1–200 条", field="page")
    query = filtered(reader, f)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(
        query.order_by(EarlyWarning.raised_at.desc(), EarlyWarning.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), total


def counts_by_department(db: Session, user: User | None, f: WarningFilter) -> list[DepartmentCount]:
    """How many warnings each department has, by level and state (the filters apply)."""
    reader = require_reader(user)
    inner = filtered(reader, f).subquery()

    def count(condition: Any) -> Any:
        return func.sum(sql_case((condition, 1), else_=0))

    query = (
        select(
            inner.c.department_id,
            Department.name,
            func.count(),
            count(inner.c.level == YELLOW),
            count(inner.c.level == RED),
            count(inner.c.escalated_at.is_not(None)),
            *(count(inner.c.state == state) for state in (OPEN, SIGNED, HANDLED, CLOSED, ENDED)),
        )
        .join(Department, Department.id == inner.c.department_id)
        .group_by(inner.c.department_id, Department.name, Department.sort_order)
        .order_by(Department.sort_order, inner.c.department_id)
    )
    fields = ("total", "yellow", "red", "escalated", "open", "signed", "handled", "closed", "ended")
    return [
        DepartmentCount(
            department_id=row[0], department_name=row[1], **dict(zip(fields, map(int, row[2:]), strict=True))
        )
        for row in db.execute(query)
    ]


def history(db: Session, user: User | None, subject_kind: str, subject_id: int) -> list[EarlyWarning]:
    """Every warning of one subject the user reaches, oldest first (预警历史)."""
    reader = require_reader(user)
    if subject_kind not in {k.value for k in SubjectKind}:
        raise ValidationFailed("预警类型应为 case、node、milestone 或 issue", field="subject_kind")
    query = scoped(select(EarlyWarning), reader).where(
        EarlyWarning.subject_kind == subject_kind, EarlyWarning.subject_id == subject_id
    )
    return list(db.scalars(query.order_by(EarlyWarning.raised_at, EarlyWarning.id)))


def mine(db: Session, user: User | None) -> list[EarlyWarning]:
    """The caller's open warnings: their department's to sign for or to handle (warning.handle), and those
    handled and waiting to be closed (warning.manage); most urgent first."""
    if user is None:
        raise NotAuthenticated("请先登录")
    handles = Permission.WARNING_HANDLE in user.permissions
    manages = Permission.WARNING_MANAGE in user.permissions
    if not user.is_staff or not (handles or manages):
        raise PermissionDenied("您没有预警处理权限，没有需要您处理的预警")
    conditions: list[ColumnElement[bool]] = []
    if handles:
        conditions.append(EarlyWarning.state.in_((OPEN, SIGNED)))
    if manages:
        conditions.append(EarlyWarning.state == HANDLED)
    query = scoped(select(EarlyWarning), user).where(
        conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1]
    )
    order = (EarlyWarning.level != RED, EarlyWarning.due_on, EarlyWarning.id)
    return list(db.scalars(query.order_by(*order).limit(200)))


# ---------------------------------------------------------------- handling


def _lock(db: Session, warning: EarlyWarning) -> None:
    """Re-reads the warning under a row lock: of two people signing at once, the second sees the first."""
    db.refresh(warning, with_for_update=True)


def stale_reason(warning: EarlyWarning, doing: str) -> str:
    """Why the warning takes no ``doing`` in its state (empty when it does)."""
    if warning.state == ENDED:
        return f"该预警已于 {warning.ended_at:%Y-%m-%d %H:%M} 自动解除（{warning.end_reason}），无需{doing}"
    if warning.state == CLOSED:
        return f"该预警已于 {warning.closed_at:%Y-%m-%d %H:%M} 销警，无需{doing}"
    return ""


def _require_handler(user: User | None, warning: EarlyWarning, doing: str) -> User:
    handler = org_service.require(user, Permission.WARNING_HANDLE)
    if not org_service.can_reach_department(handler, {warning.department_id}):
        raise PermissionDenied(f"该预警的责任部门是“{warning.department.name}”，您不能{doing}")
    return handler


def check_sign(user: User | None, warning: EarlyWarning) -> User:
    """The handler who may sign for this warning now; the Chinese reason why not otherwise."""
    handler = _require_handler(user, warning, "签收")
    stale = stale_reason(warning, "签收")
    if stale:
        raise Conflict(stale, code="warning_finished")
    if warning.state != OPEN:
        raise Conflict(
            f"该预警已由{warning.signed_by_name}于 {warning.signed_at:%Y-%m-%d %H:%M} 签收，无需重复签收",
            code="already_signed",
        )
    return handler


def sign(db: Session, user: User | None, warning: EarlyWarning) -> EarlyWarning:
    """签收: the responsible department acknowledges the warning."""
    check_sign(user, warning)
    _lock(db, warning)
    handler = check_sign(user, warning)
    with acting(action="warning.sign"):
        warning.state = SIGNED
        warning.signed_at = now()
        warning.signed_by_id = handler.id
        warning.signed_by_name = handler.name
        db.flush()
    return warning


def _text(value: str, message: str, field: str) -> str:
    text = value.strip()
    if len(text) < 2:
        raise ValidationFailed(message, field=field)
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"内容不能超过 {MAX_TEXT} 字", field=field)
    return text


def handle(db: Session, user: User | None, warning: EarlyWarning, data: HandleIn) -> EarlyWarning:
    """处理: the reason, the plan and the new promised date (not before today); may be updated until closed."""
    _require_handler(user, warning, "填报处理情况")
    _lock(db, warning)
    handler = _require_handler(user, warning, "填报处理情况")
    stale = stale_reason(warning, "处理")
    if stale:
        raise Conflict(stale, code="warning_finished")
    if warning.state == OPEN:
        raise Conflict("请先签收该预警，再填报处理情况", code="not_signed")
    reason = _text(data.reason, "请填写预警原因", "reason")
    plan = _text(data.plan, "请填写处理措施", "plan")
    if data.promised_on is None:
        raise ValidationFailed("请填写承诺完成日期", field="promised_on")
    if data.promised_on < today():
        raise ValidationFailed(f"承诺完成日期不能早于今天（{today():%Y-%m-%d}）", field="promised_on")
    with acting(action="warning.handle"):
        warning.handling_reason, warning.handling_plan, warning.promised_on = reason, plan, data.promised_on
        warning.state = HANDLED
        warning.handled_at = now()
        warning.handled_by_id = handler.id
        db.flush()
    return warning


def close(db: Session, user: User | None, warning: EarlyWarning, data: CloseIn) -> EarlyWarning:
    """销警 (warning.manage) once the department recorded its handling."""
    manager = org_service.require(user, Permission.WARNING_MANAGE)
    if not org_service.can_reach_department(manager, {warning.department_id}):
        raise PermissionDenied(f"该预警的责任部门是“{warning.department.name}”，不在您的管理范围内")
    _lock(db, warning)
    stale = stale_reason(warning, "销警")
    if stale:
        raise Conflict(stale, code="warning_finished")
    if warning.state != HANDLED:
        raise Conflict("责任部门签收并填报处理情况后才能销警", code="not_handled")
    note = _text(data.note, "请填写销警说明", "note")
    with acting(action="warning.close"):
        warning.state = CLOSED
        warning.closing_note = note
        warning.closed_at = now()
        warning.closed_by_id = manager.id
        db.flush()
    return warning


def allowed_actions(user: User, warning: EarlyWarning) -> list[str]:
    """What the user may do with the warning now: sign, handle, close."""
    handler = Permission.WARNING_HANDLE in user.permissions and org_service.can_reach_department(
        user, {warning.department_id}
    )
    manager = Permission.WARNING_MANAGE in user.permissions and org_service.can_reach_department(
        user, {warning.department_id}
    )
    found = []
    if handler and warning.state == OPEN:
        found.append("sign")
    if handler and warning.state in (SIGNED, HANDLED):
        found.append("handle")
    if manager and warning.state == HANDLED:
        found.append("close")
    return found


# ---------------------------------------------------------------- shapes


def summaries(db: Session, warnings: list[EarlyWarning]) -> list[WarningSummary]:
    """List rows, with the projects' names read once."""
    names = project_names(db, {w.major_project_id for w in warnings})
    return [WarningSummary.from_model(w, project_name=names.get(w.major_project_id or 0, "")) for w in warnings]


def warning_out(db: Session, user: User, warning: EarlyWarning) -> WarningOut:
    """A warning with its handling, the caller's actions and the subject's history."""
    past = history(db, user, warning.subject_kind, warning.subject_id)
    [row] = summaries(db, [warning])
    return WarningOut(
        **row.model_dump(),
        handling_reason=warning.handling_reason,
        handling_plan=warning.handling_plan,
        closing_note=warning.closing_note,
        announced_at=warning.announced_at,
        allowed_actions=allowed_actions(user, warning),
        history=summaries(db, past),
    )
