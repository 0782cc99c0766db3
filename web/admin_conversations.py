"""Admin site, online consultation (在线咨询): the hand-off queue, a conversation's transcript, taking it
(接入), replying — the reply reaches the person on the channel they used — and handing back to the bot."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from channels import service, texts
from channels.delivery import deliver
from channels.messages import OutboundMessage
from channels.models import CHANNEL_LABELS, STATUS_LABELS, Conversation, ConversationMessage, MessageAuthor
from core.audit.service import record_read
from core.deps import DB
from core.errors import NotFound, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from web.common import Form, flash, redirect, render, text
from web.deps import OnError, Staff

router = APIRouter(prefix="/admin/conversations", include_in_schema=False)

HANDLE_PERMISSION = Permission.CASE_HANDLE
"""Who may answer people in the queue: window and approval staff (those who handle cases), for the
conversations about their department's cases, and the hand-off desk for those about no case
(``channels.service.Reach``)."""
MAX_REPLY = 2000


def conversation_staff(staff: Staff) -> User:
    """The member of staff who may see some conversations (the usual 403 and its message otherwise)."""
    if not service.Reach.of(staff).anything:
        org_service.require(staff, HANDLE_PERMISSION)
    return staff


ConversationStaff = Annotated[User, Depends(conversation_staff)]


def readable_conversation(conversation_id: int, db: DB, staff: ConversationStaff) -> Conversation:
    """The conversation when the member of staff may read it; 404 otherwise (its existence is not told)."""
    conversation = service.readable(db=db, conversation_id=conversation_id, reach=service.Reach.of(staff))
    if conversation is None:
        raise NotFound("会话不存在")
    return conversation


ReadableConversation = Annotated[Conversation, Depends(readable_conversation)]


def masked(sender_id: str) -> str:
    """A person's channel id shortened for the screen (an openid is not for reading out)."""
    return sender_id if len(sender_id) <= 10 else f"{sender_id[:4]}…{sender_id[-4:]}"


_LABELS = {"status": STATUS_LABELS, "channel": CHANNEL_LABELS}


@router.get("", response_class=HTMLResponse)
def queue(request: Request, db: DB, staff: ConversationStaff, status: str | None = None) -> HTMLResponse:
    """The queue: people waiting for staff first (longest wait first), then those in service, then finished."""
    reach = service.Reach.of(staff)
    chosen = status if status in STATUS_LABELS else None
    rows = service.queue(db=db, reach=reach, status=chosen)
    return render(
        request,
        "admin/conversations.html",
        {"rows": rows, "status": chosen or "", "labels": _LABELS, "masked": masked},
    )


def _page(request: Request, db: Session, staff: User, conversation: Conversation, error: str = "") -> HTMLResponse:
    if not error:
        service.mark_read(db=db, conversation=conversation, staff=staff)
    return render(
        request,
        "admin/conversations_detail.html",
        {
            "conversation": conversation,
            "messages": service.messages_after(db=db, conversation=conversation, limit=500, with_staff=True),
            "labels": _LABELS,
            "masked": masked,
            "mine": conversation.assigned_to_id == staff.id,
            "error": error,
            "max_reply": MAX_REPLY,
        },
        status=200 if not error else 409,
    )


@router.get("/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request, db: DB, staff: ConversationStaff, conversation: ReadableConversation
) -> HTMLResponse:
    """A conversation: the transcript, who has it, and the reply box for the member of staff who took it."""
    record_read(db, "conversation", conversation.id, what="咨询会话记录")  # the refreshes that follow are not recorded
    return _page(request, db, staff, conversation)


@router.get("/{conversation_id}/transcript", response_class=HTMLResponse)
def transcript(request: Request, db: DB, staff: ConversationStaff, conversation: ReadableConversation) -> HTMLResponse:
    """The transcript alone, for the page to refresh while the person writes."""
    service.mark_read(db=db, conversation=conversation, staff=staff)
    messages = service.messages_after(db=db, conversation=conversation, limit=500, with_staff=True)
    return render(request, "admin/conversations_transcript.html", {"messages": messages, "conversation": conversation})


def _send(db: Session, request: Request, conversation: Conversation, message: ConversationMessage) -> None:
    """Commits the message, then sends it on the person's channel; a refusal is kept on the message and shown."""
    db.commit()
    problem = deliver(conversation.channel, conversation.sender_id, [service.as_outbound(message)])
    if problem:
        message.delivery_error = problem[:200]
        flash(request, f"消息已记录，但未能送达：{problem}", "error")


@router.post("/{conversation_id}/take")
def take(
    request: Request,
    db: DB,
    form: Form,
    staff: ConversationStaff,
    conversation: ReadableConversation,
    on_error: OnError,
) -> Response:
    """接入: the member of staff takes the conversation; the person is told a person is there."""
    on_error.answer(lambda exc: _page(request, db, staff, conversation, exc.message))
    service.take(db=db, conversation=conversation, staff=staff)
    notice = service.record_out(
        db=db, conversation=conversation, message=OutboundMessage(text=texts.STAFF_JOINED), author=MessageAuthor.SYSTEM
    )
    _send(db, request, conversation, notice)
    flash(request, "已接入，您可以直接回复")
    return redirect(f"/admin/conversations/{conversation.id}")


@router.post("/{conversation_id}/reply")
def reply(
    request: Request,
    db: DB,
    form: Form,
    staff: ConversationStaff,
    conversation: ReadableConversation,
    on_error: OnError,
) -> Response:
    """A member of staff answers; the answer reaches the person on their channel."""
    answer = text(form, "text")
    on_error.answer(lambda exc: _page(request, db, staff, conversation, exc.message))
    service.require_handler(conversation, staff)
    if not answer:
        raise ValidationFailed("回复内容不能为空")
    if len(answer) > MAX_REPLY:
        raise ValidationFailed(f"回复内容不能超过{MAX_REPLY}个字")
    message = service.record_out(
        db=db, conversation=conversation, message=OutboundMessage(text=answer), author=MessageAuthor.STAFF, staff=staff
    )
    _send(db, request, conversation, message)
    return redirect(f"/admin/conversations/{conversation.id}#reply")


@router.post("/{conversation_id}/release")
def release(
    request: Request,
    db: DB,
    form: Form,
    staff: ConversationStaff,
    conversation: ReadableConversation,
    on_error: OnError,
) -> Response:
    """结束人工服务: the person's next message goes to the bot again."""
    on_error.answer(lambda exc: _page(request, db, staff, conversation, exc.message))
    service.release(db=db, conversation=conversation, staff=staff)
    notice = service.record_out(
        db=db, conversation=conversation, message=OutboundMessage(text=texts.STAFF_LEFT), author=MessageAuthor.SYSTEM
    )
    _send(db, request, conversation, notice)
    flash(request, "已结束人工服务，后续消息由智能客服回答")
    return redirect("/admin/conversations")
