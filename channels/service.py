"""The conversation store: conversations, their messages and the hand-off queue (plain data access)."""

from typing import Any

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from channels.messages import OutboundMessage
from channels.models import (
    Conversation,
    ConversationMessage,
    ConversationStatus,
    MessageAuthor,
    MessageDirection,
)
from core.clock import now
from core.errors import Conflict
from core.org.models import User

QUIET = (ConversationStatus.WAITING, ConversationStatus.HUMAN)
"""While a person is waiting for staff or talking to them, the bot stays quiet."""


def get(*, db: Session, conversation_id: int) -> Conversation | None:
    """Returns a conversation by its id."""
    return db.get(Conversation, conversation_id)


def find(*, db: Session, channel: str, sender_id: str) -> Conversation | None:
    """Returns the conversation of a person on a channel, if they ever wrote."""
    return db.scalar(select(Conversation).where(Conversation.channel == channel, Conversation.sender_id == sender_id))


def get_or_create(*, db: Session, channel: str, sender_id: str) -> Conversation:
    """Returns the person's conversation, starting one on their first message."""
    conversation = find(db=db, channel=channel, sender_id=sender_id)
    if conversation is not None:
        return conversation
    try:
        with db.begin_nested():  # two first messages at once: the second finds the first's row
            conversation = Conversation(
                channel=channel,
                sender_id=sender_id,
                status=ConversationStatus.BOT,
                handoff_reason="",
                failed_turns=0,
                unread_count=0,
                last_activity_at=now(),
            )
            db.add(conversation)
            db.flush()
    except IntegrityError:
        # a locking read: on MySQL a plain one would still see the snapshot from before the other insert
        found = db.scalar(
            select(Conversation)
            .where(Conversation.channel == channel, Conversation.sender_id == sender_id)
            .with_for_update()
        )
        assert found is not None
        return found
    return conversation


def record_in(*, db: Session, conversation: Conversation, text: str, payload: dict[str, Any]) -> ConversationMessage:
    """Records what the person sent and notes their activity (and, during a hand-off, one more unread)."""
    message = ConversationMessage(
        conversation_id=conversation.id,
        direction=MessageDirection.IN,
        author=MessageAuthor.USER,
        text=text,
        payload=payload,
        delivery_error="",
    )
    db.add(message)
    conversation.last_activity_at = conversation.last_user_message_at = now()
    if conversation.status in QUIET:
        conversation.unread_count += 1
    db.flush()
    return message


def record_out(
    *,
    db: Session,
    conversation: Conversation,
    message: OutboundMessage,
    author: MessageAuthor,
    staff: User | None = None,
) -> ConversationMessage:
    """Records an answer to the person (from the bot, a member of staff or the platform)."""
    data = message.to_dict()
    row = ConversationMessage(
        conversation_id=conversation.id,
        direction=MessageDirection.OUT,
        author=author,
        staff_id=staff.id if staff else None,
        text=data.pop("text"),
        payload={k: v for k, v in data.items() if v},
        delivery_error="",
    )
    db.add(row)
    if author != MessageAuthor.BOT:  # the bot's answers follow the person's message, which counted already
        conversation.last_activity_at = now()
    db.flush()
    return row


def as_outbound(message: ConversationMessage) -> OutboundMessage:
    """A stored answer as an outbound message again."""
    return OutboundMessage.from_dict({"text": message.text, **(message.payload or {})})


def messages_after(
    *, db: Session, conversation: Conversation, after: int = 0, limit: int = 200, with_staff: bool = False
) -> list[ConversationMessage]:
    """The conversation's messages with an id above ``after``, oldest first (the newest ``limit`` on a first
    load); ``with_staff`` loads who wrote the staff replies (the admin transcript shows their names)."""
    query = select(ConversationMessage).where(
        ConversationMessage.conversation_id == conversation.id, ConversationMessage.id > after
    )
    if with_staff:
        query = query.options(selectinload(ConversationMessage.staff))
    rows = list(db.scalars(query.order_by(ConversationMessage.id.desc()).limit(limit)))
    return rows[::-1]


def request_handoff(*, db: Session, conversation: Conversation, reason: str) -> Conversation:
    """Puts the conversation in the staff queue (nothing changes when a person already has it or is awaited)."""
    if conversation.status not in QUIET:
        conversation.status = ConversationStatus.WAITING
        conversation.handoff_reason = reason[:200]
        conversation.handoff_requested_at = now()
        conversation.assigned_to_id = None
        conversation.unread_count = 0
        conversation.failed_turns = 0
        conversation.last_activity_at = now()
    db.flush()
    return conversation


def take(*, db: Session, conversation: Conversation, staff: User) -> Conversation:
    """A member of staff takes the conversation (or takes it over from a colleague)."""
    if conversation.status not in QUIET:
        raise Conflict("该会话没有在等待人工服务，无需接入")
    conversation.status = ConversationStatus.HUMAN
    conversation.assigned_to_id = staff.id
    conversation.unread_count = 0
    conversation.last_activity_at = now()
    db.flush()
    return conversation


def require_handler(conversation: Conversation, staff: User) -> None:
    """Only the member of staff who took the conversation answers in it."""
    if conversation.status != ConversationStatus.HUMAN:
        raise Conflict("请先接入该会话再回复")
    if conversation.assigned_to_id != staff.id:
        raise Conflict("该会话已由其他工作人员接入；如需接手，请先点击“接入”")


def release(*, db: Session, conversation: Conversation, staff: User) -> Conversation:
    """Ends the human service: the person's next message goes to the bot again."""
    require_handler(conversation, staff)
    conversation.status = ConversationStatus.CLOSED
    conversation.unread_count = 0
    conversation.last_activity_at = now()
    db.flush()
    return conversation


def mark_read(*, db: Session, conversation: Conversation, staff: User) -> None:
    """The handling member of staff has seen the new messages."""
    if conversation.assigned_to_id == staff.id and conversation.unread_count:
        conversation.unread_count = 0
        db.flush()


_QUEUE_ORDER = case(
    (Conversation.status == ConversationStatus.WAITING, 0),
    (Conversation.status == ConversationStatus.HUMAN, 1),
    else_=2,
)


def queue(*, db: Session, status: str | None = None, limit: int = 200) -> list[Conversation]:
    """Conversations that went to staff: waiting ones first (longest wait first), then those in service,
    then recently finished ones; or those of one status (``bot`` lists conversations the bot handles)."""
    query = select(Conversation).options(selectinload(Conversation.assigned_to))
    if status:
        query = query.where(Conversation.status == status)
    else:
        query = query.where(Conversation.status != ConversationStatus.BOT)
    ordered = query.order_by(
        _QUEUE_ORDER,
        case((Conversation.status == ConversationStatus.WAITING, Conversation.handoff_requested_at), else_=None),
        Conversation.last_activity_at.desc(),
    )
    return list(db.scalars(ordered.limit(limit)))
