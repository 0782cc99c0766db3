"""Audit log API (readers with the audit permission)."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from core.audit import service
from core.audit.service import AuditFilter
from core.deps import DB, CurrentUser
from core.org import service as org_service
from core.org.permissions import Permission

router = APIRouter(tags=["审计日志"])


class AuditOut(BaseModel):
    """One audit record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    actor_kind: str
    ip: str
    action: str
    operation: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    """A page of audit records."""

    items: list[AuditOut]
    total: int


def audit_filter(
    actor: str = "",
    action: str = "",
    entity: str = "",
    entity_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> AuditFilter:
    """The log's filter from the query string."""
    return AuditFilter(actor, action, entity, entity_id, date_from, date_to)


@router.get("/audit", response_model=AuditPage, summary="审计日志")
def audit_log(
    db: DB,
    user: CurrentUser,
    filters: Annotated[AuditFilter, Depends(audit_filter)],
    page: int = 1,
    page_size: int = 50,
) -> AuditPage:
    """Who did what, when, with values before and after."""
    org_service.require(user, Permission.AUDIT_READ)
    rows, total = service.search(db, filters, page=page, page_size=page_size)
    return AuditPage(items=[AuditOut.model_validate(r) for r in rows], total=total)
