"""What the exchange announces to its delivery workers: the counterparts that have records to send once the
current transaction commits. Like the notification outbox, the hand-over happens after commit (a rollback forgets
it; the rows were never written) and a lost hand-over loses nothing: the sweeper finds due rows by themselves.
The delivery side (channels/exchange/tasks.py) reads :func:`take` in its after-commit hook."""

from sqlalchemy.orm import Session

_PENDING = "exchange_to_send"


def to_send(db: Session, counterpart: str) -> None:
    """Notes that ``counterpart`` has records to send when this transaction commits."""
    db.info.setdefault(_PENDING, set()).add(counterpart)


def take(db: Session) -> set[str]:
    """The counterparts noted in the transaction that just committed (and forgets them)."""
    found: set[str] = db.info.pop(_PENDING, set())
    return found


def forget(db: Session) -> None:
    """Drops what a rolled-back transaction noted."""
    db.info.pop(_PENDING, None)
