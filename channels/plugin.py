"""How the channels plug into the core: their tables (conversations, messages, receipts) and periodic work, and the
exchange's delivery (channels/exchange: its after-commit hand-over is installed by importing its tasks)."""

from channels.exchange import tasks as exchange_tasks
from core.jobs import Job

MODELS = "channels.models"


def jobs() -> list[Job]:
    """Answering, once the bot is back, the messages kept while it was down; the exchange's sweeper (retries, lost
    hand-overs), its pulls (records and acknowledgements from the counterparts) and its daily reconciliation."""
    from channels.scheduled import answer_kept_messages
    from core.settings import get_settings

    return [
        Job("bot-kept-messages", get_settings().bot_kept_messages_minutes, answer_kept_messages, "补答留言失败"),
        Job(exchange_tasks.SWEEP_JOB, 0.5, exchange_tasks.sweep, "数据交换补发扫描失败"),
        Job(exchange_tasks.PULL_JOB, 10, exchange_tasks.pull_all, "数据交换拉取失败"),
        Job(exchange_tasks.RECONCILE_JOB, 60, exchange_tasks.reconcile_all, "数据交换对账失败"),
    ]
