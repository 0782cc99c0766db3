"""Delivery starts after commit: rows written in a transaction are handed to the task queue once it commits,
and forgotten if it rolls back (they no longer exist).

If the hand-over itself fails (Redis down, the process killed right after commit) nothing is lost: the rows
are in the database, and the sweeper (notifications.tasks.sweep) finds them.
"""

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("tongban.notifications")

_PENDING = "notifications_to_send"


def send_after_commit(session: Session, notification_ids: list[int]) -> None:
    """Queues the rows for delivery when the session's transaction commits."""
    if notification_ids:
        session.info.setdefault(_PENDING, []).extend(notification_ids)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a released SAVEPOINT is announced as a commit too; the rows wait for the outer transaction's
    ids: list[int] = session.info.pop(_PENDING, [])
    if not ids:
        return
    from notifications import tasks

    try:
        tasks.enqueue(ids)
    except Exception:  # the commit stands; the sweeper sends them
        log.exception("通知已保存，但未能交给发送队列（%s 条），将由补发扫描发送", len(ids))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)
