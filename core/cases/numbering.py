"""Case numbers a person can read aloud: prefix, date and a daily sequence, e.g. KF202611260017.

The per-day counter row is updated inside the caller's transaction, so its row lock (MySQL) or the
write lock (SQLite) hands out each number once even when many windows register at the same moment.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.cases.models import CaseNumberCounter
from core.settings import get_settings

_ATTEMPTS = 5


def next_case_no(db: Session, at: datetime) -> str:
    """Returns the next free case number for the day of ``at``."""
    day = at.strftime("%Y%m%d")
    for _ in range(_ATTEMPTS):
        bumped = db.execute(
            update(CaseNumberCounter).where(CaseNumberCounter.day == day).values(last=CaseNumberCounter.last + 1)
        )
        if bumped.rowcount:  # type: ignore[attr-defined]
            seq = db.scalar(select(CaseNumberCounter.last).where(CaseNumberCounter.day == day))
            break
        try:
            with db.begin_nested():
                db.add(CaseNumberCounter(day=day, last=1))
            seq = 1
            break
        except IntegrityError:
            continue  # another window created today's counter first; bump it instead
    else:  # pragma: no cover - five lost races in a row means the database is failing
        raise RuntimeError("无法生成办件编号")
    return f"{get_settings().case_no_prefix}{day}{seq:04d}"
