"""The bot gateway: every channel hands it a normalised inbound message and gets back the answer.

One message is one bot turn, however often the channel delivers it: the first delivery claims a receipt
row (unique per channel and message id) and asks the bot; later deliveries wait for that answer and reuse it.
Every message in and out is recorded in the conversation store. While a person waits for staff or talks to
them, the bot stays quiet and the messages go to the staff queue. When the bot is down the person gets an
apology and the offer of a person, and their message is kept (``retry_unanswered`` answers it later).
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels import rasa, service, texts
from channels.messages import InboundMessage, OutboundMessage, choices
from channels.models import (
    Conversation,
    ConversationMessage,
    ConversationStatus,
    MessageAuthor,
    MessageDirection,
    MessageReceipt,
    ReceiptStatus,
)
from core.audit.context import Actor, acting
from core.clock import now
from core.db import get_engine, get_sessionmaker, mark_for_writing, session_scope
from core.settings import get_settings

__all__ = [
    "InboundMessage",
    "LateAnswer",
    "OutboundMessage",
    "Turn",
    "claim_delivery",
    "handle",
    "retry_unanswered",
    "take_turn",
]

log = logging.getLogger("tongban.channels")

BOT = Actor(id=None, name="智能客服", kind="bot")
_POLL_SECONDS = 0.05
_EVENT_LABELS = {
    "subscribe": "[关注公众号]",
    "unsubscribe": "[取消关注]",
    "click": "[点击菜单]",
    "view": "[打开菜单链接]",
}


def _person(inbound: InboundMessage) -> Actor:
    return Actor(id=None, name=inbound.sender_key[:64], kind="channel")


@dataclass
class _Claim:
    """The first delivery of a message, recorded: what to ask the bot, or the answer decided without it."""

    receipt_id: int
    conversation_id: int
    message_id: int
    bot_text: str
    answer: list[OutboundMessage] | None
    reply: bool = False


@dataclass
class Turn:
    """The answer to a message, and whether this delivery took the one right to send it in its reply."""

    answer: list[OutboundMessage]
    reply: bool = False


def handle(inbound: InboundMessage) -> list[OutboundMessage]:
    """Records the message, runs one bot turn for it (once per message id) and returns the answer."""
    return take_turn(inbound).answer


def take_turn(inbound: InboundMessage, reply_by: float | None = None) -> Turn:
    """``handle`` for callbacks that answer in their reply: when the answer is ready before ``reply_by``
    (a ``time.monotonic()`` deadline), the first delivery of the message also takes the right to send it
    in its reply, in the same transaction that stores the answer. Later deliveries never take it."""
    claim = _claim(inbound, reply_by)
    if claim is None:
        return Turn(_await_answer(inbound))
    if claim.answer is not None:
        return Turn(claim.answer, claim.reply)
    try:
        reply: rasa.BotReply | None = rasa.ask(inbound.sender_key, claim.bot_text)
    except rasa.BotUnavailable:
        reply = None
    return _finish(claim, reply, reply_by)


def claim_delivery(inbound: InboundMessage, how: Literal["reply", "push"]) -> bool:
    """Takes the one right to deliver the message's answer (in the callback's reply, or pushed later);
    False when another delivery of the same message, or its own turn, took it."""
    with _writing() as db:
        return _take_delivery(db, inbound.channel, inbound.message_id, how)


def _take_delivery(db: Session, channel: str, message_id: str, how: str) -> bool:
    result = db.execute(
        update(MessageReceipt)
        .where(
            MessageReceipt.channel == channel,
            MessageReceipt.dedup_key == message_id[:128],
            MessageReceipt.delivery.is_(None),
        )
        .values(delivery=how, delivered_at=now())
    )
    return bool(getattr(result, "rowcount", 0) == 1)


_sqlite_writer = threading.Lock()


@contextmanager
def _writing() -> Iterator[Session]:
    """A write transaction. On SQLite (one app process) the gateway's writers queue on a lock here instead of
    in SQLite's busy handler, which sleeps in steps of up to 100 ms: with 20 people writing at once that made
    the p95 of a turn ten times its median."""
    if get_engine().dialect.name == "sqlite":
        with _sqlite_writer, session_scope() as db:
            yield db
    else:
        with session_scope() as db:
            yield db


def _in_time(reply_by: float | None) -> bool:
    return reply_by is not None and time.monotonic() < reply_by


# ---------------------------------------------------------------- the first delivery


def _claim(inbound: InboundMessage, reply_by: float | None) -> _Claim | None:
    """Claims the message's receipt and records it; None when another delivery claimed it first."""
    with _writing() as db, acting(_person(inbound)):
        conversation = service.get_or_create(db=db, channel=inbound.channel, sender_id=inbound.sender_id)
        try:
            inserted = db.execute(
                insert(MessageReceipt).values(
                    channel=inbound.channel,
                    dedup_key=inbound.message_id[:128],
                    conversation_id=conversation.id,
                    status=ReceiptStatus.PROCESSING,
                    attempts=1,
                    created_at=now(),
                )
            )
        except IntegrityError:
            db.rollback()
            mark_for_writing(db)
            db.execute(
                update(MessageReceipt)
                .where(MessageReceipt.channel == inbound.channel, MessageReceipt.dedup_key == inbound.message_id[:128])
                .values(attempts=MessageReceipt.attempts + 1)
            )
            return None
        key = cast(CursorResult[Any], inserted).inserted_primary_key
        assert key is not None
        receipt_id = int(key[0])
        text = inbound.text.strip()
        bot_text = inbound.payload or _chosen(db, conversation, text) or text
        payload: dict[str, object] = {"type": inbound.type, "message_id": inbound.message_id}
        if inbound.event:
            payload["event"] = inbound.event
        if bot_text != text:
            payload["payload"] = bot_text
        if inbound.raw:
            payload["raw"] = inbound.raw
        shown = text or _EVENT_LABELS.get(inbound.event, f"[{inbound.event or inbound.type}]")
        message = service.record_person(db=db, conversation=conversation, text=text, shown=shown, payload=payload)
        claim = _Claim(receipt_id, conversation.id, message.id, bot_text, None)
        claim.answer = _without_bot(db, inbound, conversation, bot_text)
        if claim.answer is not None:
            claim.reply = _store_answer(
                db, conversation, claim, claim.answer, MessageAuthor.SYSTEM, ReceiptStatus.ANSWERED, reply_by
            )
        return claim


def _last_said(db: Session, conversation: Conversation) -> str:
    """The text of the last message the platform (bot, staff or system) sent in the conversation."""
    return (
        db.scalar(
            select(ConversationMessage.text)
            .where(
                ConversationMessage.conversation_id == conversation.id,
                ConversationMessage.direction == MessageDirection.OUT,
            )
            .order_by(ConversationMessage.id.desc())
            .limit(1)
        )
        or ""
    )


def _chosen(db: Session, conversation: Conversation, text: str) -> str:
    """The payload of a numbered choice (“2”) of the last answer, for channels that show buttons as numbers."""
    if not text.isdigit() or len(text) > 2:
        return ""
    last = db.scalar(
        select(MessageReceipt.answer)
        .where(MessageReceipt.conversation_id == conversation.id, MessageReceipt.status != ReceiptStatus.PROCESSING)
        .order_by(MessageReceipt.id.desc())
        .limit(1)
    )
    offered = choices([OutboundMessage.from_dict(m) for m in last or []])
    number = int(text)
    return offered[number - 1]["payload"] if 1 <= number <= len(offered) else ""


def _without_bot(
    db: Session, inbound: InboundMessage, conversation: Conversation, bot_text: str
) -> list[OutboundMessage] | None:
    """The answer when the bot is not asked (hand-off, events, media, empty text); None to ask the bot."""
    if conversation.status in service.QUIET:
        # The staff queue has the message and a person answers; the person is told it reached them (once per
        # run of messages, not after each one), instead of hearing nothing.
        return (
            []
            if _last_said(db, conversation) == texts.RELAYED_TO_STAFF
            else [OutboundMessage(text=texts.RELAYED_TO_STAFF)]
        )
    if inbound.type == "event":
        if inbound.event == "subscribe":
            return [texts.greeting(get_settings().centre_name)]
        if not bot_text:
            return []
    elif inbound.type == "unsupported":
        return [texts.UNSUPPORTED]
    elif not bot_text:
        return [texts.EMPTY]
    if conversation.status == ConversationStatus.CLOSED:
        conversation.status = ConversationStatus.BOT
    return None


# ---------------------------------------------------------------- the bot's answer


def _finish(claim: _Claim, reply: rasa.BotReply | None, reply_by: float | None) -> Turn:
    """Records the bot's answer (or the apology when it is down) and counts turns it could not answer."""
    settings = get_settings()
    with _writing() as db, acting(BOT):
        conversation = db.get(Conversation, claim.conversation_id)
        assert conversation is not None
        if reply is None:
            answer, author, status = _bot_down(db, conversation, claim.bot_text)
        else:
            answer, author, status = list(reply.messages), MessageAuthor.BOT, ReceiptStatus.ANSWERED
            service.await_next(db=db, conversation=conversation, expects=reply.expects)
            if reply.handoff:
                service.request_handoff(db=db, conversation=conversation, reason=reply.handoff)
            failed = conversation.failed_turns + 1 if reply.fallback else 0
            if failed >= settings.handoff_after_failures:
                failed = 0
                if conversation.status == ConversationStatus.BOT and texts.HANDOFF_BUTTON not in choices(answer):
                    answer.append(texts.OFFER_PERSON)
            if failed != conversation.failed_turns:  # an unchanged row writes no update and no audit record
                conversation.failed_turns = failed
        return Turn(answer, _store_answer(db, conversation, claim, answer, author, status, reply_by))


def _bot_down(db: Session, conversation: Conversation, text: str) -> tuple[list[OutboundMessage], MessageAuthor, str]:
    """The bot is unreachable: a person who asks for staff gets them; anyone else an apology and the offer."""
    if text in texts.HANDOFF_WORDS:
        service.request_handoff(db=db, conversation=conversation, reason="智能客服暂不可用，用户请求人工服务")
        return [OutboundMessage(text=texts.HANDOFF_STARTED)], MessageAuthor.SYSTEM, ReceiptStatus.ANSWERED
    conversation.failed_turns += 1
    return [texts.BOT_DOWN], MessageAuthor.SYSTEM, ReceiptStatus.BOT_DOWN


def _store_answer(
    db: Session,
    conversation: Conversation,
    claim: _Claim,
    answer: list[OutboundMessage],
    author: MessageAuthor,
    status: str,
    reply_by: float | None,
) -> bool:
    """Records the answer on the conversation and the receipt; True when, ready in time, it also took the
    right to be sent in the callback's reply (one statement in the usual case)."""
    for message in answer:
        service.record_out(db=db, conversation=conversation, message=message, author=author)
    values = {
        "status": status,
        "answer": [m.to_dict() for m in answer],
        "answered_at": now(),
        "message_id": claim.message_id,
    }
    receipt = update(MessageReceipt).where(MessageReceipt.id == claim.receipt_id)
    if _in_time(reply_by):
        taken = db.execute(
            receipt.where(MessageReceipt.delivery.is_(None)).values(**values, delivery="reply", delivered_at=now())
        )
        if getattr(taken, "rowcount", 0) == 1:
            return True
    db.execute(receipt.values(**values))
    return False


# ---------------------------------------------------------------- later deliveries


def _await_answer(inbound: InboundMessage) -> list[OutboundMessage]:
    """The answer of a message another delivery is working on (or has answered), once it is there."""
    deadline = time.monotonic() + get_settings().rasa_timeout_seconds + 5
    query = select(MessageReceipt.status, MessageReceipt.answer).where(
        MessageReceipt.channel == inbound.channel, MessageReceipt.dedup_key == inbound.message_id[:128]
    )
    while True:
        with get_engine().connect() as conn:
            row = conn.execute(query).one_or_none()
        if row is not None and row.status != ReceiptStatus.PROCESSING:
            return [OutboundMessage.from_dict(m) for m in row.answer or []]
        if time.monotonic() > deadline:  # the first delivery's process died mid-turn
            return [texts.BOT_DOWN]
        time.sleep(_POLL_SECONDS)


# ---------------------------------------------------------------- when the bot is back


@dataclass
class LateAnswer:
    """A message first answered with an apology, now answered by the bot."""

    channel: str
    sender_id: str
    messages: list[OutboundMessage]


def retry_unanswered(max_age: timedelta = timedelta(hours=47)) -> list[LateAnswer]:
    """Asks the bot again for messages it could not answer while down (the newest per person, not older than
    ``max_age``, only where the bot still has the conversation); returns the answers for the channels to push."""
    with get_sessionmaker()() as db:
        rows = db.execute(
            select(MessageReceipt.id, MessageReceipt.conversation_id)
            .join(Conversation, Conversation.id == MessageReceipt.conversation_id)
            .where(
                MessageReceipt.status == ReceiptStatus.BOT_DOWN,
                MessageReceipt.created_at >= now() - max_age,
                Conversation.status == ConversationStatus.BOT,
            )
            .order_by(MessageReceipt.id)
        ).all()
    latest: dict[int, int] = {}
    for receipt_id, conversation_id in rows:
        if conversation_id is not None:
            latest[conversation_id] = receipt_id
    answered: list[LateAnswer] = []
    for conversation_id, receipt_id in latest.items():
        late = _retry_one(conversation_id, receipt_id, superseded=[r for r, c in rows if c == conversation_id])
        if late is not None:
            answered.append(late)
    return answered


def _retry_one(conversation_id: int, receipt_id: int, superseded: list[int]) -> LateAnswer | None:
    with _writing() as db:
        conversation = db.get(Conversation, conversation_id)
        receipt = db.get(MessageReceipt, receipt_id)
        if conversation is None or receipt is None or receipt.message_id is None:
            return None
        answered_since = db.scalar(
            select(MessageReceipt.id).where(
                MessageReceipt.conversation_id == conversation_id,
                MessageReceipt.id > receipt_id,
                MessageReceipt.status != ReceiptStatus.BOT_DOWN,
            )
        )
        if answered_since is not None:  # the person went on talking once the bot was back: too late to answer
            _settle(db, superseded)
            return None
        question = db.get(ConversationMessage, receipt.message_id)
        text = str((question.payload or {}).get("payload") or question.text) if question else ""
        sender_key, channel, sender_id = conversation.sender_key, conversation.channel, conversation.sender_id
    if not text:
        return None
    try:
        reply = rasa.ask(sender_key, text)
    except rasa.BotUnavailable:
        return None
    with _writing() as db, acting(BOT):
        conversation = db.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.failed_turns = 0
        service.await_next(db=db, conversation=conversation, expects=reply.expects)
        for message in reply.messages:
            service.record_out(db=db, conversation=conversation, message=message, author=MessageAuthor.BOT)
        _settle(db, superseded)
        db.execute(
            update(MessageReceipt)
            .where(MessageReceipt.id == receipt_id)
            .values(answer=[m.to_dict() for m in reply.messages])
        )
    return LateAnswer(channel=channel, sender_id=sender_id, messages=reply.messages)


def _settle(db: Session, receipt_ids: list[int]) -> None:
    db.execute(
        update(MessageReceipt)
        .where(MessageReceipt.id.in_(receipt_ids))
        .values(status=ReceiptStatus.ANSWERED, answered_at=now())
    )
