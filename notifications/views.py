"""Notification API: delivery status and retries for admins, the caller's inbox and notification settings."""

from fastapi import APIRouter, Query

from core.deps import DB, CurrentUser, ReadDB
from core.errors import NotAuthenticated
from notifications import service
from notifications.schemas import InboxItem, InboxOut, NotificationOut, NotificationPage, NotifySettings, RetriedOut

router = APIRouter(tags=["通知"])


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
    return NotificationPage(total=total, items=[NotificationOut.from_model(r) for r in rows])


@router.post("/notifications/retry-failed", response_model=RetriedOut, summary="重发全部失败的通知")
def retry_failed(db: DB, user: CurrentUser, channel: str | None = None, kind: str | None = None) -> RetriedOut:
    """Queues every failed notification (optionally of one channel or kind) again."""
    return RetriedOut(retried=service.retry_failed(db, user, channel=channel, kind=kind))


@router.post("/notifications/{notification_id}/retry", response_model=NotificationOut, summary="重发失败的通知")
def retry(notification_id: int, db: DB, user: CurrentUser) -> NotificationOut:
    """Queues one failed notification again, with a fresh set of attempts."""
    return NotificationOut.from_model(service.retry(db, user, notification_id))


@router.get("/me/inbox", response_model=InboxOut, summary="我的站内消息")
def my_inbox(db: ReadDB, user: CurrentUser, unread_only: bool = False) -> InboxOut:
    """The caller's in-site messages, unread first."""
    rows = service.inbox(db, user, unread_only=unread_only)
    assert user is not None
    return InboxOut(
        unread=service.unread_count(db, user), items=[InboxItem.model_validate(r, from_attributes=True) for r in rows]
    )


@router.post("/me/inbox/{notification_id}/read", response_model=InboxItem, summary="标记消息已读")
def read(notification_id: int, db: DB, user: CurrentUser) -> InboxItem:
    """Marks one of the caller's messages read."""
    return InboxItem.model_validate(service.mark_read(db, user, notification_id))


def _settings(user: CurrentUser) -> NotifySettings:
    if user is None:
        raise NotAuthenticated("请先登录")
    return NotifySettings.from_model(user)


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
