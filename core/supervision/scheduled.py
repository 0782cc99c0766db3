"""The chasing scan (催办): escalates pushes waiting past their working-day thresholds, one push at a time.

Idempotent: each level of each wait is recorded once (a unique key backs this up), so running the scan
again, or on two processes, escalates nothing twice. A failing push is logged and skipped.
"""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit.context import SYSTEM, acting
from core.clock import now
from core.db import mark_for_writing
from core.supervision import events
from core.supervision.escalation import due_levels, record
from core.supervision.models import SupervisionPush
from core.supervision.service import CLAIMED, PUSHED

log = logging.getLogger(__name__)


def escalate_push(db: Session, push: SupervisionPush) -> int:
    """Records and announces the escalations now due for one push; returns how many."""
    at = now()
    made = 0
    for stage, level, threshold in due_levels(push, at):
        escalation = record(push, stage, level, threshold, at)
        db.flush()
        events.escalated(db, push, escalation)
        made += 1
    return made


def scan_escalations(db: Session) -> int:
    """Escalates every waiting push that passed a threshold; returns how many escalations were made."""
    made = 0
    with acting(SYSTEM, action="supervision.scan_escalations"):
        push_ids = db.scalars(
            select(SupervisionPush.id).where(SupervisionPush.status.in_((PUSHED, CLAIMED))).order_by(SupervisionPush.id)
        ).all()
        db.commit()
        db.expire_all()  # read each push afresh: the session may hold copies older than the last commit
        for push_id in push_ids:
            try:
                mark_for_writing(db)
                push = db.get(SupervisionPush, push_id)
                if push is not None:
                    made += escalate_push(db, push)
                db.commit()
            except IntegrityError:
                db.rollback()  # another scan recorded the same escalation first
            except Exception:
                db.rollback()
                log.exception("审批推送 %s 的催办扫描失败", push_id)
    return made
