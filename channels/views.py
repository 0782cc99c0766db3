"""API for the bot's hand-off action: ``POST /api/v1/handoffs`` puts the person's conversation, with its
transcript, in the staff queue of the admin site."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from channels import service
from channels.models import STATUS_LABELS, ConversationStatus
from core.deps import DB, ChannelUser, CurrentUser
from core.errors import ValidationFailed
from core.org import service as org_service
from core.org.permissions import Permission

router = APIRouter(tags=["在线咨询"])


class HandoffIn(BaseModel):
    """Why the person should talk to a member of staff."""

    reason: str = Field("", max_length=200, description="转人工原因，例如“用户要求人工服务”“连续三次未能回答”")


class HandoffOut(BaseModel):
    """The conversation as it now stands in the queue."""

    conversation_id: int
    status: str
    status_label: str
    waiting_ahead: int = Field(description="排在前面等待人工的会话数")


@router.post("/handoffs", response_model=HandoffOut, status_code=201, summary="转人工：会话连同记录进入人工服务队列")
def request_handoff(data: HandoffIn, db: DB, user: CurrentUser, channel_user: ChannelUser) -> HandoffOut:
    """For the bot's action server, speaking for the person in ``X-Channel-User: <channel>:<id>``."""
    org_service.require(user, Permission.SERVICE_CLIENT)
    if not channel_user:
        raise ValidationFailed("缺少渠道用户标识（X-Channel-User）", field="X-Channel-User")
    channel, sender_id = channel_user.split(":", 1)
    conversation = service.get_or_create(db=db, channel=channel, sender_id=sender_id)
    service.request_handoff(db=db, conversation=conversation, reason=data.reason.strip() or "用户要求人工服务")
    ahead = [
        c
        for c in service.queue(db=db, status=ConversationStatus.WAITING)
        if c.handoff_requested_at and conversation.handoff_requested_at
        if (c.handoff_requested_at, c.id) < (conversation.handoff_requested_at, conversation.id)
    ]
    status = ConversationStatus(conversation.status)
    return HandoffOut(
        conversation_id=conversation.id,
        status=status.value,
        status_label=STATUS_LABELS[status],
        waiting_ahead=len(ahead) if status == ConversationStatus.WAITING else 0,
    )
