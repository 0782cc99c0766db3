"""The reminder the working day before (帮办预约提醒): on a working day, every booking still to serve on the next
working day that was not reminded yet is reminded once (``reminded_at``), so running the job again, late or on
two processes at once reminds nobody twice (the row's update is conditional)."""

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.audit.context import SYSTEM, acting
from core.calendar.service import add_working_days, is_working_day
from core.clock import now, today
from core.db import mark_for_writing
from core.guidance import events
from core.guidance.enums import Status
from core.guidance.models import GuidanceBooking

log = logging.getLogger(__name__)


def send_reminders(db: Session) -> int:
    """Reminds the bookers of the next working day's bookings; returns how many were reminded."""
    day = today()
    if not is_working_day(day):
        return 0
    target = add_working_days(day, 1)
    sent = 0
    with acting(SYSTEM, action="guidance.reminders"):
        ids = db.scalars(
            select(GuidanceBooking.id).where(
                GuidanceBooking.day == target,
                GuidanceBooking.status == Status.BOOKED.value,
                GuidanceBooking.reminded_at.is_(None),
            )
        ).all()
        db.commit()
        for booking_id in ids:
            try:
                mark_for_writing(db)
                claimed = db.execute(
                    update(GuidanceBooking)
                    .where(GuidanceBooking.id == booking_id, GuidanceBooking.reminded_at.is_(None))
                    .values(reminded_at=now())
                    .execution_options(synchronize_session=False)
                )
                if getattr(claimed, "rowcount", 0) == 1:
                    booking = db.get(GuidanceBooking, booking_id)
                    assert booking is not None
                    db.refresh(booking)
                    events.reminder(db, booking)
                    sent += 1
                db.commit()
            except Exception:
                db.rollback()
                log.exception("帮办预约 %s 的提醒发送失败", booking_id)
    return sent
