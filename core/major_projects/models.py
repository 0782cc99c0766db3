"""重大项目跟踪 (seed 4.8): the register of major projects, the approval nodes of each project's flow with their
planned and actual dates, milestones, problems raised for coordination and 会商 meetings.

A node is one approval of the project's confirmed flow (or one added by hand); a case registered for the project
(``case.major_project_id``) fills its node's actual dates as it is accepted and concluded. Dates are calendar
dates; planned dates come from working days (core/calendar) and can be moved by hand.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, created_at_column, updated_at_column
from core.org.models import Department, User


class MajorProject(Base):
    """A major project (重大产业项目、重点实事工程 …) followed from filing to production."""

    __tablename__ = "major_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, comment="重大项目编号，如 ZD2026-001")
    name: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(
        String(20), index=True, comment="industry 重大产业项目 / livelihood 重点实事工程 / infrastructure / other"
    )
    stage: Mapped[str] = mapped_column(
        String(20),
        index=True,
        comment="preparation 前期 / approval 审批 / construction 建设 / completed 竣工 / operating 投产",
    )
    status: Mapped[str] = mapped_column(
        String(12), index=True, default="active", comment="active / finished / cancelled"
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id"), unique=True, comment="来源报建项目（按其确认的流程生成审批节点）"
    )
    project_code: Mapped[str] = mapped_column(String(40), default="", comment="投资项目代码（在线审批监管平台）")
    enterprise_name: Mapped[str] = mapped_column(String(200), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="", comment="统一社会信用代码")
    location: Mapped[str] = mapped_column(String(300), default="")
    investment: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0), comment="总投资（万元）")
    description: Mapped[str] = mapped_column(Text, default="")
    lead_department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id"), index=True, comment="牵头（责任）部门，决定数据范围"
    )
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True, comment="责任领导")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True, comment="一对一帮办专员")
    planned_start: Mapped[date | None] = mapped_column(Date, comment="计划开工")
    planned_finish: Mapped[date | None] = mapped_column(Date, comment="计划竣工（投产）")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    lead_department: Mapped[Department] = relationship(lazy="joined")
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id], lazy="joined")
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id], lazy="joined")
    nodes: Mapped[list["ProjectNode"]] = relationship(
        order_by="(ProjectNode.position, ProjectNode.id)", lazy="selectin", back_populates="major_project"
    )
    milestones: Mapped[list["Milestone"]] = relationship(
        order_by="(Milestone.position, Milestone.id)", lazy="selectin", back_populates="major_project"
    )


class ProjectNode(Base):
    """审批节点: one approval of the project's flow, with its department, dependencies and dates."""

    __tablename__ = "project_node"
    __table_args__ = (UniqueConstraint("major_project_id", "approval_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    major_project_id: Mapped[int] = mapped_column(ForeignKey("major_project.id", ondelete="CASCADE"), index=True)
    approval_code: Mapped[str] = mapped_column(String(50), comment="流程中的审批事项编码")
    name: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(20), default="", comment="审批阶段编码（立项用地、工程建设许可 …）")
    stage_name: Mapped[str] = mapped_column(String(50), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    service_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_item.id"), index=True, comment="对应的服务事项：为本项目登记的该事项办件填写实际日期"
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    depends_on: Mapped[list[str]] = mapped_column(JSON, default=list, comment="前置审批事项编码")
    time_limit_days: Mapped[int] = mapped_column(Integer, default=0, comment="承诺时限（工作日）")
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_finish: Mapped[date | None] = mapped_column(Date, index=True)
    planned_fixed: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="计划日期已手工调整：重新编排时保留，后续节点从它排起"
    )
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_finish: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(
        String(12),
        index=True,
        default="pending",
        comment="pending 未开始 / in_progress 办理中 / done 已完成 / skipped 不涉及",
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True, comment="填写实际日期的办件")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = updated_at_column()

    major_project: Mapped[MajorProject] = relationship(back_populates="nodes")
    department: Mapped[Department] = relationship(lazy="joined")


class Milestone(Base):
    """里程碑: 拿地、开工、主体封顶、竣工验收、投产 or one named by hand, with planned and actual dates."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    major_project_id: Mapped[int] = mapped_column(ForeignKey("major_project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(
        String(30), comment="land / groundbreaking / topping_out / completion_acceptance / production / custom"
    )
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True, comment="责任部门")
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_finish: Mapped[date] = mapped_column(Date, index=True)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_finish: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = updated_at_column()

    major_project: Mapped[MajorProject] = relationship(back_populates="milestones")
    department: Mapped[Department | None] = relationship(lazy="joined")


class CoordinationIssue(Base):
    """问题协调: a problem raised for coordination — who raised it, what, which departments, by when."""

    __tablename__ = "coordination_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    major_project_id: Mapped[int] = mapped_column(ForeignKey("major_project.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    raised_by_name: Mapped[str] = mapped_column(String(50), default="")
    due_on: Mapped[date] = mapped_column(Date, index=True, comment="要求解决日期")
    status: Mapped[str] = mapped_column(String(12), index=True, default="open", comment="open / replied / closed")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closing_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    departments: Mapped[list["IssueDepartment"]] = relationship(
        order_by="IssueDepartment.id", lazy="selectin", cascade="all, delete-orphan"
    )
    replies: Mapped[list["IssueReply"]] = relationship(order_by="IssueReply.id", lazy="selectin")


class IssueDepartment(Base):
    """A department asked to help solve a coordination issue."""

    __tablename__ = "issue_department"
    __table_args__ = (UniqueConstraint("issue_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("coordination_issue.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)

    department: Mapped[Department] = relationship(lazy="joined")


class IssueReply(Base):
    """A department's reply to a coordination issue."""

    __tablename__ = "issue_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("coordination_issue.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    author_name: Mapped[str] = mapped_column(String(50), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    department: Mapped[Department | None] = relationship(lazy="joined")


class Meeting(Base):
    """会商: a meeting held on the project, with its decisions."""

    __tablename__ = "project_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    major_project_id: Mapped[int] = mapped_column(ForeignKey("major_project.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    host_name: Mapped[str] = mapped_column(String(50), default="", comment="主持人")
    participants: Mapped[str] = mapped_column(Text, default="", comment="参会单位和人员")
    summary: Mapped[str] = mapped_column(Text, default="", comment="会议纪要")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()

    decisions: Mapped[list["MeetingDecision"]] = relationship(
        order_by="MeetingDecision.id", lazy="selectin", cascade="all, delete-orphan"
    )


class MeetingDecision(Base):
    """A decision of a 会商 meeting: what, whose (department and person), by when, done when."""

    __tablename__ = "meeting_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("project_meeting.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(50), default="", comment="责任人")
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    department: Mapped[Department | None] = relationship(lazy="joined")
