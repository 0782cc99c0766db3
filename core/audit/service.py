"""Reading the audit log."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.errors import ValidationFailed


def search(
    db: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[AuditLog], int]:
    """Audit records, newest first, filtered; returns the page and the total count."""
    if page < 1 or not 1 <= page_size <= 200:
        raise ValidationFailed("页码从 1 开始，每页 1–200 条", field="page")
    query = select(AuditLog)
    if actor:
        query = query.where(AuditLog.actor_name.contains(actor.strip()))
    if action:
        query = query.where(AuditLog.action.startswith(action.strip()))
    if entity:
        query = query.where(AuditLog.entity == entity.strip())
    if entity_id:
        query = query.where(AuditLog.entity_id == entity_id.strip())
    if date_from:
        query = query.where(AuditLog.at >= datetime.combine(date_from, time()))
    if date_to:
        query = query.where(AuditLog.at < datetime.combine(date_to + timedelta(days=1), time()))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total
