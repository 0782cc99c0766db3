"""The conversation store: conversations, their messages and the hand-off queue (plain data access)."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from channels import privacy
from channels.messages import OutboundMessage
from channels.models import (
    Conversation,
    ConversationCase,
    ConversationMessage,
    ConversationStatus,
    MessageAuthor,
    MessageDirection,
)
from core.cases.models import Case
from core.clock import now
from core.errors import Conflict
from core.org.models import User
from core.org.permissions import DataScope, Permission

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


def last_message_id(*, db: Session, conversation: Conversation) -> int:
    """The id of the conversation's latest message, 0 when it has none."""
    latest = db.scalar(
        select(func.max(ConversationMessage.id)).where(ConversationMessage.conversation_id == conversation.id)
    )
    return int(latest or 0)


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


def queue(
    *, db: Session, reach: "Reach | None" = None, status: str | None = None, limit: int = 200
) -> list[Conversation]:
    """Conversations that went to staff: waiting ones first (longest wait first), then those in service,
    then recently finished ones; or those of one status (``bot`` lists conversations the bot handles);
    only those within ``reach`` when given."""
    query = select(Conversation).options(selectinload(Conversation.assigned_to))
    if reach is not None:
        query = query.where(reach.condition())
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


def waiting_ahead(*, db: Session, conversation: Conversation) -> int:
    """How many conversations wait for staff before this one (0 when it does not wait)."""
    if conversation.status != ConversationStatus.WAITING or conversation.handoff_requested_at is None:
        return 0
    mine = (conversation.handoff_requested_at, conversation.id)
    return sum(
        1
        for c in queue(db=db, status=ConversationStatus.WAITING)
        if c.handoff_requested_at and (c.handoff_requested_at, c.id) < mine
    )


# ---------------------------------------------------------------- who may read a conversation


def link_cases(*, db: Session, conversation: Conversation, text: str) -> list[int]:
    """Notes the cases a person's message names (by case number) as what the conversation is about; returns
    the ids of the cases newly linked."""
    numbers = privacy.case_numbers(text)
    if not numbers:
        return []
    found = set(db.scalars(select(Case.id).where(Case.case_no.in_(numbers))))
    known = set(
        db.scalars(
            select(ConversationCase.case_id).where(
                ConversationCase.conversation_id == conversation.id, ConversationCase.case_id.in_(found)
            )
        )
    )
    new = sorted(found - known)
    for case_id in new:
        try:
            with db.begin_nested():  # the same number in two messages at once: the second finds the first's row
                db.add(ConversationCase(conversation_id=conversation.id, case_id=case_id))
        except IntegrityError:
            continue
    return new


@dataclass(frozen=True)
class Reach:
    """Which conversations a member of staff may read.

    A conversation concerns a department when the person named, in it, the number of a case that department
    handles (``conversation_case``). Staff who handle cases read the conversations about their department's
    cases (all departments' with the data scope 全部); the hand-off desk (导办台, ``conversation.desk``) reads
    the conversations about no case. Nobody else reads transcripts.
    """

    departments: frozenset[int] | None  # None: every department's
    desk: bool

    @classmethod
    def of(cls, user: User) -> "Reach":
        """The reach of a member of staff."""
        departments: frozenset[int] | None = frozenset()
        if Permission.CASE_HANDLE in user.permissions:
            if user.data_scope == DataScope.ALL:
                departments = None
            elif user.data_scope == DataScope.DEPARTMENT and user.department_id is not None:
                departments = frozenset({user.department_id})
        return cls(departments=departments, desk=Permission.CONVERSATION_DESK in user.permissions)

    @property
    def anything(self) -> bool:
        """True when some conversation may be within reach (the page is for them at all)."""
        return self.desk or self.departments is None or bool(self.departments)

    def condition(self) -> ColumnElement[bool]:
        """The conversations within reach, as a WHERE condition."""
        about_a_case = exists().where(ConversationCase.conversation_id == Conversation.id)
        allowed: list[ColumnElement[bool]] = []
        if self.departments is None:
            allowed.append(about_a_case)
        elif self.departments:
            allowed.append(
                exists().where(
                    and_(
                        ConversationCase.conversation_id == Conversation.id,
                        Case.id == ConversationCase.case_id,
                        Case.department_id.in_(self.departments),
                    )
                )
            )
        if self.desk:
            allowed.append(not_(about_a_case))
        return or_(*allowed) if allowed else false()


def readable(*, db: Session, conversation_id: int, reach: Reach) -> Conversation | None:
    """The conversation when it is within the reach, else None (as if it did not exist)."""
    return db.scalar(select(Conversation).where(Conversation.id == conversation_id, reach.condition()))


def record_person(
    *, db: Session, conversation: Conversation, text: str, shown: str, payload: dict[str, Any]
) -> ConversationMessage:
    """Records what the person sent without the query password it may carry (``privacy``), links the cases
    it names, and consumes what the bot was waiting for."""
    kept = privacy.stored_text(shown, conversation.awaiting) if text else shown
    if kept != shown:
        payload = {k: v for k, v in payload.items() if k != "payload"}
        if isinstance(payload.get("raw"), dict):
            payload["raw"] = privacy.stored_raw(payload["raw"], redacted=True)
    link_cases(db=db, conversation=conversation, text=text)
    if conversation.awaiting:
        conversation.awaiting = ""
    return record_in(db=db, conversation=conversation, text=kept, payload=payload)


def await_next(*, db: Session, conversation: Conversation, expects: str) -> None:
    """Notes what the bot's answer asked for (``query_code``: the next message is the password)."""
    if conversation.awaiting != expects:  # an unchanged row writes no update and no audit record
        conversation.awaiting = expects
        db.flush()
