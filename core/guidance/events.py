"""What service guidance announces (core/events): a booking confirmed (to the booker and the 帮办员), the reminder the
working day before (to the booker), a cancellation (to the 帮办员). Facts only, the booker's name masked."""

from sqlalchemy.orm import Session

from core.events.kinds import EventKind, GuidanceBooked, GuidanceCancelled, GuidanceReminder
from core.events.service import Recipient, publish
from core.guidance.enums import MODE_LABELS, PERIOD_HOURS, PERIOD_LABELS, Mode, Period
from core.guidance.models import GuidanceBooking
from core.security import mask_name
from core.settings import get_settings


def booking_url(booking: GuidanceBooking) -> str:
    """The booker's page of their bookings."""
    return get_settings().site_url(f"/my/guidance/{booking.id}")


def _facts(booking: GuidanceBooking) -> dict[str, object]:
    period = Period(booking.period)
    return {
        "booking_id": booking.id,
        "booking_no": booking.booking_no,
        "subject": booking.subject,
        "mode_label": MODE_LABELS[Mode(booking.mode)],
        "day": booking.day.isoformat(),
        "period_label": f"{PERIOD_LABELS[period]} {PERIOD_HOURS[period]}",
        "staff_name": booking.staff.user.name,
        "booker_name": mask_name(booking.user.name),
        "address": booking.address,
        "url": booking_url(booking),
    }


def booked(db: Session, booking: GuidanceBooking, *, staff_only: bool = False) -> None:
    """Confirms a booking to its booker and its 帮办员 (after 改派, to the new 帮办员 only)."""
    to = [Recipient(user_id=booking.staff.user_id, role="staff")]
    if not staff_only:
        to.insert(0, Recipient(user_id=booking.user_id, role="booker"))
    publish(
        db,
        EventKind.GUIDANCE_BOOKED,
        GuidanceBooked.model_validate(_facts(booking)),
        subject=f"guidance_booking:{booking.id}",
        to=to,
    )


def reminder(db: Session, booking: GuidanceBooking) -> None:
    """Reminds the booker the working day before."""
    publish(
        db,
        EventKind.GUIDANCE_REMINDER,
        GuidanceReminder.model_validate(_facts(booking)),
        subject=f"guidance_booking:{booking.id}",
        to=[Recipient(user_id=booking.user_id, role="booker")],
    )


def cancelled(db: Session, booking: GuidanceBooking) -> None:
    """Tells the 帮办员 a booking of theirs was cancelled."""
    publish(
        db,
        EventKind.GUIDANCE_CANCELLED,
        GuidanceCancelled.model_validate({**_facts(booking), "reason": booking.cancel_reason}),
        subject=f"guidance_booking:{booking.id}",
        to=[Recipient(user_id=booking.staff.user_id, role="staff")],
    )
