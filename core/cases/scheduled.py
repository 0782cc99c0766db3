"""Periodic work on cases: refresh due dates and 正常/预警/逾期 of open cases, one case at a time."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.context import SYSTEM, acting
from core.cases import service
from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.db import mark_for_writing

log = logging.getLogger(__name__)
OPEN = [CaseStatus.PROCESSING, CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED]


def refresh_open_cases(db: Session) -> int:
    """Refreshes the stored time state of every open case; a failing case is logged and skipped."""
    changed = 0
    with acting(SYSTEM, action="case.scan_deadlines"):
        case_ids = db.scalars(select(Case.id).where(Case.status.in_(OPEN))).all()
        db.commit()
        for case_id in case_ids:
            try:
                mark_for_writing(db)
                case = service.get(db, case_id)
                before = (case.time_state, case.first_overdue_at)
                service.refresh_time_state(case)
                if (case.time_state, case.first_overdue_at) != before:
                    changed += 1
                db.commit()
            except Exception:
                db.rollback()
                log.exception("刷新办件 %s 的时限状态失败", case_id)
    return changed
