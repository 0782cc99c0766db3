"""预警按时签收率 and 预警销警率: measured over the period's warnings in Python rather than in SQL, because the sign
deadline is counted in working days (core/calendar, 调休 included); warnings are few beside the cases. The same
predicates decide the aggregate and the explanation."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assessment.counted import Counted, Measure, when
from core.assessment.indicators import SIGN_WORKING_DAYS
from core.assessment.periods import Period
from core.calendar.service import add_working_days
from core.early_warnings.models import EarlyWarning


@lru_cache(maxsize=1024)
def sign_deadline(raised_on: date) -> datetime:
    """When a warning raised that day must be signed for: 17:30 of the next working day."""
    return datetime.combine(add_working_days(raised_on, SIGN_WORKING_DAYS), time(17, 30))


@dataclass(frozen=True)
class _Warning:
    id: int
    department_id: int
    title: str
    raised_at: datetime
    signed_at: datetime | None
    closed_at: datetime | None
    ended_at: datetime | None


def _sign_counts(w: _Warning) -> bool:
    """Counted for signing unless it ended by itself, unsigned, before its deadline."""
    return not (w.signed_at is None and w.ended_at is not None and w.ended_at <= sign_deadline(w.raised_at.date()))


def _signed_in_time(w: _Warning) -> bool:
    return w.signed_at is not None and w.signed_at <= sign_deadline(w.raised_at.date())


def _close_counts(w: _Warning) -> bool:
    """Counted for closing unless it ended by itself (its subject completed or was given a later date)."""
    return not (w.closed_at is None and w.ended_at is not None)


def _closed(w: _Warning, period: Period) -> bool:
    return w.closed_at is not None and w.closed_at < period.end_at


def _warnings(db: Session, period: Period, department_id: int | None = None) -> list[_Warning]:
    query = select(
        EarlyWarning.id,
        EarlyWarning.department_id,
        EarlyWarning.title,
        EarlyWarning.raised_at,
        EarlyWarning.signed_at,
        EarlyWarning.closed_at,
        EarlyWarning.ended_at,
    ).where(EarlyWarning.raised_at >= period.start_at, EarlyWarning.raised_at < period.end_at)
    if department_id is not None:
        query = query.where(EarlyWarning.department_id == department_id)
    return [_Warning(*row) for row in db.execute(query.order_by(EarlyWarning.id))]


def warning_measures(db: Session, period: Period) -> dict[str, dict[int, Measure]]:
    """预警按时签收率 and 预警销警率 of every department (the sign deadline is in working days, so counted here
    over the period's warnings rather than in SQL; they are few beside the cases)."""
    sign: dict[int, list[int]] = {}
    close: dict[int, list[int]] = {}
    for w in _warnings(db, period):
        if _sign_counts(w):
            tally = sign.setdefault(w.department_id, [0, 0])
            tally[0] += _signed_in_time(w)
            tally[1] += 1
        if _close_counts(w):
            tally = close.setdefault(w.department_id, [0, 0])
            tally[0] += _closed(w, period)
            tally[1] += 1
    return {
        "warning_sign_rate": {d: (Decimal(a), Decimal(b)) for d, (a, b) in sign.items()},
        "warning_close_rate": {d: (Decimal(a), Decimal(b)) for d, (a, b) in close.items()},
    }


def explain_warnings(db: Session, period: Period, department_id: int, code: str) -> list[Counted]:
    """The department's warnings raised in the period that the indicator counted."""
    found = []
    for w in _warnings(db, period, department_id):
        if code == "warning_sign_rate":
            if not _sign_counts(w):
                continue
            good = _signed_in_time(w)
            signed = f"于 {when(w.signed_at)} 签收" if w.signed_at else "至今未签收"
            why = f"发出 {when(w.raised_at)}，应于 {when(sign_deadline(w.raised_at.date()))} 前签收，{signed}"
        else:
            if not _close_counts(w):
                continue
            good = _closed(w, period)
            closed = f"于 {when(w.closed_at)} 销警" if w.closed_at else "至今未销警"
            why = f"发出 {when(w.raised_at)}，{closed}；考核期末 {when(period.end)}"
        found.append(Counted("预警", w.id, f"预警{w.id}", w.title, good, why))
    return found
