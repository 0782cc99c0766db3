"""Shapes of the service guidance API: bookings (in, out), free half-days, the roster, the calendar and the
statistics."""

from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from core.guidance.enums import MODE_LABELS, PERIOD_HOURS, PERIOD_LABELS, STATUS_LABELS, Mode, Period, Status
from core.guidance.models import GuidanceBooking, GuidanceStaff
from core.security import mask_name


class BookingIn(BaseModel):
    """A booking as the enterprise or citizen makes it: an item or one of their own projects, how, when."""

    service_item_id: int | None = None
    project_id: int | None = None
    mode: Mode
    day: date
    period: Period
    question: str = Field(default="", max_length=1000, description="需要帮办的问题")
    address: str = Field(default="", max_length=300, description="上门服务地址（仅上门服务）")

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if (self.service_item_id is None) == (self.project_id is None):
            raise ValueError("请选择要帮办的事项或项目（二选一）")
        return self


class CancelIn(BaseModel):
    """Why the booker cancels (optional)."""

    reason: str = Field(default="", max_length=200)


class RatingIn(BaseModel):
    """满意度评价 after the service."""

    rating: int = Field(ge=1, le=5, description="1–5 分")
    comment: str = Field(default="", max_length=500)


class RecordIn(BaseModel):
    """What the 帮办员 did; ``close`` ends the booking as served."""

    record: str = Field(min_length=1, max_length=2000, description="服务情况")
    close: bool = True


class ReassignIn(BaseModel):
    """改派: another 帮办员 takes the booking (a place of theirs that half-day)."""

    staff_id: int


class BookingOut(BaseModel):
    """A booking as its booker and the centre's staff see it."""

    id: int
    booking_no: str
    subject: str
    service_item_id: int | None
    project_id: int | None
    department_name: str
    mode: str
    mode_label: str
    day: date
    period: str
    period_label: str
    status: str
    status_label: str
    question: str
    address: str
    staff_id: int
    staff_name: str
    booker_name: str
    record: str
    done_at: datetime | None
    cancelled_at: datetime | None
    rating: int | None
    rating_comment: str
    created_at: datetime

    @classmethod
    def from_model(cls, b: GuidanceBooking) -> Self:
        return cls(
            id=b.id,
            booking_no=b.booking_no,
            subject=b.subject,
            service_item_id=b.service_item_id,
            project_id=b.project_id,
            department_name=b.department.name if b.department else "建设项目",
            mode=b.mode,
            mode_label=MODE_LABELS[Mode(b.mode)],
            day=b.day,
            period=b.period,
            period_label=f"{PERIOD_LABELS[Period(b.period)]} {PERIOD_HOURS[Period(b.period)]}",
            status=b.status,
            status_label=STATUS_LABELS[Status(b.status)],
            question=b.question,
            address=b.address,
            staff_id=b.staff_id,
            staff_name=b.staff.user.name,
            booker_name=mask_name(b.user.name),
            record=b.record,
            done_at=b.done_at,
            cancelled_at=b.cancelled_at,
            rating=b.rating,
            rating_comment=b.rating_comment,
            created_at=b.created_at,
        )


class FreeHalfDay(BaseModel):
    """A half-day with its free places for the chosen item or project."""

    day: date
    period: str
    label: str
    free: int


class StaffIn(BaseModel):
    """A 帮办员 on the roster."""

    user_id: int
    department_ids: list[int] = Field(default_factory=list, description="负责的部门；不选则负责全部部门和建设项目")
    capacity: int = Field(default=3, ge=1, le=20, description="每个半天可接待的预约数")
    is_active: bool = True
    note: str = Field(default="", max_length=200)
    days_off: list[date] = Field(default_factory=list, description="休假日期", max_length=200)


class StaffOut(BaseModel):
    """A 帮办员 as the managers see them."""

    id: int
    user_id: int
    name: str
    department_ids: list[int]
    department_names: list[str]
    capacity: int
    is_active: bool
    note: str
    days_off: list[date]

    @classmethod
    def from_model(cls, s: GuidanceStaff) -> Self:
        return cls(
            id=s.id,
            user_id=s.user_id,
            name=s.user.name,
            department_ids=[d.id for d in s.departments],
            department_names=[d.name for d in s.departments] or ["全部部门和建设项目"],
            capacity=s.capacity,
            is_active=s.is_active,
            note=s.note,
            days_off=[d.day for d in s.days_off],
        )


class CalendarHalfDay(BaseModel):
    """One half-day of the managers' calendar."""

    period: str
    label: str
    capacity: int
    taken: int
    free: int


class CalendarDay(BaseModel):
    """One day of the managers' calendar: working or not (调休 shown), and its half-days."""

    day: date
    weekday: str
    working: bool
    note: str
    staff_on_duty: int
    half_days: list[CalendarHalfDay]


class CountLine(BaseModel):
    """A count under a label."""

    label: str
    count: int


class StatsOut(BaseModel):
    """服务统计 over a range of days."""

    total: int
    done: int
    cancelled: int
    by_mode: list[CountLine]
    by_department: list[CountLine]
    by_month: list[CountLine]
    rated: int
    average_rating: float | None
    satisfied_rate: float | None = Field(description="4 分及以上的比例")
    ratings: list[CountLine]


class HallAppointment(BaseModel):
    """One of today's coming bookings as the hall's screen shows it: no booking number, the booker's name masked."""

    period: str = Field(description="上午 9:00–12:00 / 下午 14:00–17:00")
    mode: str = Field(description="窗口导办 / 线上帮办 / 上门服务")
    subject: str
    department_name: str
    booker_name: str = Field(description="预约人（已脱敏）")


class HallAppointments(BaseModel):
    """Today's guidance bookings for the hall's screen: not cancelled, by mode and by department, and the next ones."""

    total: int
    by_mode: list[CountLine]
    by_department: list[CountLine]
    upcoming: list[HallAppointment]
