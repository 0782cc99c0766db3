"""What the organisation domain announces (core/events): a person signed in.

The sign-in paths call :func:`signed_in` once the person is fully in — a web session started (after the password,
the second step, or registration) or an API token issued for a password. Other domains that keep something
waiting for a person until they sign in listen for it (core/events ``LISTENERS``), so core/org knows nothing of
them: core/projects hands over the projects a guide filed for the person's mobile number before they registered.
"""

from typing import Literal

from sqlalchemy.orm import Session

from core.clock import now
from core.events.kinds import EventKind, UserSignedIn
from core.events.service import publish
from core.org.models import User

Via = Literal["web", "api"]


def signed_in(db: Session, user: User, *, via: Via) -> None:
    """Announces the sign-in in the caller's transaction; nobody is notified (the audit log has ``auth.login``)."""
    payload = UserSignedIn(user_id=user.id, via=via, signed_in_at=now().isoformat(timespec="minutes"))
    publish(db, EventKind.USER_SIGNED_IN, payload, subject=f"user:{user.id}", to=[])
