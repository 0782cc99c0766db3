"""How far the outbox is behind, for the metrics (tongban/metrics.py) and their alerts: the rows still to send,
how long the oldest has waited, and the rows that failed for good and wait for an administrator."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import now
from notifications.models import Notification, Status


@dataclass(frozen=True)
class Backlog:
    """The outbox at one moment."""

    depth: int
    oldest_age_seconds: float
    failed: int


def backlog(db: Session) -> Backlog:
    """Counts the outbox's unsent and failed rows (two indexed queries on ``status``)."""
    pending = (Status.CREATED, Status.SENDING)
    depth, oldest = db.execute(
        select(func.count(), func.min(Notification.created_at)).where(Notification.status.in_(pending))
    ).one()
    failed = db.scalar(select(func.count()).where(Notification.status == Status.FAILED)) or 0
    age = (now() - oldest).total_seconds() if isinstance(oldest, datetime) else 0.0
    return Backlog(depth=int(depth or 0), oldest_age_seconds=max(age, 0.0), failed=int(failed))
