"""Conversation store: one conversation per person per channel, every message in and out, and the receipts
that make a message delivered three times produce one bot turn."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, created_at_column, updated_at_column
from core.org.models import User


class ConversationStatus(StrEnum):
    """Who answers the person now."""

    BOT = "bot"
    WAITING = "waiting"  # asked for a person, in the staff queue
    HUMAN = "human"  # a member of staff has taken it; the bot stays quiet
    CLOSED = "closed"  # the person finished; the next message goes to the bot again


STATUS_LABELS = {
    ConversationStatus.BOT: "智能客服",
    ConversationStatus.WAITING: "等待人工",
    ConversationStatus.HUMAN: "人工服务中",
    ConversationStatus.CLOSED: "人工服务已结束",
}
CHANNEL_LABELS = {"wechat": "微信公众号", "webchat": "网页咨询", "rest": "接口"}


class Conversation(Base):
    """A person on one channel (a WeChat openid, a web chat session, a REST sender) and who answers them."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "sender_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), comment="wechat / webchat / rest")
    sender_id: Mapped[str] = mapped_column(String(64), comment="openid, web chat session id or REST sender")
    status: Mapped[str] = mapped_column(String(12), default=ConversationStatus.BOT, index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    handoff_reason: Mapped[str] = mapped_column(String(200), default="")
    handoff_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_turns: Mapped[int] = mapped_column(Integer, default=0, comment="连续未能回答的轮数")
    unread_count: Mapped[int] = mapped_column(Integer, default=0, comment="转人工后工作人员未读的消息数")
    last_user_message_at: Mapped[datetime | None] = mapped_column(DateTime, comment="微信客服消息48小时窗口")
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    awaiting: Mapped[str] = mapped_column(
        String(16), default="", comment="机器人在等待的保密回答（query_code：查询密码），下一条消息脱敏保存"
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    assigned_to: Mapped[User | None] = relationship()  # loaded by the admin pages that show it

    @property
    def sender_key(self) -> str:
        """``<channel>:<sender_id>``, the sender name the bot knows the person by."""
        return f"{self.channel}:{self.sender_id}"


class MessageDirection(StrEnum):
    """From the person (in) or to the person (out)."""

    IN = "in"
    OUT = "out"


class MessageAuthor(StrEnum):
    """Who wrote a message."""

    USER = "user"
    BOT = "bot"
    STAFF = "staff"
    SYSTEM = "system"  # notices of the platform itself (hand-off started, ended, bot unavailable)


class ConversationMessage(Base):
    """One message of a conversation; buttons, links and files of an answer are kept in ``payload``."""

    __tablename__ = "conversation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    author: Mapped[str] = mapped_column(String(8))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    delivery_error: Mapped[str] = mapped_column(String(200), default="", comment="主动推送失败的原因")
    created_at: Mapped[datetime] = created_at_column()

    staff: Mapped[User | None] = relationship()


class ConversationCase(Base):
    """A case a conversation is about (the person named its number in it): the case's department may read the
    conversation. Conversations about no case go to the hand-off desk (导办台)."""

    __tablename__ = "conversation_case"
    __table_args__ = (UniqueConstraint("conversation_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()


class ReceiptStatus(StrEnum):
    """Where the bot turn of a received message stands."""

    PROCESSING = "processing"
    ANSWERED = "answered"
    BOT_DOWN = "bot_down"  # answered with an apology; answered properly when the bot is back


class MessageReceipt(Base):
    """A message as the channel delivered it, once: WeChat retries the same MsgId up to three times.

    Delivery bookkeeping, written with single statements (not through the ORM): the message itself is in
    ``conversation_message``, which the audit log records.
    """

    __tablename__ = "message_receipt"
    __table_args__ = (UniqueConstraint("channel", "dedup_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(128), comment="MsgId, or FromUserName:CreateTime for events")
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_message.id", ondelete="SET NULL"), comment="the recorded inbound message"
    )
    status: Mapped[str] = mapped_column(String(12), default=ReceiptStatus.PROCESSING, index=True)
    answer: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=1, comment="times the channel delivered it")
    delivery: Mapped[str | None] = mapped_column(String(8), comment="reply (in the callback's answer) / push")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)


class CardClickOutcome(StrEnum):
    """What became of a click on a WeCom decision card or warning card."""

    DECIDED = "decided"  # the case step was taken (at the click, or with the opinion replied afterwards)
    SIGNED = "signed"  # a warning was signed for (签收) from its card
    AWAITING_OPINION = "awaiting_opinion"  # 不同意 / 退回: the member's next text is the opinion
    CANCELLED = "cancelled"  # the member replied “取消”
    SUPERSEDED = "superseded"  # a later click of the same member awaits an opinion instead
    STALE = "stale"  # the case was no longer at the step the card was for, or the card was too old
    REFUSED = "refused"  # not bound, or no permission for the case
    FAILED = "failed"  # the case service refused the step (its message is in ``reason``)


class WeComCardClick(Base):
    """A click on a WeCom decision card, by whom, and what it did; while it awaits the opinion the member is to
    reply with, it is the pending decision that their next text message completes."""

    __tablename__ = "wecom_card_click"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(128), comment="卡片 task_id：c<办件>-e<事件>-u<用户>")
    choice: Mapped[str] = mapped_column(String(16), comment="agree / disagree / return")
    wecom_userid: Mapped[str] = mapped_column(String(64), index=True, comment="点击的企业微信成员 UserID")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, comment="卡片所对应的 case.decision_needed 事件")
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="", comment="未办理的原因")
    opinion: Mapped[str] = mapped_column(Text, default="")
    opinion_due_at: Mapped[datetime | None] = mapped_column(DateTime, comment="等待回复意见的截止时间")
    card_status: Mapped[str] = mapped_column(String(12), default="", comment="卡片更新：updated / failed / 空")
    card_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_at_column()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
