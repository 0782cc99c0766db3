"""API for the bot's hand-off action: ``POST /api/v1/handoffs`` puts the person's conversation, with its
transcript, in the staff queue of the admin site."""

from fastapi import APIRouter

from channels import service
from channels.schemas import HandoffIn, HandoffOut
from core.deps import DB, ChannelUser, CurrentUser
from core.errors import ValidationFailed
from core.org import service as org_service
from core.org.permissions import Permission

router = APIRouter(tags=["在线咨询"])


@router.post("/handoffs", response_model=HandoffOut, status_code=201, summary="转人工：会话连同记录进入人工服务队列")
def request_handoff(data: HandoffIn, db: DB, user: CurrentUser, channel_user: ChannelUser) -> HandoffOut:
    """For the bot's action server, speaking for the person in ``X-Channel-User: <channel>:<id>``."""
    org_service.require(user, Permission.SERVICE_CLIENT)
    if not channel_user:
        raise ValidationFailed("缺少渠道用户标识（X-Channel-User）", field="X-Channel-User")
    channel, sender_id = channel_user.split(":", 1)
    conversation = service.get_or_create(db=db, channel=channel, sender_id=sender_id)
    service.request_handoff(db=db, conversation=conversation, reason=data.reason.strip() or "用户要求人工服务")
    return HandoffOut.from_model(conversation, waiting_ahead=service.waiting_ahead(db=db, conversation=conversation))
