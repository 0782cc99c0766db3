"""The in-site inbox: a notification to the inbox is delivered the moment its row exists."""

from typing import Any

from core.clock import now
from notifications.models import Notification, Status


def deliver(notification: Notification) -> None:
    """Marks a new inbox row delivered (it is shown in /admin/inbox and /api/v1/me/inbox from now on)."""
    notification.status = Status.DELIVERED
    notification.delivered_at = now()
    notification.next_attempt_at = None


def send(address: str, message: dict[str, Any]) -> str:
    """Nothing leaves the platform for the inbox; here only so that every channel has a sender."""
    return ""
