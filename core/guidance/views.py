"""Service guidance API (帮办代办 / 导办): bookings for enterprises and citizens, the 帮办员's list, the roster, the
calendar, statistics and the export for the managers. Thin: core/guidance's services check permission and scope."""

from datetime import date, timedelta
from typing import Literal

from fastapi import APIRouter, Response

from core.clock import today
from core.deps import DB, ChannelUser, CurrentUser, ReadDB
from core.guidance import export, service, staffing, stats
from core.guidance.schemas import (
    BookingIn,
    BookingOut,
    CalendarDay,
    CancelIn,
    FreeHalfDay,
    RatingIn,
    ReassignIn,
    RecordIn,
    StaffIn,
    StaffOut,
    StatsOut,
)

router = APIRouter(prefix="/guidance", tags=["帮办代办"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- service side (enterprises and citizens)


@router.get("/free", response_model=list[FreeHalfDay], summary="可预约的时段与剩余名额")
def free(
    db: ReadDB,
    user: CurrentUser,
    channel: ChannelUser,
    service_item_id: int | None = None,
    project_id: int | None = None,
    days: int = 10,
) -> list[FreeHalfDay]:
    """The coming working days' half-days with their free places for the item (or the caller's own project)."""
    return service.free_half_days(
        db, user, service_item_id=service_item_id, project_id=project_id, count=days, channel_user=channel
    )


@router.post("/bookings", response_model=BookingOut, status_code=201, summary="预约帮办")
def book(data: BookingIn, db: DB, user: CurrentUser, channel: ChannelUser) -> BookingOut:
    """Books guidance; a full half-day is refused (409). The bot books for the account bound to its WeChat user."""
    return BookingOut.from_model(service.book(db, user, data, channel_user=channel))


@router.get("/bookings/mine", response_model=list[BookingOut], summary="我的帮办预约")
def mine(db: ReadDB, user: CurrentUser, channel: ChannelUser) -> list[BookingOut]:
    """The caller's bookings (or those of the account bound to the bot's WeChat user), coming ones first."""
    return [BookingOut.from_model(b) for b in service.list_mine(db, user, channel_user=channel)]


@router.get("/bookings/{booking_id}", response_model=BookingOut, summary="帮办预约详情")
def get_booking(booking_id: int, db: ReadDB, user: CurrentUser) -> BookingOut:
    """A booking its booker, its 帮办员 or a manager may see."""
    return BookingOut.from_model(service.get_for(db, user, booking_id))


@router.post("/bookings/{booking_id}/cancel", response_model=BookingOut, summary="取消帮办预约")
def cancel(booking_id: int, data: CancelIn, db: DB, user: CurrentUser) -> BookingOut:
    """The booker cancels, up to the day before."""
    return BookingOut.from_model(service.cancel(db, user, service.get_for(db, user, booking_id), data))


@router.post("/bookings/{booking_id}/rating", response_model=BookingOut, summary="评价帮办服务")
def rate(booking_id: int, data: RatingIn, db: DB, user: CurrentUser) -> BookingOut:
    """The booker rates the service once it was given."""
    return BookingOut.from_model(service.rate(db, user, service.get_for(db, user, booking_id), data))


# ---------------------------------------------------------------- the 帮办员


@router.get("/assigned", response_model=list[BookingOut], summary="我负责的帮办预约")
def assigned(
    db: ReadDB, user: CurrentUser, when: Literal["today", "upcoming", "done"] = "upcoming"
) -> list[BookingOut]:
    """The 帮办员's own bookings: today's, the coming ones, or those served."""
    return [BookingOut.from_model(b) for b in staffing.list_assigned(db, user, when=when)]


@router.post("/bookings/{booking_id}/record", response_model=BookingOut, summary="填写服务情况")
def record(booking_id: int, data: RecordIn, db: DB, user: CurrentUser) -> BookingOut:
    """What was done; closing marks the booking served."""
    return BookingOut.from_model(staffing.record(db, user, service.get_for(db, user, booking_id), data))


# ---------------------------------------------------------------- the managers


@router.get("/bookings", response_model=list[BookingOut], summary="全部帮办预约")
def list_bookings(
    db: ReadDB,
    user: CurrentUser,
    day_from: date | None = None,
    day_to: date | None = None,
    status: str | None = None,
    staff_id: int | None = None,
    mode: str | None = None,
) -> list[BookingOut]:
    """Every booking in the range (guidance.manage)."""
    found = staffing.BookingFilter(day_from, day_to, status, staff_id, mode)
    return [BookingOut.from_model(b) for b in staffing.list_bookings(db, user, found)]


@router.get("/bookings.xlsx", summary="导出帮办预约（Excel）")
def bookings_xlsx(
    db: DB,
    user: CurrentUser,
    day_from: date | None = None,
    day_to: date | None = None,
    status: str | None = None,
    staff_id: int | None = None,
    mode: str | None = None,
) -> Response:
    """The filtered bookings as a workbook; the export is audited."""
    found = staffing.BookingFilter(day_from, day_to, status, staff_id, mode)
    body = export.bookings_xlsx(db, user, found)
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''%E5%B8%AE%E5%8A%9E%E9%A2%84%E7%BA%A6.xlsx"}
    return Response(body, media_type=XLSX, headers=headers)


@router.post("/bookings/{booking_id}/reassign", response_model=BookingOut, summary="改派帮办员")
def reassign(booking_id: int, data: ReassignIn, db: DB, user: CurrentUser) -> BookingOut:
    """Another 帮办员 on duty who covers the department takes the booking."""
    return BookingOut.from_model(staffing.reassign(db, user, service.get_for(db, user, booking_id), data.staff_id))


@router.get("/staff", response_model=list[StaffOut], summary="帮办员名单")
def list_staff(db: ReadDB, user: CurrentUser) -> list[StaffOut]:
    """The roster."""
    return [StaffOut.from_model(s) for s in staffing.list_staff(db, user)]


@router.post("/staff", response_model=StaffOut, status_code=201, summary="添加帮办员")
def add_staff(data: StaffIn, db: DB, user: CurrentUser) -> StaffOut:
    """Puts a user holding the 帮办员 permission on the roster."""
    return StaffOut.from_model(staffing.save_staff(db, user, None, data))


@router.put("/staff/{staff_id}", response_model=StaffOut, summary="修改帮办员排班")
def update_staff(staff_id: int, data: StaffIn, db: DB, user: CurrentUser) -> StaffOut:
    """Departments covered, places per half-day, days off, active or not."""
    return StaffOut.from_model(staffing.save_staff(db, user, staffing.get_staff(db, user, staff_id), data))


@router.get("/calendar", response_model=list[CalendarDay], summary="帮办预约日历")
def calendar(db: ReadDB, user: CurrentUser, first: date | None = None, last: date | None = None) -> list[CalendarDay]:
    """Each day's working status (调休 shown) and places per half-day; four weeks from today by default."""
    start = first or today()
    return stats.calendar(db, user, first=start, last=last or start + timedelta(days=27))


@router.get("/stats", response_model=StatsOut, summary="帮办服务统计")
def statistics(db: ReadDB, user: CurrentUser, first: date | None = None, last: date | None = None) -> StatsOut:
    """Bookings by mode, department and month, and satisfaction; this year (all of it) by default."""
    end = last or today().replace(month=12, day=31)  # the year's bookings still to serve count too
    return stats.statistics(db, user, first=first or end.replace(month=1, day=1), last=end)
