"""Approval pushes: made when a licensed case concludes, claimed (认领), answered (监管反馈), read by scope.

Who sees a push: the receiving (supervising) department's handlers, the approving department's staff, and
whoever reaches every department (supervision.manage holders, all-scope roles). Only a handler of the
receiving department (supervision.handle) claims it and feeds back.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from core.cases.models import Case, Licence
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.files.models import StoredFile
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import DataScope, Permission
from core.supervision import events
from core.supervision.approval_result import holder_display, snapshot
from core.supervision.configs import for_item
from core.supervision.enums import CLAIMED as CLAIMED
from core.supervision.enums import FED_BACK as FED_BACK
from core.supervision.enums import PUSHED as PUSHED
from core.supervision.enums import STATUS_LABELS as STATUS_LABELS
from core.supervision.escalation import due_at, is_overdue, thresholds
from core.supervision.models import SupervisionEscalation, SupervisionFeedback, SupervisionPush
from core.supervision.schemas import (
    FeedbackIn,
    PushOut,
)

READER_PERMISSIONS = (Permission.SUPERVISION_HANDLE, Permission.SUPERVISION_MANAGE, Permission.STATS_READ)


# ---------------------------------------------------------------- pushing


def push_approval(db: Session, case: Case, licence: Licence) -> list[SupervisionPush]:
    """Sends the approval result of a case concluded with a licence to every department its item's active
    configuration names, in the caller's transaction; nothing when the item has no configuration."""
    config = for_item(db, case.service_item_id)
    if config is None or not config.is_active or not config.departments:
        return []
    db.flush()  # the licence gets its id
    at = now()
    claim_days, feedback_days = thresholds(config)
    result = snapshot(case, licence, config.fields)
    made = []
    for department in config.departments:
        push = SupervisionPush(
            case_id=case.id,
            licence_id=licence.id,
            service_item_id=case.service_item_id,
            approving_department_id=case.department_id,
            department_id=department.id,
            case_no=case.case_no,
            licence_no=licence.licence_no,
            holder_name=holder_display(case),
            result=[dict(f) for f in result],
            note=config.note,
            status=PUSHED,
            pushed_at=at,
            claim_days=claim_days,
            feedback_days=feedback_days,
            claim_due_at=due_at(at, claim_days),
            escalation_level=0,
            claimed_by_name="",
        )
        push.item, push.department, push.approving_department = case.item, department, case.department
        db.add(push)
        made.append(push)
    db.flush()
    for push in made:
        events.pushed(db, push)
    return made


# ---------------------------------------------------------------- reading


def sees_all(user: User) -> bool:
    """True for whoever reaches every department's pushes."""
    return Permission.SUPERVISION_MANAGE in user.permissions or user.data_scope == DataScope.ALL


def require_reader(user: User | None) -> User:
    """A user who may read the supervision lists; 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not any(p in user.permissions for p in READER_PERMISSIONS):
        raise PermissionDenied("您没有查看审管衔接信息的权限，如需开通请联系管理员")
    return user


def can_view(user: User, push: SupervisionPush) -> bool:
    """True when the user may read this push."""
    if sees_all(user) and any(p in user.permissions for p in (*READER_PERMISSIONS, Permission.CASE_READ)):
        return True
    if Permission.SUPERVISION_HANDLE in user.permissions and org_service.can_reach_department(
        user, {push.department_id}
    ):
        return True
    return Permission.CASE_READ in user.permissions and org_service.can_reach_department(
        user, {push.approving_department_id}
    )


def get(db: Session, push_id: int) -> SupervisionPush:
    """A push or NotFound."""
    push = db.get(SupervisionPush, push_id)
    if push is None:
        raise NotFound("审批推送不存在")
    return push


def get_to_handle(db: Session, user: User | None, push_id: int) -> SupervisionPush:
    """A push for a claim or feedback: 401/403 before 404, so that outsiders learn nothing of it."""
    org_service.require(user, Permission.SUPERVISION_HANDLE)
    return get(db, push_id)


def get_for(db: Session, user: User | None, push_id: int) -> SupervisionPush:
    """A push the user may read; 401/403/404 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    push = get(db, push_id)
    if not can_view(user, push):
        raise PermissionDenied("该推送不在您的数据权限范围内")
    return push


def scoped(query: Select[SupervisionPush], user: User) -> Select[SupervisionPush]:
    """Limits a push query to what the user reaches: all, or pushes received by their department."""
    if sees_all(user):
        return query
    return query.where(SupervisionPush.department_id == (user.department_id or -1))


@dataclass(frozen=True)
class PushFilter:
    """Filters of the push lists."""

    status: str | None = None
    department_id: int | None = None
    service_item_id: int | None = None
    overdue: bool | None = None
    date_from: date | None = None
    date_to: date | None = None


def overdue_condition() -> ColumnElement[bool]:
    """SQL: the push is past the threshold of what it waits for."""
    at = now()
    return or_(
        (SupervisionPush.status == PUSHED) & (SupervisionPush.claim_due_at < at),
        (SupervisionPush.status == CLAIMED) & (SupervisionPush.feedback_due_at < at),
    )


def _filtered(user: User, f: PushFilter) -> Select[SupervisionPush]:
    if f.status and f.status not in STATUS_LABELS:
        raise ValidationFailed("状态应为 pushed（待认领）、claimed（待反馈）或 fed_back（已反馈）", field="status")
    query = scoped(select(SupervisionPush), user)
    if f.status:
        query = query.where(SupervisionPush.status == f.status)
    if f.department_id:
        query = query.where(SupervisionPush.department_id == f.department_id)
    if f.service_item_id:
        query = query.where(SupervisionPush.service_item_id == f.service_item_id)
    if f.overdue is not None:
        condition = overdue_condition()
        query = query.where(condition if f.overdue else ~condition)
    return in_period(query, f.date_from, f.date_to)


def in_period(query: Select[SupervisionPush], date_from: date | None, date_to: date | None) -> Select[SupervisionPush]:
    """Limits a push query to pushes made between two days, both included."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("开始日期不能晚于结束日期", field="date_from")
    if date_from:
        query = query.where(SupervisionPush.pushed_at >= datetime.combine(date_from, time()))
    if date_to:
        query = query.where(SupervisionPush.pushed_at < datetime.combine(date_to + timedelta(days=1), time()))
    return query


def list_pushes(
    db: Session, user: User | None, f: PushFilter, *, page: int = 1, page_size: int = 20
) -> tuple[list[SupervisionPush], int]:
    """Pushes the user reaches, newest first, a page at a time, and how many there are."""
    reader = require_reader(user)
    if page < 1 or not 1 <= page_size <= 200:
        raise ValidationFailed("页码应从 1 开始，每页 1–200 条", field="page")
    query = _filtered(reader, f)
    total = _count(db, query)
    rows = db.scalars(
        query.order_by(SupervisionPush.pushed_at.desc(), SupervisionPush.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), total


def count_pushes(db: Session, user: User | None, f: PushFilter) -> int:
    """How many pushes the user reaches pass the filter: the same filter and scope as ``list_pushes``'s total."""
    return _count(db, _filtered(require_reader(user), f))


def _count(db: Session, query: Select[SupervisionPush]) -> int:
    return db.scalar(select(func.count()).select_from(query.subquery())) or 0


INBOX_TABS = {PUSHED: "待认领", CLAIMED: "待反馈", FED_BACK: "已反馈", "overdue": "逾期"}
"""The tabs of a department's inbox: the three statuses, and those waiting past their threshold."""


def inbox_filter(tab: str, *, department_id: int | None = None) -> PushFilter:
    """The filter of an inbox tab (``INBOX_TABS``), within one department or all the reader reaches."""
    if tab == "overdue":
        return PushFilter(department_id=department_id, overdue=True)
    return PushFilter(status=tab, department_id=department_id)


def inbox_counts(db: Session, user: User | None, *, department_id: int | None = None) -> dict[str, int]:
    """How many pushes each inbox tab holds for the user."""
    return {tab: count_pushes(db, user, inbox_filter(tab, department_id=department_id)) for tab in INBOX_TABS}


def list_escalations(
    db: Session, user: User | None, *, department_id: int | None = None, level: int | None = None, limit: int = 500
) -> list[SupervisionEscalation]:
    """Escalations the user reaches, newest first."""
    reader = require_reader(user)
    query = select(SupervisionEscalation).order_by(
        SupervisionEscalation.escalated_at.desc(), SupervisionEscalation.id.desc()
    )
    if not sees_all(reader):
        query = query.where(SupervisionEscalation.department_id == (reader.department_id or -1))
    if department_id:
        query = query.where(SupervisionEscalation.department_id == department_id)
    if level:
        query = query.where(SupervisionEscalation.level == level)
    return list(db.scalars(query.limit(limit)))


def overdue(push: SupervisionPush) -> bool:
    """True when the push waits past its threshold now."""
    return is_overdue(push, now())


# ---------------------------------------------------------------- claiming and feedback


def _lock(db: Session, push: SupervisionPush) -> None:
    """Re-reads the push under a row lock until the transaction ends: of two people claiming at once, the
    second waits and then sees the first's claim (MySQL; SQLite writers are serialised anyway)."""
    db.refresh(push, with_for_update=True)


def _require_receiver(user: User | None, push: SupervisionPush, doing: str) -> User:
    handler = org_service.require(user, Permission.SUPERVISION_HANDLE)
    if not org_service.can_reach_department(handler, {push.department_id}):
        raise PermissionDenied(f"该推送是发给“{push.department.name}”的，您不能{doing}")
    return handler


def claim(db: Session, user: User | None, push: SupervisionPush) -> SupervisionPush:
    """认领: the receiving department acknowledges the push; the feedback clock starts."""
    handler = _require_receiver(user, push, "认领")
    _lock(db, push)
    if push.status != PUSHED:
        who = f"（{push.claimed_by_name}，{push.claimed_at:%Y-%m-%d %H:%M}）" if push.claimed_at else ""
        raise Conflict(f"该推送已被认领{who}，无需重复认领", code="already_claimed")
    at = now()
    push.status = CLAIMED
    push.claimed_at = at
    push.claimed_by_id = handler.id
    push.claimed_by_name = handler.name
    push.feedback_due_at = due_at(at, push.feedback_days)
    push.escalation_level = 0  # a new wait begins
    db.flush()
    return push


def _attachments(db: Session, handler: User, ids: list[int]) -> list[int]:
    for file_id in dict.fromkeys(ids):
        stored = db.get(StoredFile, file_id)
        if stored is None or stored.uploaded_by_id != handler.id:
            raise ValidationFailed(f"附件 {file_id} 不存在或不是您上传的，请重新上传", field="attachment_ids")
    return list(dict.fromkeys(ids))


def _check_feedback(push: SupervisionPush, data: FeedbackIn) -> None:
    if data.inspected and data.inspected_on is None:
        raise ValidationFailed("已开展检查的，请填写检查日期", field="inspected_on")
    if data.inspected_on is not None:
        if not data.inspected:
            raise ValidationFailed("未开展检查的，不应填写检查日期", field="inspected_on")
        if data.inspected_on > now().date():
            raise ValidationFailed("检查日期不能晚于今天", field="inspected_on")
        if data.inspected_on < push.pushed_at.date():
            raise ValidationFailed(f"检查日期不能早于推送日期 {push.pushed_at:%Y-%m-%d}", field="inspected_on")
    if data.problems_found and len(data.problems.strip()) < 2:
        raise ValidationFailed("发现问题的，请写明发现的问题", field="problems")
    if data.problems_found and len(data.measures.strip()) < 2:
        raise ValidationFailed("发现问题的，请写明采取的措施", field="measures")
    if not data.inspected and len(data.measures.strip()) < 2:
        raise ValidationFailed("未开展检查的，请在“采取的措施”中说明监管安排", field="measures")


def check_feedback(user: User | None, push: SupervisionPush, data: FeedbackIn) -> User:
    """The handler who may feed back this push with these data; the Chinese reason why not otherwise."""
    handler = _require_receiver(user, push, "反馈监管结果")
    if push.status == PUSHED:
        raise Conflict("请先认领该推送，再反馈监管结果", code="not_claimed")
    if push.status == FED_BACK:
        raise Conflict("该推送已反馈监管结果，不能重复反馈", code="already_fed_back")
    _check_feedback(push, data)
    return handler


def give_feedback(db: Session, user: User | None, push: SupervisionPush, data: FeedbackIn) -> SupervisionPush:
    """监管反馈 after the claim; the result goes back to the approving department as an event."""
    _lock(db, push)
    handler = check_feedback(user, push, data)
    attachments = _attachments(db, handler, data.attachment_ids)
    at = now()
    push.feedback = SupervisionFeedback(
        inspected=data.inspected,
        inspected_on=data.inspected_on if data.inspected else None,
        problems_found=data.problems_found,
        problems=data.problems.strip() if data.problems_found else "",
        measures=data.measures.strip(),
        attachment_ids=attachments,
        handler_id=handler.id,
        handler_name=handler.name,
        created_at=at,
    )
    push.status = FED_BACK
    push.fed_back_at = at
    db.flush()
    events.fed_back(db, push)
    return push


# ---------------------------------------------------------------- shapes


def push_out(db: Session, push: SupervisionPush) -> PushOut:
    """A push as the API and the pages show it, with the files attached to its feedback."""
    files = [db.get(StoredFile, i) for i in push.feedback.attachment_ids] if push.feedback is not None else []
    return PushOut.from_model(push, attachments=[f for f in files if f is not None])
