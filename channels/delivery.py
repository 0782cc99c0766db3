"""Messages that reach a person outside their own turn (a member of staff's reply, a late answer): WeChat
gets them through its customer-service message API; web chat and REST clients fetch them by polling."""

import logging

from channels.gateway import LateAnswer
from channels.messages import OutboundMessage
from channels.wechat import sender as wechat_sender

log = logging.getLogger("tongban.channels")


def deliver(channel: str, sender_id: str, messages: list[OutboundMessage]) -> str:
    """Sends messages to a person on their channel; returns '' or why they could not be sent (in Chinese)."""
    if channel == "wechat":
        try:
            wechat_sender.push(sender_id, messages)
        except wechat_sender.DeliveryFailed as exc:
            return exc.message
    return ""  # web chat and REST: the conversation store is the mailbox their clients poll


def deliver_late(answers: list[LateAnswer]) -> None:
    """Delivers the answers ``gateway.retry_unanswered`` got once the bot was back."""
    for answer in answers:
        problem = deliver(answer.channel, answer.sender_id, answer.messages)
        if problem:
            log.warning("补发机器人回答失败（%s:%s）：%s", answer.channel, answer.sender_id, problem)
