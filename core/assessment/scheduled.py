"""Periodic work on assessments: the last period's draft, computed by itself on the first working day of the month
(monthly schemes) or of the quarter (quarterly schemes), for the administrator to review, correct and publish.

"The first working day" is the calendar's (core/calendar, with 调休 and holidays): after National Day the first
working day of October 2026 is Thursday the 8th, so September's draft appears then, not on the 1st. A run after
that day (the machine was off) still computes the draft, so the job may run late.

Safe to run again and on two processes at once: a period that already has a version — a draft computed by hand or
by an earlier run, or a published one — is left alone, so a published result is never touched; two runs computing
the same draft at once meet on the unique (scheme, period, version) and the second gives way. Each scheme has a
transaction of its own: one that fails is logged and the others are still computed.
"""

import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.assessment import periods, service
from core.assessment.models import Assessment, AssessmentScheme
from core.audit.context import SYSTEM, acting
from core.calendar.service import is_working_day
from core.clock import today
from core.db import session_scope
from core.retry import in_transaction

log = logging.getLogger(__name__)


def first_working_day(start: date) -> date:
    """The first working day on or after ``start``."""
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_period(kind: str, on: date) -> periods.Period | None:
    """The period whose draft is due on ``on``: the last one, from the first working day of the current one on."""
    current = periods.containing(kind, on)
    if on < first_working_day(current.start):
        return None
    return periods.previous(kind, on)


def draft_for(db: Session, scheme_id: int, on: date) -> Assessment | None:
    """The scheme's due draft, computed now; None when nothing is due or the period has a version already."""
    scheme = db.get(AssessmentScheme, scheme_id)
    if scheme is None or not scheme.indicators:
        return None
    period = due_period(scheme.period_kind, on)
    if period is None or service.versions(db, scheme.id, period.start):
        return None
    try:
        with db.begin_nested():
            return service.first_draft(db, scheme, period, computed_by_id=None)
    except IntegrityError:
        return None  # another process computed it a moment ago


def compute_due_drafts(on: date | None = None) -> list[str]:
    """Computes every scheme's due draft; what was computed, as 方案名称 2026年9月."""
    day = on or today()
    with session_scope() as db:
        scheme_ids = list(db.scalars(select(AssessmentScheme.id).order_by(AssessmentScheme.id)))
    made: list[str] = []
    with acting(SYSTEM, action="assessment.compute_scheduled"):
        for scheme_id in scheme_ids:
            try:
                label = in_transaction(lambda db, s=scheme_id: _label(draft_for(db, s, day)))  # type: ignore[misc]
            except Exception:
                log.exception("考核方案 %s 的上期考核草稿计算失败", scheme_id)
                continue
            if label:
                made.append(label)
    return made


def _label(assessment: Assessment | None) -> str:
    return f"{assessment.scheme_name} {assessment.period_label}" if assessment is not None else ""
