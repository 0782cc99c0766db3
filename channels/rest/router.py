"""REST channel: ``POST /channels/rest/messages`` {sender, text} answers with the bot's outbound messages;
``GET /channels/rest/messages?sender=&after=`` returns messages sent to the sender since then (staff replies
during a hand-off). Service-client token required."""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from channels import gateway, service
from channels.messages import InboundMessage
from channels.models import ConversationStatus, MessageDirection
from channels.transcript import message_json
from core.audit.context import Actor, set_actor
from core.db import get_sessionmaker
from core.errors import NotAuthenticated
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.rate_limit import client_ip
from core.security import new_token

CHANNEL = "rest"
SENDER_PATTERN = r"^[A-Za-z0-9_@.\-]{1,64}$"

router = APIRouter(prefix="/channels/rest", tags=["渠道"])


def _read_session() -> Iterator[Session]:
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def service_client(request: Request, db: Annotated[Session, Depends(_read_session)]) -> User:
    """The service client behind the bearer token. Checked on a read-only session: the gateway writes in
    its own transactions, which a write lock held by the request would block on SQLite."""
    auth = request.headers.get("authorization", "")
    user = org_service.user_for_token(db=db, token=auth[7:].strip()) if auth.lower().startswith("bearer ") else None
    if user is None:
        raise NotAuthenticated("请提供服务客户端的访问令牌")
    set_actor(Actor(id=user.id, name=f"{user.name}({user.username})", kind="token", ip=client_ip(request)))
    return org_service.require(user, Permission.SERVICE_CLIENT)


ServiceClient = Annotated[User, Depends(service_client)]


class RestMessageIn(BaseModel):
    """A person's message relayed by an integration."""

    sender: str = Field(pattern=SENDER_PATTERN, description="发送人在该集成中的标识")
    text: str = Field(min_length=1, max_length=4000)
    message_id: str = Field("", max_length=64, description="消息标识；同一标识重复发送只处理一次")


@router.post("/messages", summary="发送一条消息，返回机器人的回答")
def send_message(data: RestMessageIn, client: ServiceClient) -> dict[str, Any]:
    """One turn: the answer comes back at once (empty while a member of staff has the conversation)."""
    inbound = InboundMessage(
        channel=CHANNEL,
        sender_id=data.sender,
        message_id=f"{data.sender}:{data.message_id or new_token(12)}",
        type="text",
        text=data.text,
    )
    return {"messages": [m.to_dict() for m in gateway.handle(inbound)]}


@router.get("/messages", summary="取回发给该发送人的新消息（人工客服的回复等）")
def pending_messages(
    client: ServiceClient,
    db: Annotated[Session, Depends(_read_session)],
    sender: Annotated[str, Query(pattern=SENDER_PATTERN)],
    after: int = 0,
) -> dict[str, Any]:
    """Messages to the sender with an id above ``after``; pass the last id seen to get only new ones."""
    conversation = service.find(db=db, channel=CHANNEL, sender_id=sender)
    if conversation is None:
        return {"status": ConversationStatus.BOT.value, "messages": []}
    rows = service.messages_after(db=db, conversation=conversation, after=after)
    return {
        "status": conversation.status,
        "messages": [message_json(m) for m in rows if m.direction == MessageDirection.OUT],
    }
