"""How notifications plug into the core: the outbox table, the event hook that fills it, the embedded
sweeper (core/plugins.py). Its API (``notifications.views.router``) is mounted by the composition root,
tongban/asgi.py, like every package's; its pages are web's."""

from sqlalchemy.orm import Session

from core.events.models import DomainEvent
from core.jobs import Job

MODELS = "notifications.models"


def on_event(db: Session, event: DomainEvent) -> None:
    """Writes the event's notification rows into the caller's transaction."""
    from notifications import fanout

    fanout.on_event(db, event)


def jobs() -> list[Job]:
    """The sweeper: due retries, queued rows, rows whose sender stopped."""
    from notifications import tasks

    return [Job(tasks.SWEEP_JOB, tasks.SWEEP_SECONDS / 60, tasks.sweep, "通知补发扫描失败")]
