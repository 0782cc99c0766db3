"""Shapes of the channels' API: the bot's hand-off to staff."""

from typing import Self

from pydantic import BaseModel, Field

from channels.models import STATUS_LABELS, Conversation, ConversationStatus


class HandoffIn(BaseModel):
    """Why the person should talk to a member of staff."""

    reason: str = Field("", max_length=200, description="转人工原因，例如“用户要求人工服务”“连续三次未能回答”")


class HandoffOut(BaseModel):
    """The conversation as it now stands in the queue."""

    conversation_id: int
    status: str
    status_label: str
    waiting_ahead: int = Field(description="排在前面等待人工的会话数")

    @classmethod
    def from_model(cls, conversation: Conversation, *, waiting_ahead: int) -> Self:
        """The conversation's status in words and its place in the queue (counted by the service)."""
        status = ConversationStatus(conversation.status)
        return cls(
            conversation_id=conversation.id,
            status=status.value,
            status_label=STATUS_LABELS[status],
            waiting_ahead=waiting_ahead,
        )
