"""The table of 预警设置 (seed 4.9.4)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, updated_at_column
from core.org.models import Department


class WarningSetting(Base):
    """预警设置: when a subject kind turns yellow and when a red warning goes to the leaders, for one department
    (``department_id``) or for every department without its own row (``department_id`` NULL)."""

    __tablename__ = "warning_setting"
    __table_args__ = (UniqueConstraint("subject_kind", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(
        String(12), comment="case 办件 / node 审批节点 / milestone 里程碑 / issue 协调问题"
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id"), index=True, comment="空为默认设置（未单独设置的部门）"
    )
    yellow_days: Mapped[int] = mapped_column(Integer, comment="剩余不超过 N 个工作日时黄色预警")
    escalate_days: Mapped[int] = mapped_column(Integer, comment="红色预警（逾期）满 M 个工作日仍未完成，升级报告领导")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = updated_at_column()

    department: Mapped[Department | None] = relationship(lazy="joined")
