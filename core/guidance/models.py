"""Service guidance tables: the 帮办员 roster (departments covered, places per period, days off), one place
counter per 帮办员 and half-day, and the bookings."""

from datetime import date, datetime

from sqlalchemy import (
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
from core.org.models import Department, User

guidance_staff_department = Table(
    "guidance_staff_department",
    Base.metadata,
    Column("staff_id", ForeignKey("guidance_staff.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
)


class GuidanceStaff(Base):
    """帮办员: a user on the roster, the departments whose items they guide (none: every department and the
    projects), and how many bookings they take per half-day."""

    __tablename__ = "guidance_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    capacity: Mapped[int] = mapped_column(Integer, default=3, comment="每个半天可接待的预约数")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, comment="停用后不再分配新预约")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    user: Mapped[User] = relationship(lazy="joined")
    departments: Mapped[list[Department]] = relationship(
        secondary=guidance_staff_department, lazy="selectin", order_by=(Department.sort_order, Department.id)
    )
    days_off: Mapped[list["GuidanceDayOff"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="GuidanceDayOff.day"
    )


class GuidanceDayOff(Base):
    """A working day a 帮办员 is away (leave, training): no bookings are given to them that day."""

    __tablename__ = "guidance_day_off"
    __table_args__ = (UniqueConstraint("staff_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("guidance_staff.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)


class GuidancePlace(Base):
    """The bookings one 帮办员 holds in one half-day. Taking a place is one conditional UPDATE
    (``taken < capacity``), so two bookings racing for the last place cannot both get it on any database."""

    __tablename__ = "guidance_place"
    __table_args__ = (UniqueConstraint("staff_id", "day", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("guidance_staff.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    period: Mapped[str] = mapped_column(String(2), comment="am / pm")
    taken: Mapped[int] = mapped_column(Integer, default=0)


class GuidanceBooking(Base):
    """帮办预约: who asked for guidance on which item or project, how, when, who gives it, what was done, and the
    booker's rating."""

    __tablename__ = "guidance_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_no: Mapped[str] = mapped_column(String(20), unique=True, comment="预约号")
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True, comment="预约人")
    service_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_item.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200), comment="事项或项目名称（预约时）")
    mode: Mapped[str] = mapped_column(String(8), index=True, comment="window / online / onsite")
    day: Mapped[date] = mapped_column(Date, index=True)
    period: Mapped[str] = mapped_column(String(2), comment="am / pm")
    question: Mapped[str] = mapped_column(Text, default="", comment="需要帮办的问题")
    address: Mapped[str] = mapped_column(String(300), default="", comment="上门服务地址")
    status: Mapped[str] = mapped_column(String(10), index=True, comment="booked / done / cancelled")
    staff_id: Mapped[int] = mapped_column(ForeignKey("guidance_staff.id"), index=True)
    record: Mapped[str] = mapped_column(Text, default="", comment="帮办员填写的服务情况")
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    rating: Mapped[int | None] = mapped_column(Integer, comment="满意度 1–5")
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    staff: Mapped[GuidanceStaff] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])
