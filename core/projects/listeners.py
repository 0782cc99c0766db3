"""What construction filing does when a person signs in (core/events ``LISTENERS``).

A project a guide filed for an enterprise that had no account yet waits under the login name its mobile number
gives (core/projects/proxy.py); the enterprise registers with that number and signs in, and the project joins its
account then, in the sign-in's transaction — before the first page it opens, so the list it sees is complete.
core/org announces the sign-in and does not know who listens; reading projects claims nothing.
"""

from sqlalchemy.orm import Session

from core.events.kinds import EventKind, UserSignedIn
from core.events.models import DomainEvent
from core.events.service import payload_of
from core.org.models import User
from core.projects import service

HANDLED = frozenset({EventKind.USER_SIGNED_IN})
"""The kinds this listener acts on."""


def on_event(db: Session, event: DomainEvent) -> None:
    """Hands the projects waiting for the person's mobile number over to their account."""
    if event.kind not in HANDLED:
        return
    payload = payload_of(event)
    user = db.get(User, payload.user_id) if isinstance(payload, UserSignedIn) else None
    if user is not None:
        service.claim_invitations(db, user)
