"""The 帮办员's and the managers' side: the roster (departments covered, places, days off), the 帮办员's own list
and what they record, every booking for the managers, and 改派 (reassigning a booking to another 帮办员)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now, today
from core.errors import Conflict, NotFound, ValidationFailed
from core.guidance import events, places
from core.guidance.enums import Period, Status
from core.guidance.models import GuidanceBooking, GuidanceDayOff, GuidanceStaff
from core.guidance.schemas import RecordIn, StaffIn
from core.org import service as org_service
from core.org.models import Department, User
from core.org.permissions import Permission


def require_manager(user: User | None) -> User:
    """帮办管理 (guidance.manage)."""
    return org_service.require(user, Permission.GUIDANCE_MANAGE)


def list_staff(db: Session, user: User | None) -> list[GuidanceStaff]:
    """The roster, active first."""
    require_manager(user)
    staff = db.scalars(select(GuidanceStaff).order_by(GuidanceStaff.is_active.desc(), GuidanceStaff.id))
    return list(staff)


def get_staff(db: Session, user: User | None, staff_id: int) -> GuidanceStaff:
    """One 帮办员 of the roster."""
    require_manager(user)
    staff = db.get(GuidanceStaff, staff_id)
    if staff is None:
        raise NotFound("帮办员不存在")
    return staff


def save_staff(db: Session, user: User | None, staff: GuidanceStaff | None, data: StaffIn) -> GuidanceStaff:
    """Puts a user with the 帮办员 permission on the roster, or changes their departments, places and days off.
    Bookings already made stay with them (a day off added later does not move them: the managers reassign)."""
    require_manager(user)
    person = db.get(User, data.user_id)
    if person is None or not person.is_active or not person.is_staff:
        raise ValidationFailed("请选择一名在职的工作人员", field="user_id")
    if Permission.GUIDANCE_SERVE not in person.permissions:
        raise ValidationFailed(f"{person.name}还没有帮办员权限，请先为其分配“帮办员”角色", field="user_id")
    other = db.scalar(select(GuidanceStaff).where(GuidanceStaff.user_id == person.id))
    if other is not None and (staff is None or other.id != staff.id):
        raise Conflict(f"{person.name}已在帮办员名单中")
    departments = list(db.scalars(select(Department).where(Department.id.in_(set(data.department_ids)))))
    if len(departments) != len(set(data.department_ids)):
        raise ValidationFailed("所选部门不存在", field="department_ids")
    if staff is None:
        staff = GuidanceStaff(user_id=person.id)
        db.add(staff)
    staff.user_id = person.id
    staff.capacity = data.capacity
    staff.is_active = data.is_active
    staff.note = data.note.strip()
    staff.departments = departments
    wanted = set(data.days_off)
    staff.days_off = [d for d in staff.days_off if d.day in wanted] + [
        GuidanceDayOff(day=day) for day in sorted(wanted - {d.day for d in staff.days_off})
    ]
    db.flush()
    return staff


def staff_of(db: Session, user: User) -> GuidanceStaff | None:
    """The user's roster entry, if they are a 帮办员."""
    return db.scalar(select(GuidanceStaff).where(GuidanceStaff.user_id == user.id))


def list_assigned(db: Session, user: User | None, *, when: str = "upcoming") -> list[GuidanceBooking]:
    """The 帮办员's own bookings: ``today``, ``upcoming`` (today and later, still to serve) or ``done``."""
    user = org_service.require(user, Permission.GUIDANCE_SERVE)
    staff = staff_of(db, user)
    if staff is None:
        return []
    query = select(GuidanceBooking).where(GuidanceBooking.staff_id == staff.id)
    if when == "today":
        query = query.where(GuidanceBooking.day == today(), GuidanceBooking.status != Status.CANCELLED.value)
    elif when == "done":
        query = query.where(GuidanceBooking.status == Status.DONE.value)
    else:
        query = query.where(GuidanceBooking.day >= today(), GuidanceBooking.status == Status.BOOKED.value)
    order = (GuidanceBooking.day.desc(),) if when == "done" else (GuidanceBooking.day, GuidanceBooking.period)
    return list(db.scalars(query.order_by(*order, GuidanceBooking.id)))


@dataclass(frozen=True)
class BookingFilter:
    """The managers' list filters."""

    day_from: date | None = None
    day_to: date | None = None
    status: str | None = None
    staff_id: int | None = None
    mode: str | None = None


def list_bookings(db: Session, user: User | None, found: BookingFilter) -> list[GuidanceBooking]:
    """Every booking in the range, for the managers (the day's list, the export)."""
    require_manager(user)
    query = select(GuidanceBooking)
    if found.day_from:
        query = query.where(GuidanceBooking.day >= found.day_from)
    if found.day_to:
        query = query.where(GuidanceBooking.day <= found.day_to)
    if found.status:
        query = query.where(GuidanceBooking.status == found.status)
    if found.staff_id:
        query = query.where(GuidanceBooking.staff_id == found.staff_id)
    if found.mode:
        query = query.where(GuidanceBooking.mode == found.mode)
    return list(db.scalars(query.order_by(GuidanceBooking.day, GuidanceBooking.period, GuidanceBooking.id).limit(5000)))


def record(db: Session, user: User | None, booking: GuidanceBooking, data: RecordIn) -> GuidanceBooking:
    """The 帮办员 (or a manager) records what was done; closing it marks the booking served (from its day on)."""
    user = org_service.require(user, Permission.GUIDANCE_SERVE)
    if booking.staff.user_id != user.id and Permission.GUIDANCE_MANAGE not in user.permissions:
        raise NotFound("预约不存在或您无权查看")
    if booking.status == Status.CANCELLED:
        raise Conflict("该预约已取消")
    if data.close and booking.day > today():
        raise ValidationFailed("预约日当天及以后才能办结该次服务")
    booking.record = data.record.strip()
    if data.close and booking.status == Status.BOOKED:
        booking.status = Status.DONE.value
        booking.done_at = now()
    db.flush()
    return booking


def reassign(db: Session, user: User | None, booking: GuidanceBooking, staff_id: int) -> GuidanceBooking:
    """改派: the new 帮办员 takes a place of theirs that half-day, the old one's place is freed."""
    require_manager(user)
    if booking.status != Status.BOOKED:
        raise Conflict("只有待服务的预约可以改派")
    target = db.get(GuidanceStaff, staff_id)
    if target is None:
        raise NotFound("帮办员不存在", field="staff_id")
    if target.id == booking.staff_id:
        raise ValidationFailed("该预约已由这位帮办员负责", field="staff_id")
    if target not in places.on_duty(db, booking.day):
        raise ValidationFailed(f"{target.user.name}当天不值班", field="staff_id")
    if not places.covers(target, booking.department_id):
        raise ValidationFailed(f"{target.user.name}不负责该部门的事项", field="staff_id")
    period = Period(booking.period)
    if not places.take(db, target, booking.day, period):
        raise Conflict(f"{target.user.name}该时段已约满")
    places.give_back(db, booking.staff_id, booking.day, period)
    booking.staff_id = target.id
    db.flush()
    db.refresh(booking)
    events.booked(db, booking, staff_only=True)
    return booking


def candidates(db: Session, user: User | None) -> list[User]:
    """Active staff holding the 帮办员 permission and not on the roster yet (whom the managers may add)."""
    require_manager(user)
    on_roster = set(db.scalars(select(GuidanceStaff.user_id)))
    staff = db.scalars(select(User).where(User.is_active.is_(True), User.is_staff.is_(True)).order_by(User.id))
    return [u for u in staff if Permission.GUIDANCE_SERVE in u.permissions and u.id not in on_roster]
