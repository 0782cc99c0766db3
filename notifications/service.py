"""Notifications as people see them: the delivery list and retries for admins, each person's inbox, and the
channels a person is reached through."""

import re

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.cases.models import Applicant
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import DataScope, Permission
from core.security import mask_name
from notifications import delivery, outbox
from notifications.models import CHANNEL_LABELS, STATUS_LABELS, Channel, Notification, Status

WECOM_USERID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_\-@.]{0,63}$")
"""WeCom's rule for a member's UserID: 1–64 bytes of letters, digits and _-@., starting with a letter or digit."""
WECHAT_OPENID = re.compile(r"^[0-9A-Za-z_\-]{20,64}$")
PAGE_LIMIT = 200


def _scoped(query: Select[Notification], manager: User) -> Select[Notification]:
    """A department-scoped manager sees the notifications of their department's staff only."""
    if manager.data_scope == DataScope.ALL:
        return query
    staff = select(User.id).where(User.department_id == (manager.department_id or -1))
    return query.where(Notification.user_id.in_(staff))


def _filters(status: str | None, channel: str | None, kind: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if status:
        if status not in set(Status):
            raise ValidationFailed(
                "状态应为：" + "、".join(f"{s}（{STATUS_LABELS[s]}）" for s in Status), field="status"
            )
        conditions.append(Notification.status == status)
    if channel:
        if channel not in set(Channel):
            raise ValidationFailed(
                "渠道应为：" + "、".join(f"{c}（{CHANNEL_LABELS[c]}）" for c in Channel), field="channel"
            )
        conditions.append(Notification.channel == channel)
    if kind:
        if len(kind) > 48:
            raise ValidationFailed("通知类型过长（最多48个字符）", field="kind")
        conditions.append(Notification.kind == kind)
    return conditions


def deliveries(
    db: Session,
    user: User | None,
    *,
    status: str | None = None,
    channel: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Notification], int]:
    """Notifications sent through WeCom and WeChat (and the inbox), newest first, with the total matching."""
    manager = org_service.require(user, Permission.NOTIFICATION_MANAGE)
    if not 1 <= limit <= PAGE_LIMIT or offset < 0:
        raise ValidationFailed(f"每页条数应在 1–{PAGE_LIMIT} 之间，偏移量不能为负", field="limit")
    query = _scoped(select(Notification).where(*_filters(status, channel, kind)), manager)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def recipient_names(db: Session, rows: list[Notification]) -> dict[int, str]:
    """Who each notification is for, by name (a member of staff in full, an applicant masked), by its id."""
    users = {r.user_id for r in rows if r.user_id}
    applicants = {r.applicant_id for r in rows if r.applicant_id}
    staff = {u.id: u.name for u in db.scalars(select(User).where(User.id.in_(users)))} if users else {}
    people: dict[int, str] = {}
    if applicants:
        found = db.execute(select(Applicant.id, Applicant.name).where(Applicant.id.in_(applicants)))
        people = {row_id: f"申请人 {mask_name(name)}" for row_id, name in found}
    return {r.id: staff.get(r.user_id or 0) or people.get(r.applicant_id or 0) or "（已删除的接收人）" for r in rows}


def kinds(db: Session) -> list[str]:
    """Event kinds that have notifications (for the filter)."""
    return sorted(db.scalars(select(Notification.kind).distinct()))


def _requeue(db: Session, row: Notification) -> None:
    row.status = Status.CREATED
    row.attempts = 0
    row.next_attempt_at = now()
    row.locked_until = delivery.queued_until(row.next_attempt_at)  # its task is handed over after commit


def retry(db: Session, user: User | None, notification_id: int) -> Notification:
    """Sends a failed notification again (a fresh set of attempts), after commit."""
    manager = org_service.require(user, Permission.NOTIFICATION_MANAGE)
    row = db.scalar(_scoped(select(Notification).where(Notification.id == notification_id), manager))
    if row is None:
        raise NotFound("通知不存在")
    if row.status != Status.FAILED:
        raise Conflict(f"只有发送失败的通知可以重发，这条通知{STATUS_LABELS[Status(row.status)]}")
    _requeue(db, row)
    db.flush()
    outbox.send_after_commit(db, [row.id])
    return row


def retry_failed(db: Session, user: User | None, *, channel: str | None = None, kind: str | None = None) -> int:
    """Sends every failed notification (of a channel or kind) again; returns how many."""
    manager = org_service.require(user, Permission.NOTIFICATION_MANAGE)
    query = select(Notification).where(Notification.status == Status.FAILED, *_filters(None, channel, kind))
    rows = list(db.scalars(_scoped(query, manager).order_by(Notification.id).limit(5000)))
    for row in rows:
        _requeue(db, row)
    db.flush()
    outbox.send_after_commit(db, [r.id for r in rows])
    return len(rows)


# ---------------------------------------------------------------- the inbox


def _own(user: User | None) -> User:
    if user is None:
        raise NotAuthenticated("请先登录")
    return user


def inbox(
    db: Session, user: User | None, *, unread_only: bool = False, limit: int = 100, offset: int = 0
) -> list[Notification]:
    """The person's in-site messages: unread first, newest first within each (a page from ``offset``)."""
    me = _own(user)
    query = select(Notification).where(Notification.user_id == me.id, Notification.channel == Channel.INBOX)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    order = (Notification.read_at.is_not(None), Notification.id.desc())
    page = query.order_by(*order).limit(max(1, min(limit, PAGE_LIMIT))).offset(max(0, offset))
    return list(db.scalars(page))


def inbox_count(db: Session, user: User) -> int:
    """How many in-site messages the person has, read or not (for the inbox's pages)."""
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.channel == Channel.INBOX
    )
    return db.scalar(query) or 0


def inbox_page(db: Session, user: User | None, *, page: int, page_size: int) -> tuple[list[Notification], int]:
    """One page of the person's in-site messages (unread first, newest first within each) and how many there are
    in all."""
    me = _own(user)
    if page < 1:
        raise ValidationFailed("页码应从 1 开始", field="page")
    return inbox(db, me, limit=page_size, offset=(page - 1) * page_size), inbox_count(db, me)


def unread_count(db: Session, user: User) -> int:
    """How many in-site messages the person has not read."""
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.channel == Channel.INBOX, Notification.read_at.is_(None)
    )
    return db.scalar(query) or 0


def mark_read(db: Session, user: User | None, notification_id: int) -> Notification:
    """Marks one of the person's own messages read (someone else's is "not found")."""
    me = _own(user)
    row = db.get(Notification, notification_id)
    if row is None or row.user_id != me.id or row.channel != Channel.INBOX:
        raise NotFound("消息不存在")
    if row.read_at is None:
        row.read_at = now()
        db.flush()
    return row


def mark_all_read(db: Session, user: User | None) -> int:
    """Marks all the person's messages read, however many pages they fill; returns how many were unread."""
    moment, count = now(), 0
    while rows := inbox(db, user, unread_only=True, limit=PAGE_LIMIT):
        for row in rows:
            row.read_at = moment
        db.flush()
        count += len(rows)
    return count


# ---------------------------------------------------------------- how a person is reached


def update_channels(
    db: Session, person: User, *, by: User, wecom_userid: str, wechat_openid: str, channels: list[str]
) -> User:
    """Checks and saves a person's WeCom UserID, WeChat openid and chosen channels (the inbox always).

    A channel chosen without its account bound is kept (it is the default for WeCom) and used once bound.
    Only an administrator (``org.manage``) binds accounts: a WeCom UserID decides whose permissions a card
    click runs with, so a member of staff who could bind a colleague's unbound UserID to themselves could
    then decide in the colleague's place. Everyone chooses their own channels."""
    wecom_userid, wechat_openid = wecom_userid.strip(), wechat_openid.strip()
    rebinding = (wecom_userid or None, wechat_openid or None) != (person.wecom_userid, person.wechat_openid)
    if rebinding and Permission.ORG_MANAGE not in by.permissions:
        raise PermissionDenied("企业微信账号和公众号 openid 由管理员绑定，如需变更请联系系统管理员")
    unknown = set(channels) - set(Channel)
    if unknown:
        raise ValidationFailed("通知渠道只能是站内消息、企业微信、微信公众号", field="notify_channels")
    if wecom_userid:
        if not person.is_staff:
            raise ValidationFailed("只有工作人员可以绑定企业微信账号", field="wecom_userid")
        if not WECOM_USERID.fullmatch(wecom_userid):
            raise ValidationFailed(
                "企业微信账号（UserID）格式不正确：1–64位字母、数字或 _-@. ，以字母或数字开头", field="wecom_userid"
            )
        taken = db.scalar(
            select(User.id).where(func.lower(User.wecom_userid) == wecom_userid.lower(), User.id != person.id)
        )
        if taken is not None:
            raise Conflict("该企业微信账号已绑定到其他用户，请核对后重试或联系管理员", field="wecom_userid")
    if wechat_openid and not WECHAT_OPENID.fullmatch(wechat_openid):
        raise ValidationFailed("微信 openid 格式不正确：20–64位字母、数字、下划线或短横线", field="wechat_openid")
    person.wecom_userid = wecom_userid or None
    person.wechat_openid = wechat_openid or None
    person.notify_channels = [c.value for c in Channel if c == Channel.INBOX or c in channels]
    db.flush()
    return person
