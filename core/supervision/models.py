"""Dual push tables: push configurations, pushes with their feedback and escalations, item comparisons."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, created_at_column, updated_at_column
from core.items.models import ServiceItem
from core.org.models import Department

supervision_config_department = Table(
    "supervision_config_department",
    Base.metadata,
    Column("config_id", ForeignKey("supervision_config.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
)


class SupervisionConfig(Base):
    """推送配置: which departments receive a service item's approval results, and which of their fields."""

    __tablename__ = "supervision_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), unique=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list, comment="推送的审批结果字段")
    note: Mapped[str] = mapped_column(Text, default="", comment="推送说明，随推送一并发送")
    claim_days: Mapped[int | None] = mapped_column(Integer, comment="认领时限（工作日），空则用系统默认")
    feedback_days: Mapped[int | None] = mapped_column(Integer, comment="反馈时限（工作日），空则用系统默认")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    item: Mapped[ServiceItem] = relationship(lazy="joined")
    departments: Mapped[list[Department]] = relationship(
        secondary=supervision_config_department, lazy="selectin", order_by=(Department.sort_order, Department.id)
    )


class SupervisionPush(Base):
    """审批推送: one approval result sent to one supervising department, with what it received frozen."""

    __tablename__ = "supervision_push"
    __table_args__ = (UniqueConstraint("case_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licence.id"))
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    approving_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True, comment="监管部门")
    case_no: Mapped[str] = mapped_column(String(20))
    licence_no: Mapped[str] = mapped_column(String(40), default="")
    holder_name: Mapped[str] = mapped_column(String(200), comment="持证主体（个人姓名已脱敏）")
    result: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, comment="推送时的审批结果快照")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), index=True, comment="pushed / claimed / fed_back")
    pushed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    claim_days: Mapped[int] = mapped_column(Integer)
    feedback_days: Mapped[int] = mapped_column(Integer)
    claim_due_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    claimed_by_name: Mapped[str] = mapped_column(String(50), default="")
    feedback_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    fed_back_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, comment="当前阶段已催办到的级别")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    item: Mapped[ServiceItem] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(foreign_keys=[department_id], lazy="joined")
    approving_department: Mapped[Department] = relationship(foreign_keys=[approving_department_id], lazy="joined")
    feedback: Mapped["SupervisionFeedback | None"] = relationship(lazy="selectin")
    escalations: Mapped[list["SupervisionEscalation"]] = relationship(
        order_by="SupervisionEscalation.id", lazy="selectin"
    )


class SupervisionFeedback(Base):
    """监管反馈: what the supervising department found, pushed back to the approving department."""

    __tablename__ = "supervision_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("supervision_push.id", ondelete="CASCADE"), unique=True)
    inspected: Mapped[bool] = mapped_column(Boolean, comment="是否已开展检查")
    inspected_on: Mapped[date | None] = mapped_column(Date, comment="检查日期")
    problems_found: Mapped[bool] = mapped_column(Boolean, comment="是否发现问题")
    problems: Mapped[str] = mapped_column(Text, default="", comment="发现的问题")
    measures: Mapped[str] = mapped_column(Text, default="", comment="采取的措施")
    attachment_ids: Mapped[list[int]] = mapped_column(JSON, default=list, comment="附件（上传文件编号）")
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handler_name: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = created_at_column()


class SupervisionEscalation(Base):
    """催办: a push left unclaimed (stage ``claim``) or unanswered (``feedback``) past a level's threshold."""

    __tablename__ = "supervision_escalation"
    __table_args__ = (UniqueConstraint("push_id", "stage", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("supervision_push.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    stage: Mapped[str] = mapped_column(String(12), comment="claim 未认领 / feedback 未反馈")
    level: Mapped[int] = mapped_column(Integer, comment="1 催办本部门 / 2 报告领导")
    due_at: Mapped[datetime] = mapped_column(DateTime, comment="超过的时限")
    escalated_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ItemComparison(Base):
    """事项信息比对: one imported item list compared with our catalogue, kept for review."""

    __tablename__ = "item_comparison"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16), comment="supervision 监管方 / city_platform 市级平台")
    file_name: Mapped[str] = mapped_column(String(255))
    sheet_name: Mapped[str] = mapped_column(String(100), default="")
    their_count: Mapped[int] = mapped_column(Integer, default=0)
    our_count: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    only_ours: Mapped[int] = mapped_column(Integer, default=0)
    only_theirs: Mapped[int] = mapped_column(Integer, default=0)
    differing: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_by_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = created_at_column()

    rows: Mapped[list["ItemComparisonRow"]] = relationship(
        order_by="ItemComparisonRow.id", lazy="selectin", cascade="all, delete-orphan"
    )


class ItemComparisonRow(Base):
    """One finding of a comparison: an item only on our side, only on theirs, or on both with differences."""

    __tablename__ = "item_comparison_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    comparison_id: Mapped[int] = mapped_column(ForeignKey("item_comparison.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12), comment="only_ours / only_theirs / different")
    code: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    matched_by: Mapped[str] = mapped_column(String(8), default="", comment="code 按编码 / name 按名称")
    sheet_row: Mapped[int | None] = mapped_column(Integer, comment="对方表格中的行号")
    service_item_id: Mapped[int | None] = mapped_column(Integer, comment="我方事项编号（报告保留历史，不设外键）")
    differences: Mapped[list[dict[str, str]]] = mapped_column(
        JSON, default=list, comment="逐项差异：field、label、ours、theirs"
    )
