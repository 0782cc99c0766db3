"""Shapes of the notification API: the delivery list for admins, the caller's inbox and notification settings."""

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from core.org.models import User
from notifications.models import CHANNEL_LABELS, STATUS_LABELS, Channel, Notification, Status


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

    @classmethod
    def from_model(cls, row: Notification) -> Self:
        """A notification for the delivery list, its channel and status in words."""
        return cls(
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


class NotificationPage(BaseModel):
    """One page of the delivery list."""

    total: int
    items: list[NotificationOut]


class RetriedOut(BaseModel):
    """How many failed notifications were queued again."""

    retried: int


class InboxItem(BaseModel):
    """An in-site message."""

    model_config = ConfigDict(from_attributes=True)  # a notification's own columns: model_validate(row)

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

    @classmethod
    def from_model(cls, user: User) -> Self:
        """The user's addresses and chosen channels (the inbox when none were chosen)."""
        return cls(
            wecom_userid=user.wecom_userid or "",
            wechat_openid=user.wechat_openid or "",
            notify_channels=list(user.notify_channels or [Channel.INBOX.value]),
        )
