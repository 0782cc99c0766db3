"""How the channels plug into the core: their tables (conversations, messages, receipts) and periodic work."""

from core.jobs import Job

MODELS = "channels.models"


def jobs() -> list[Job]:
    """Answering, once the bot is back, the messages kept while it was down."""
    from channels.scheduled import answer_kept_messages

    return [Job("bot-kept-messages", 1, answer_kept_messages, "补答留言失败")]
