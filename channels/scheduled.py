"""Periodic work of the channels (run by the in-process scheduler, or Celery beat in production)."""

import logging

from channels import delivery, gateway

log = logging.getLogger("tongban.channels")


def answer_kept_messages() -> int:
    """Answers the messages kept while the bot was down, once it is back, on the channel each came from;
    returns how many people got their answer. Safe to run every minute: a bot still down answers nothing."""
    answers = gateway.retry_unanswered()
    delivery.deliver_late(answers)
    if answers:
        log.info("智能客服恢复后补答了 %s 位用户的消息", len(answers))
    return len(answers)
