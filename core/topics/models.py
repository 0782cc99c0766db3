"""A special topic (专项) keeps its flowchart as data: the steps an admin edits, drawn on the portal."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_at_column, updated_at_column


class SpecialTopic(Base):
    """专项报建指导: one approval area (立项、规划、民防、施工、排水) with its business flowchart."""

    __tablename__ = "special_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, comment="project_setup / planning / ...")
    title: Mapped[str] = mapped_column(String(50), comment="立项专项 / 规划专项 / ...")
    summary: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, comment="流程环节，见 TopicStep")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
