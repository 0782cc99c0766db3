"""Today's bookings as the hall's screen shows them (政务服务大厅, core/figures): how many by mode and department, and
the next ones still to come. The screen's reader is checked by core/figures (``stats.read``) and passes the one
department a department-scoped reader sees; a booking about a project (no department) counts for readers of every
department only. Bookings are few per day (the roster's places), so this reads them directly: no figures table."""

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.guidance.enums import MODE_LABELS, PERIOD_HOURS, PERIOD_LABELS, Mode, Period, Status
from core.guidance.models import GuidanceBooking
from core.guidance.schemas import CountLine, HallAppointment, HallAppointments
from core.security import mask_name

UPCOMING = 8
"""How many of the next bookings the screen lists."""
NOON = 12
"""From this hour the morning's bookings are past: the list shows the afternoon's."""
PROJECTS = "项目帮办"
"""The department line of bookings about a project (they have no department)."""


def hall_day(db: Session, *, day: date, department_id: int | None, limit: int = UPCOMING) -> HallAppointments:
    """``day``'s bookings that were not cancelled (those of ``department_id`` only, when given)."""
    query = select(GuidanceBooking).where(GuidanceBooking.day == day, GuidanceBooking.status != Status.CANCELLED)
    if department_id is not None:
        query = query.where(GuidanceBooking.department_id == department_id)
    bookings = list(db.scalars(query.order_by(GuidanceBooking.period, GuidanceBooking.id)))
    modes = Counter(b.mode for b in bookings)
    departments = Counter(
        (b.department.short_name or b.department.name) if b.department else PROJECTS for b in bookings
    )
    past_morning = day < now().date() or (day == now().date() and now().hour >= NOON)
    coming = [
        b
        for b in bookings
        if b.status == Status.BOOKED and not (past_morning and b.period == Period.AM) and day >= now().date()
    ]
    return HallAppointments(
        total=len(bookings),
        by_mode=[CountLine(label=MODE_LABELS[m], count=modes[m.value]) for m in Mode],
        by_department=[CountLine(label=name, count=n) for name, n in departments.most_common()],
        upcoming=[
            HallAppointment(
                period=f"{PERIOD_LABELS[Period(b.period)]} {PERIOD_HOURS[Period(b.period)]}",
                mode=MODE_LABELS[Mode(b.mode)],
                subject=b.subject,
                department_name=(b.department.short_name or b.department.name) if b.department else PROJECTS,
                booker_name=mask_name(b.user.name),
            )
            for b in coming[:limit]
        ],
    )
