"""The admin site's 帮办代办 pages: the 帮办员's own list (today, coming) where they record what was done; for the
managers the roster (departments, places per half-day, days off), the slot calendar across 调休, every booking
with 改派, and the statistics with the Excel export. core/guidance checks every permission."""

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from core.clock import today
from core.deps import DB
from core.errors import ValidationFailed
from core.guidance import service, staffing, stats
from core.guidance.schemas import BookingOut, RecordIn, StaffIn, StaffOut
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from web.common import Form, checked, flash, redirect, render, text, texts, to_date, to_int, validation_message
from web.deps import OnError, Staff

router = APIRouter(include_in_schema=False)

LABELS = {"capacity": "每个半天名额", "record": "服务情况", "days_off": "休假日期", "user_id": "帮办员"}


def guidance_staff(user: Staff) -> User:
    """A 帮办员 or a manager."""
    if not ({Permission.GUIDANCE_SERVE, Permission.GUIDANCE_MANAGE} & user.permissions):
        return org_service.require(user, Permission.GUIDANCE_SERVE)
    return user


GuidanceStaffUser = Annotated[User, Depends(guidance_staff)]


@router.get("/admin/guidance", response_class=HTMLResponse)
def my_list(request: Request, db: DB, user: GuidanceStaffUser, when: str = "upcoming") -> Response:
    """The 帮办员's bookings (today / coming / served) and, for managers, the way to the management pages."""
    when = when if when in ("today", "upcoming", "done") else "upcoming"
    rows = []
    if Permission.GUIDANCE_SERVE in user.permissions:
        rows = [BookingOut.from_model(b) for b in staffing.list_assigned(db, user, when=when)]
    context = {"rows": rows, "when": when, "today": today(), "manager": Permission.GUIDANCE_MANAGE in user.permissions}
    return render(request, "admin/guidance/mine.html", context)


@router.post("/admin/guidance/bookings/{booking_id}/record", response_class=HTMLResponse)
def record(
    booking_id: int, request: Request, db: DB, form: Form, user: GuidanceStaffUser, on_error: OnError
) -> Response:
    """Records what was done (and closes the booking)."""
    back = text(form, "back") if text(form, "back").startswith("/admin/guidance") else "/admin/guidance"
    on_error.redirect(back)
    booking = service.get_for(db, user, booking_id)
    try:
        data = RecordIn(record=text(form, "record"), close=checked(form, "close"))
    except ValidationError as error:
        raise ValidationFailed(validation_message(error, LABELS)) from error
    staffing.record(db, user, booking, data)
    flash(request, f"已保存预约 {booking.booking_no} 的服务情况")
    return redirect(back)


def _staff_form(form: Any) -> StaffIn:
    days = []
    for part in text(form, "days_off").replace("，", ",").replace("、", ",").split(","):
        if part.strip():
            day = to_date(part.strip(), "休假日期")
            if day is not None:
                days.append(day)
    try:
        return StaffIn(
            user_id=to_int(text(form, "user_id"), "帮办员") or 0,
            department_ids=[int(v) for v in texts(form, "department_ids") if v.isdigit()],
            capacity=to_int(text(form, "capacity"), "每个半天名额") or 0,
            is_active=checked(form, "is_active"),
            note=text(form, "note"),
            days_off=days,
        )
    except ValidationError as error:
        raise ValidationFailed(validation_message(error, LABELS)) from error


@router.get("/admin/guidance/roster", response_class=HTMLResponse)
def roster(request: Request, db: DB, user: Staff) -> Response:
    """帮办员排班: the roster and the form to add one."""
    context = {
        "staff": [StaffOut.from_model(s) for s in staffing.list_staff(db, user)],
        "candidates": staffing.candidates(db, user),
        "departments": org_service.list_departments(db=db, active_only=True),
    }
    return render(request, "admin/guidance/roster.html", context)


@router.post("/admin/guidance/roster", response_class=HTMLResponse)
def add_staff(request: Request, db: DB, form: Form, user: Staff, on_error: OnError) -> Response:
    """Puts a 帮办员 on the roster."""
    on_error.redirect("/admin/guidance/roster")
    staff = staffing.save_staff(db, user, None, _staff_form(form))
    flash(request, f"已将{staff.user.name}加入帮办员名单")
    return redirect("/admin/guidance/roster")


@router.post("/admin/guidance/roster/{staff_id}", response_class=HTMLResponse)
def change_staff(staff_id: int, request: Request, db: DB, form: Form, user: Staff, on_error: OnError) -> Response:
    """Changes a 帮办员's departments, places, days off."""
    on_error.redirect("/admin/guidance/roster")
    staff = staffing.save_staff(db, user, staffing.get_staff(db, user, staff_id), _staff_form(form))
    flash(request, f"已保存{staff.user.name}的排班")
    return redirect("/admin/guidance/roster")


@router.get("/admin/guidance/calendar", response_class=HTMLResponse)
def calendar(request: Request, db: DB, user: Staff, first: str = "") -> Response:
    """预约日历: four weeks of places per half-day, 调休 and holidays marked."""
    start = to_date(first, "开始日期") if first else None
    start = start or today()
    days = stats.calendar(db, user, first=start, last=start + timedelta(days=27))
    context = {"days": days, "previous": start - timedelta(days=28), "next": start + timedelta(days=28)}
    return render(request, "admin/guidance/calendar.html", context)


@router.get("/admin/guidance/bookings", response_class=HTMLResponse)
def bookings(request: Request, db: DB, user: Staff, day: str = "") -> Response:
    """Every booking of one day (today by default), with 改派."""
    chosen = (to_date(day, "日期") if day else None) or today()
    rows = [BookingOut.from_model(b) for b in staffing.list_bookings(db, user, staffing.BookingFilter(chosen, chosen))]
    staff = [StaffOut.from_model(s) for s in staffing.list_staff(db, user) if s.is_active]
    return render(request, "admin/guidance/bookings.html", {"rows": rows, "day": chosen, "staff": staff})


@router.post("/admin/guidance/bookings/{booking_id}/reassign", response_class=HTMLResponse)
def reassign(booking_id: int, request: Request, db: DB, form: Form, user: Staff, on_error: OnError) -> Response:
    """改派 to another 帮办员."""
    booking = service.get_for(db, user, booking_id)
    on_error.redirect(f"/admin/guidance/bookings?day={booking.day}")
    staff_id = to_int(text(form, "staff_id"), "帮办员")
    if staff_id is None:
        raise ValidationFailed("请选择改派给哪位帮办员", field="staff_id")
    staffing.reassign(db, user, booking, staff_id)
    flash(request, f"预约 {booking.booking_no} 已改派给{booking.staff.user.name}")
    return redirect(f"/admin/guidance/bookings?day={booking.day}")


@router.get("/admin/guidance/stats", response_class=HTMLResponse)
def statistics(request: Request, db: DB, user: Staff, first: str = "", last: str = "") -> Response:
    """服务统计 and satisfaction over a range (this year by default), with the Excel export."""
    end = (to_date(last, "结束日期") if last else None) or today().replace(month=12, day=31)
    start = (to_date(first, "开始日期") if first else None) or date(end.year, 1, 1)
    found = stats.statistics(db, user, first=start, last=end)
    return render(request, "admin/guidance/stats.html", {"s": found, "first": start, "last": end})
