"""Notification API: delivery status and retries for admins, the caller's inbox and notification settings."""

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from core.deps import DB, CurrentUser, ReadDB
from core.errors import NotAuthenticated
from notifications import service
from notifications.models import CHANNEL_LABELS, STATUS_LABELS, Channel, Notification, Status

router = APIRouter(tags=["通知"])


class NotificationOut(BaseModel):
    """A notification and its delivery record."""

    id: int
    event_id: int
    kind: str
    user_id: int | None
    applicant_id: int | None
    channel: str
    channel_label: str
    address: str
    title: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    provider_msg_id: str
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class NotificationPage(BaseModel):
    """One page of the delivery list."""

    total: int
    items: list[NotificationOut]


class RetriedOut(BaseModel):
    """How many failed notifications were queued again."""

    retried: int


class InboxItem(BaseModel):
    """An in-site message."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class InboxOut(BaseModel):
    """The caller's inbox, unread first."""

    unread: int
    items: list[InboxItem]


class NotifySettings(BaseModel):
    """How the caller is reached: WeCom UserID, WeChat openid, and the channels chosen (the inbox always)."""

    wecom_userid: str = Field(default="", max_length=64)
    wechat_openid: str = Field(default="", max_length=64)
    notify_channels: list[str] = Field(default_factory=lambda: [Channel.INBOX.value], max_length=3)


def notification_out(row: Notification) -> NotificationOut:
    """A notification for the delivery list."""
    return NotificationOut(
        id=row.id,
        event_id=row.event_id,
        kind=row.kind,
        user_id=row.user_id,
        applicant_id=row.applicant_id,
        channel=row.channel,
        channel_label=CHANNEL_LABELS[Channel(row.channel)],
        address=row.address,
        title=row.title,
        status=row.status,
        status_label=STATUS_LABELS[Status(row.status)],
        attempts=row.attempts,
        last_error=row.last_error,
        provider_msg_id=row.provider_msg_id,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def inbox_item(row: Notification) -> InboxItem:
    """A notification as an in-site message."""
    return InboxItem(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
    )


@router.get("/notifications", response_model=NotificationPage, summary="通知投递记录")
def list_notifications(
    db: ReadDB,
    user: CurrentUser,
    status: str | None = None,
    channel: str | None = None,
    kind: str | None = None,
    limit: int = Query(default=50),
    offset: int = Query(default=0),
) -> NotificationPage:
    """Every notification with its status, attempts, last error and provider msgid (notification.manage)."""
    rows, total = service.deliveries(db, user, status=status, channel=channel, kind=kind, limit=limit, offset=offset)
    return NotificationPage(total=total, items=[notification_out(r) for r in rows])


@router.post("/notifications/retry-failed", response_model=RetriedOut, summary="重发全部失败的通知")
def retry_failed(db: DB, user: CurrentUser, channel: str | None = None, kind: str | None = None) -> RetriedOut:
    """Queues every failed notification (optionally of one channel or kind) again."""
    return RetriedOut(retried=service.retry_failed(db, user, channel=channel, kind=kind))


@router.post("/notifications/{notification_id}/retry", response_model=NotificationOut, summary="重发失败的通知")
def retry(notification_id: int, db: DB, user: CurrentUser) -> NotificationOut:
    """Queues one failed notification again, with a fresh set of attempts."""
    return notification_out(service.retry(db, user, notification_id))


@router.get("/me/inbox", response_model=InboxOut, summary="我的站内消息")
def my_inbox(db: ReadDB, user: CurrentUser, unread_only: bool = False) -> InboxOut:
    """The caller's in-site messages, unread first."""
    rows = service.inbox(db, user, unread_only=unread_only)
    assert user is not None
    return InboxOut(unread=service.unread_count(db, user), items=[inbox_item(r) for r in rows])


@router.post("/me/inbox/{notification_id}/read", response_model=InboxItem, summary="标记消息已读")
def read(notification_id: int, db: DB, user: CurrentUser) -> InboxItem:
    """Marks one of the caller's messages read."""
    return inbox_item(service.mark_read(db, user, notification_id))


def _settings(user: CurrentUser) -> NotifySettings:
    if user is None:
        raise NotAuthenticated("请先登录")
    return NotifySettings(
        wecom_userid=user.wecom_userid or "",
        wechat_openid=user.wechat_openid or "",
        notify_channels=list(user.notify_channels or [Channel.INBOX.value]),
    )


@router.get("/me/notification-settings", response_model=NotifySettings, summary="我的通知设置")
def my_settings(user: CurrentUser) -> NotifySettings:
    """The caller's WeCom UserID, WeChat openid and chosen channels."""
    return _settings(user)


@router.put("/me/notification-settings", response_model=NotifySettings, summary="修改我的通知设置")
def change_my_settings(data: NotifySettings, db: DB, user: CurrentUser) -> NotifySettings:
    """Binds the caller's WeCom UserID / WeChat openid and chooses the channels (checked, unique)."""
    if user is None:
        raise NotAuthenticated("请先登录")
    service.update_channels(
        db,
        user,
        by=user,
        wecom_userid=data.wecom_userid,
        wechat_openid=data.wechat_openid,
        channels=data.notify_channels,
    )
    return _settings(user)
