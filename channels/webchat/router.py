"""Web chat: ``POST /channels/webchat/messages`` sends the person's text (or a chosen button) to the
gateway; ``GET /channels/webchat/messages?after=<id>`` returns the conversation since a message, which is
how staff replies arrive. The sender is a random id kept in the signed session cookie, so the history
belongs to the browser session. Posts carry the session's CSRF token in ``X-CSRF-Token``, which the panel asks
``GET /channels/webchat/token`` for before its first post: pages do not carry it, so that a page read without
chatting sets no cookie and nginx may serve it to everyone (core/edge_cache.py)."""

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from channels import gateway, service
from channels.messages import InboundMessage
from channels.models import ConversationStatus
from channels.transcript import message_json
from core.db import get_sessionmaker
from core.deps import is_same_site, session_csrf_token
from core.errors import PermissionDenied
from core.rate_limit import hit
from core.security import new_token
from core.settings import get_settings

CHANNEL = "webchat"
SESSION_KEY = "webchat_id"
MAX_TEXT = 4000
CSRF_MESSAGE = "页面已过期或来源无法验证，请刷新页面后再发送"

router = APIRouter(prefix="/channels/webchat", include_in_schema=False)


class WebMessageIn(BaseModel):
    """What the chat panel sends: the text shown, and the button payload when a button was chosen."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    payload: str = Field("", max_length=MAX_TEXT)
    client_id: str = Field("", max_length=40, pattern=r"^[A-Za-z0-9_-]*$")
    after: int | None = Field(None, ge=0)
    """The last message the panel shows; without it the answer holds this turn only (the person's message on)."""


def _check_origin(request: Request) -> None:
    """Same-origin posts only, with the session's CSRF token: another site cannot chat in the visitor's name."""
    if not is_same_site(request, token_required=True):
        raise PermissionDenied(CSRF_MESSAGE, code="csrf")


def _history(sender_id: str | None, after: int) -> dict[str, Any]:
    if not sender_id:
        return {"status": ConversationStatus.BOT.value, "messages": []}
    with get_sessionmaker()() as db:
        conversation = service.find(db=db, channel=CHANNEL, sender_id=sender_id)
        if conversation is None:
            return {"status": ConversationStatus.BOT.value, "messages": []}
        rows = service.messages_after(db=db, conversation=conversation, after=after)
        return {"status": conversation.status, "messages": [message_json(m) for m in rows]}


def _last_id(sender_id: str) -> int:
    """The id of the conversation's latest message (0 before the first): what a turn's answer starts after."""
    with get_sessionmaker()() as db:
        conversation = service.find(db=db, channel=CHANNEL, sender_id=sender_id)
        return service.last_message_id(db=db, conversation=conversation) if conversation is not None else 0


@router.get("/token")
def token(request: Request) -> dict[str, str]:
    """The session's CSRF token for the panel's posts (created with the session on first use). Another site's page
    cannot read this answer (same-origin policy), so it cannot post in the visitor's name; never cached
    (web/security_headers.py: no-store under /channels/webchat)."""
    return {"csrf_token": session_csrf_token(request)}


@router.post("/messages")
def send_message(data: WebMessageIn, request: Request) -> dict[str, Any]:
    """Sends the person's message; answers with the conversation since ``after`` (their message and the
    bot's answer included), or with this turn alone when the post names no ``after`` (a long conversation is not
    sent again with every message)."""
    _check_origin(request)
    sender_id = request.session.get(SESSION_KEY)
    if not isinstance(sender_id, str) or not sender_id:
        sender_id = request.session[SESSION_KEY] = new_token(18)
    hit(get_settings().webchat_rate, "webchat", sender_id, message="消息发送过于频繁，请稍后再试")
    inbound = InboundMessage(
        channel=CHANNEL,
        sender_id=sender_id,
        message_id=f"{sender_id}:{data.client_id or new_token(12)}",  # one person's id cannot reach another's
        type="text",
        text=data.text,
        payload=data.payload.strip(),
        raw={"client_id": data.client_id} if data.client_id else {},
    )
    after = data.after if data.after is not None else _last_id(sender_id)
    gateway.handle(inbound)
    return _history(sender_id, after)


@router.get("/messages")
def messages(request: Request, after: int = 0) -> dict[str, Any]:
    """The session's conversation since message ``after`` (0: the whole recent history)."""
    sender_id = request.session.get(SESSION_KEY)
    return _history(sender_id if isinstance(sender_id, str) else None, max(after, 0))
