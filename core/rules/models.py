"""Versions of the derivation rule set: one draft being edited, one published, the rest kept for history."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_at_column


class RuleSetVersion(Base):
    """A whole rule-set document (approvals, intermediaries, rules) as it stood at one version."""

    __tablename__ = "rule_set_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(12), index=True, comment="draft / published / retired")
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    based_on: Mapped[int | None] = mapped_column(Integer, comment="起草或回滚所依据的版本号")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
