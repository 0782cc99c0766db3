"""How notifications plug into the core: the outbox table, the event hook that fills it, the embedded
sweeper, and the API and pages (core/plugins.py)."""

from fastapi import FastAPI
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


def mount(app: FastAPI) -> None:
    """The notification API, the admin pages and the portal's rating page."""
    from core.api import ERROR_RESPONSES
    from notifications.views import router

    app.include_router(router, prefix="/api/v1", responses=ERROR_RESPONSES)
    from web.notifications_admin import router as admin_router
    from web.rate_portal import router as rate_router

    app.include_router(admin_router)
    app.include_router(rate_router)
