"""The outbox: one row per notification to one recipient through one channel, and its delivery record."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_at_column


class Channel(StrEnum):
    """How a notification reaches its recipient."""

    INBOX = "inbox"
    WECOM = "wecom"
    WECHAT = "wechat"


CHANNEL_LABELS = {Channel.INBOX: "站内消息", Channel.WECOM: "企业微信", Channel.WECHAT: "微信公众号"}


class Status(StrEnum):
    """Where a notification is on its way."""

    CREATED = "created"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


STATUS_LABELS = {
    Status.CREATED: "待发送",
    Status.SENDING: "发送中",
    Status.DELIVERED: "已送达",
    Status.FAILED: "失败",
}


class Notification(Base):
    """One message to one person through one channel, written in the transaction of the change it reports."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notification_user_id_channel", "user_id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(
        String(191), unique=True, comment="事件 + 接收人 + 渠道；同一事件不会两次通知同一人同一渠道"
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("domain_event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(48), index=True, comment="事件类型，如 case.accepted")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicant.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16), index=True, comment="inbox / wecom / wechat")
    address: Mapped[str] = mapped_column(String(90), default="", comment="企业微信 UserID 或公众号 openid")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="发给渠道的消息（每次重试原样发送）")
    status: Mapped[str] = mapped_column(String(12), default=Status.CREATED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    provider_msg_id: Mapped[str] = mapped_column(String(128), default="", comment="渠道返回的消息编号")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, comment="最早何时（再）发送")
    locked_until: Mapped[datetime | None] = mapped_column(
        DateTime, comment="发送中：租约到期时间；待发送：已排队任务的宽限期"
    )
    created_at: Mapped[datetime] = created_at_column()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime, comment="站内消息已读时间")
