"""项目预警 (seed 4.9): the warnings a scan raises (the thresholds are core/warning_settings', below cases).

A warning is raised once per state change of its subject — a case, a project node, a milestone or a coordination
issue turning yellow (N working days left) or red (overdue). ``active_key`` makes that a database fact: it holds
``<subject kind>:<subject id>:<level>`` while the subject stays in that state (signed for, handled or closed by
staff alike) and is cleared when the subject leaves it (completed, or given a later due date), so two scans at
once insert one row and a subject that stays red is never warned twice.
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, created_at_column, updated_at_column
from core.org.models import Department


class EarlyWarning(Base):
    """项目预警: one state change of one subject, and how the responsible department dealt with it."""

    __tablename__ = "early_warning"
    __table_args__ = (Index("ix_early_warning_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    active_key: Mapped[str | None] = mapped_column(
        String(60), unique=True, comment="主体仍处于该状态时为 类型:编号:级别，离开后清空；保证同一状态只预警一次"
    )
    subject_kind: Mapped[str] = mapped_column(String(12), comment="case / node / milestone / issue")
    subject_id: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8), index=True, comment="yellow 黄色 / red 红色")
    state: Mapped[str] = mapped_column(
        String(10),
        index=True,
        comment="open 待签收 / signed 已签收 / handled 已处理 / closed 已销警 / ended 已解除（主体完成或改期）",
    )
    major_project_id: Mapped[int | None] = mapped_column(ForeignKey("major_project.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True, comment="责任部门")
    title: Mapped[str] = mapped_column(String(200), comment="如：某项目·施工许可 剩余 2 个工作日")
    due_on: Mapped[date] = mapped_column(Date, comment="预警时主体的到期日")
    raised_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime, comment="升级报告领导的时间")
    announced_at: Mapped[datetime | None] = mapped_column(DateTime, comment="推送给责任部门的时间")
    scan_token: Mapped[str | None] = mapped_column(
        String(36), index=True, comment="最近新增或升级该预警的扫描批次；扫描据此在同一事务中只推送自己新增或升级的预警"
    )
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_by_name: Mapped[str] = mapped_column(String(50), default="")
    handling_reason: Mapped[str] = mapped_column(Text, default="", comment="原因")
    handling_plan: Mapped[str] = mapped_column(Text, default="", comment="措施")
    promised_on: Mapped[date | None] = mapped_column(Date, comment="承诺完成日期")
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closing_note: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str] = mapped_column(String(100), default="", comment="如：节点已完成、已升级为红色预警")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    department: Mapped[Department] = relationship(lazy="joined")


class WarningDigest(Base):
    """A leader's morning digest of one day (one message listing the day's red warnings): at most one per leader
    and day, however often or on how many processes the digest job runs."""

    __tablename__ = "warning_digest"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    warning_count: Mapped[int] = mapped_column(Integer, default=0, comment="列出的红色预警数")
    event_id: Mapped[int | None] = mapped_column(Integer, comment="发出的 warning.digest 事件；无红色预警时为空")
    created_at: Mapped[datetime] = created_at_column()
