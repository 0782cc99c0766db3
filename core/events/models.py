"""The event log: one row per domain event, kept as the record of what was announced to whom."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_at_column


class DomainEvent(Base):
    """Something that happened which concerns people besides the one who did it."""

    __tablename__ = "domain_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), index=True, comment="如 case.concluded、supervision.pushed")
    subject: Mapped[str] = mapped_column(String(64), index=True, comment="对象，如 case:12、push:7")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="通知所需的事实（不含明文证件号）")
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, comment="应通知的对象")
    created_at: Mapped[datetime] = created_at_column()
