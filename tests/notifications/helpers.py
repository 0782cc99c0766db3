"""Arranging notifications directly in the database for tests that start from a given delivery state."""

from sqlalchemy.orm import Session

from core.clock import now
from core.events.models import DomainEvent
from notifications.models import Channel, Notification, Status


def stored_notification(
    db: Session,
    *,
    user_id: int | None,
    channel: Channel = Channel.INBOX,
    status: Status = Status.DELIVERED,
    title: str = "办件已受理：占用、挖掘城市道路审批",
    address: str = "",
    last_error: str = "",
) -> Notification:
    """An event and one notification of it, committed."""
    event = DomainEvent(kind="case.accepted", subject="case:1", data={}, recipients=[])
    db.add(event)
    db.flush()
    row = Notification(
        idempotency_key=f"e{event.id}:{channel}:u{user_id}",
        event_id=event.id,
        kind=event.kind,
        user_id=user_id,
        channel=channel,
        address=address,
        title=title,
        body="您申请的事项已受理。",
        link="http://127.0.0.1:8000/progress?case_no=KF1",
        payload={},
        status=status,
        attempts=3 if status == Status.FAILED else 0,
        last_error=last_error,
        next_attempt_at=None if status != Status.CREATED else now(),
        delivered_at=now() if status == Status.DELIVERED else None,
    )
    db.add(row)
    db.commit()
    return row
