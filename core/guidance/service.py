"""Service guidance rules for the service side: who may book, what, when; free half-days; cancelling and rating;
seeing a booking. The 帮办员's and the managers' side is in core/guidance/staffing.py.

A booking takes one place of the least loaded 帮办员 on duty who covers the item's department (core/guidance/
places.py); a full half-day is refused. Every change is audited by the audit hooks (rows and statements).
"""

import secrets
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.calendar.service import add_working_days, is_working_day
from core.clock import now, today
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.guidance import events, places
from core.guidance.enums import PERIOD_HOURS, PERIOD_LABELS, Mode, Period, Status
from core.guidance.models import GuidanceBooking, GuidanceStaff
from core.guidance.schemas import BookingIn, CancelIn, FreeHalfDay, RatingIn
from core.items import service as item_service
from core.org.models import User
from core.org.permissions import Permission
from core.projects.models import Project

BOOK_AHEAD_DAYS = 30
"""How far ahead a booking may be made (calendar days)."""
FULL_MESSAGE = "该时段的帮办名额已约满，请选择其他时段"
GUIDANCE_PERMISSIONS = frozenset({Permission.CASE_APPLY, Permission.GUIDANCE_SERVE, Permission.GUIDANCE_MANAGE})


def require_booker(user: User | None, channel_user: str | None = None, db: Session | None = None) -> User:
    """An enterprise or citizen signed in (staff accounts do not book for themselves) — or, for a service client
    (the bot) speaking for ``wechat:<openid>``, the account bound to that WeChat user."""
    if channel_user is not None and user is not None and Permission.SERVICE_CLIENT in user.permissions:
        return _bound_account(db, channel_user)
    if user is None:
        raise NotAuthenticated("请先登录")
    if user.is_staff or Permission.CASE_APPLY not in user.permissions:
        raise PermissionDenied("帮办预约仅面向办事企业和群众，请使用企业或个人账号登录")
    return user


def _bound_account(db: Session | None, channel_user: str) -> User:
    channel, _, openid = channel_user.partition(":")
    bound = None
    if db is not None and channel == "wechat" and openid:
        query = select(User).where(User.wechat_openid == openid, User.is_active.is_(True), User.is_staff.is_(False))
        bound = db.scalars(query.order_by(User.id)).first()
    if bound is None or Permission.CASE_APPLY not in bound.permissions:
        raise PermissionDenied(
            "预约帮办需要先绑定账号：请在门户网站登录后，在“账号设置”中绑定微信，或直接在门户网站预约"
        )
    return bound


def own_project(db: Session, user: User, project_id: int) -> Project:
    """One of the booker's own projects; 404 for anyone else's (not even confirmed to exist)."""
    project = db.get(Project, project_id)
    if project is None or project.owner_user_id != user.id:
        raise NotFound("项目不存在或不是您单位的项目", field="project_id")
    return project


def _subject(db: Session, user: User, data: BookingIn) -> tuple[str, int | None]:
    """What the booking is about and the department whose 帮办员 guide it (``None``: a project)."""
    if data.project_id is not None:
        return own_project(db, user, data.project_id).name, None
    assert data.service_item_id is not None
    try:
        item = item_service.get(db, data.service_item_id, published_only=True)
    except NotFound as error:
        raise NotFound("事项不存在或未公开", field="service_item_id") from error
    return item.name, item.department_id


def check_day(day: date) -> None:
    """A working day (调休 weekends included), from tomorrow, within :data:`BOOK_AHEAD_DAYS`."""
    if day <= today():
        raise ValidationFailed("请预约明天及以后的工作日", field="day")
    if day > today() + timedelta(days=BOOK_AHEAD_DAYS):
        raise ValidationFailed(f"最多可预约 {BOOK_AHEAD_DAYS} 天内的时段", field="day")
    if not is_working_day(day):
        raise ValidationFailed(f"{day:%Y年%m月%d日}是节假日或休息日，请选择工作日", field="day")


def least_loaded(db: Session, day: date, period: Period, department_id: int | None) -> list[GuidanceStaff]:
    """The 帮办员 on duty covering the department, fewest bookings that half-day first (then that day, then id)."""
    staff = [s for s in places.on_duty(db, day) if places.covers(s, department_id)]
    half = places.taken(db, day, period)
    whole: dict[int, int] = {}
    for other in Period:
        for staff_id, count in places.taken(db, day, other).items():
            whole[staff_id] = whole.get(staff_id, 0) + count
    return sorted(staff, key=lambda s: (half.get(s.id, 0), whole.get(s.id, 0), s.id))


def assign(db: Session, day: date, period: Period, department_id: int | None) -> GuidanceStaff:
    """Takes a place of the least loaded 帮办员 who has one; a full half-day is refused."""
    candidates = least_loaded(db, day, period, department_id)
    if not candidates:
        raise Conflict("该时段没有帮办员值班，请选择其他时段")
    for staff in candidates:
        if places.take(db, staff, day, period):
            return staff
    raise Conflict(FULL_MESSAGE)


def book(db: Session, user: User | None, data: BookingIn, *, channel_user: str | None = None) -> GuidanceBooking:
    """Books guidance and confirms it to the booker and the 帮办员 (for the bot: the bound account)."""
    user = require_booker(user, channel_user, db)
    subject, department_id = _subject(db, user, data)
    address = data.address.strip()
    if data.mode == Mode.ONSITE:
        if data.project_id is None:
            raise ValidationFailed("上门服务仅提供给建设项目，请选择您的项目或改选其他服务方式", field="mode")
        address = address or own_project(db, user, data.project_id).location
        if not address:
            raise ValidationFailed("请填写上门服务的地址", field="address")
    check_day(data.day)
    twice = db.scalar(
        select(func.count(GuidanceBooking.id)).where(
            GuidanceBooking.user_id == user.id,
            GuidanceBooking.day == data.day,
            GuidanceBooking.period == data.period.value,
            GuidanceBooking.status == Status.BOOKED.value,
        )
    )
    if twice:
        raise Conflict("您在该时段已有帮办预约，请勿重复预约")
    staff = assign(db, data.day, data.period, department_id)
    booking = GuidanceBooking(
        booking_no=f"BB{today():%y%m%d}{secrets.randbelow(10**6):06d}",
        user_id=user.id,
        service_item_id=data.service_item_id,
        project_id=data.project_id,
        department_id=department_id,
        subject=subject,
        mode=data.mode.value,
        day=data.day,
        period=data.period.value,
        question=data.question.strip(),
        address=address if data.mode == Mode.ONSITE else "",
        status=Status.BOOKED.value,
        staff_id=staff.id,
    )
    db.add(booking)
    db.flush()
    db.refresh(booking)
    events.booked(db, booking)
    return booking


def free_half_days(
    db: Session,
    user: User | None,
    *,
    service_item_id: int | None,
    project_id: int | None,
    count: int = 10,
    channel_user: str | None = None,
) -> list[FreeHalfDay]:
    """The coming working days' half-days (from tomorrow) with the free places for the item or project."""
    user = require_booker(user, channel_user, db)
    if project_id is not None:
        own_project(db, user, project_id)
        department_id = None
    elif service_item_id is not None:
        department_id = item_service.get(db, service_item_id, published_only=True).department_id
    else:
        raise ValidationFailed("请选择要帮办的事项或项目", field="service_item_id")
    out: list[FreeHalfDay] = []
    day = today()
    for _ in range(min(max(count, 1), 20)):
        day = add_working_days(day, 1)
        if day > today() + timedelta(days=BOOK_AHEAD_DAYS):
            break
        for period in Period:
            places_left = places.half_day(db, day, period, department_id).free
            label = f"{day:%m月%d日} {PERIOD_LABELS[period]} {PERIOD_HOURS[period]}"
            out.append(FreeHalfDay(day=day, period=period.value, label=label, free=places_left))
    return out


def can_view(user: User, booking: GuidanceBooking) -> bool:
    """Its booker, its 帮办员, the managers."""
    return (
        booking.user_id == user.id or booking.staff.user_id == user.id or Permission.GUIDANCE_MANAGE in user.permissions
    )


def get_for(db: Session, user: User | None, booking_id: int) -> GuidanceBooking:
    """A booking the user may see: 403 without any guidance permission, 404 for another's booking."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not (GUIDANCE_PERMISSIONS & user.permissions):
        raise PermissionDenied("您没有帮办预约的权限，如需开通请联系管理员")
    booking = db.get(GuidanceBooking, booking_id)
    if booking is None or not can_view(user, booking):
        raise NotFound("预约不存在或您无权查看")
    return booking


def list_mine(db: Session, user: User | None, *, channel_user: str | None = None) -> list[GuidanceBooking]:
    """The booker's bookings, coming ones first, then the past newest first."""
    user = require_booker(user, channel_user, db)
    rows = list(db.scalars(select(GuidanceBooking).where(GuidanceBooking.user_id == user.id)))
    coming = sorted((b for b in rows if b.status == Status.BOOKED), key=lambda b: (b.day, b.period))
    past = sorted((b for b in rows if b.status != Status.BOOKED), key=lambda b: (b.day, b.id), reverse=True)
    return coming + past


def _own_booking(user: User | None, booking: GuidanceBooking) -> User:
    user = require_booker(user)
    if booking.user_id != user.id:
        raise NotFound("预约不存在或您无权查看")
    return user


def cancel(db: Session, user: User | None, booking: GuidanceBooking, data: CancelIn) -> GuidanceBooking:
    """The booker cancels up to the day before; the place is given back and the 帮办员 told."""
    _own_booking(user, booking)
    if booking.status != Status.BOOKED:
        raise Conflict("该预约已服务或已取消，不能再取消")
    if booking.day <= today():
        raise ValidationFailed("预约当天不能在网上取消，如有变化请致电政务服务中心")
    places.give_back(db, booking.staff_id, booking.day, Period(booking.period))
    booking.status = Status.CANCELLED.value
    booking.cancelled_at = now()
    booking.cancel_reason = data.reason.strip()
    db.flush()
    events.cancelled(db, booking)
    return booking


def rate(db: Session, user: User | None, booking: GuidanceBooking, data: RatingIn) -> GuidanceBooking:
    """满意度评价, once, after the service."""
    _own_booking(user, booking)
    if booking.status != Status.DONE:
        raise Conflict("服务完成后才能评价")
    if booking.rating is not None:
        raise Conflict("您已评价过该次服务")
    booking.rating = data.rating
    booking.rating_comment = data.comment.strip()
    booking.rated_at = now()
    db.flush()
    return booking


def subjects(db: Session, user: User | None) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What the booker may choose: the published items (名称 · 部门) and their own projects."""
    from core.items.models import ServiceItem

    user = require_booker(user)
    items = [
        (item.id, f"{item.name}（{item.department.name}）" if item.department else item.name)
        for item in db.scalars(
            select(ServiceItem)
            .where(ServiceItem.is_published.is_(True))
            .order_by(ServiceItem.department_id, ServiceItem.id)
        )
    ]
    projects = [
        (p.id, p.name) for p in db.scalars(select(Project).where(Project.owner_user_id == user.id).order_by(Project.id))
    ]
    return items, projects


def may_cancel(booking: GuidanceBooking) -> bool:
    """Whether the booker may still cancel (a booking still to serve, before its day)."""
    return booking.status == Status.BOOKED and booking.day > today()
