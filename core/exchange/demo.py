"""Demo data for data exchange: the provincial platform's log for the latest cases (most confirmed and reconciled, a
few refused, retrying or waiting), approvals from the city's platform (one used, two quarantined with their reasons),
and the reconciliation of the latest business day before today with one difference — so every state of the admin
pages shows.

Runs once: when the exchange log has rows it does nothing. Records are made by the same staging and inbound code the
real exchange uses; only their delivery outcome is written directly (no platform is reachable in a demo).
"""

from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.clock import now, today
from core.exchange import inbound, reconcile
from core.exchange.adapters import gov_service
from core.exchange.enums import DELIVERED, Direction, Status
from core.exchange.models import ExchangeRecord
from core.exchange.outbound import stage

CASES = 60
REFUSAL = "对方平台拒收：字段 BJYY 缺少办结理由"
BUSY = "对方平台暂时无法处理（HTTP 503）"


def _reconciled_day(db: Session) -> date:
    """The day the demo's reconciliation is of: the latest day before today with delivered records (yesterday on a
    working day; after a weekend or a holiday, the last day with cases — yesterday may have none at all)."""
    latest = db.scalar(
        select(func.max(ExchangeRecord.business_day)).where(
            ExchangeRecord.counterpart == "gov_service",
            ExchangeRecord.direction == Direction.OUT,
            ExchangeRecord.status.in_([s.value for s in DELIVERED]),
            ExchangeRecord.business_day < today(),
        )
    )
    return latest or today() - timedelta(days=1)


def seed(db: Session) -> int:
    """Seeds the exchange log once; returns how many records it made."""
    if db.scalar(select(func.count()).select_from(ExchangeRecord)):
        return 0
    cases = list(db.scalars(select(Case).where(Case.accepted_at.is_not(None)).order_by(Case.id.desc()).limit(CASES)))
    records = [r for case in cases for r in gov_service.for_case(db, case)]
    stage(db, "gov_service", records)
    db.info.pop("exchange_to_send", None)  # nothing to hand to a sender in a demo
    rows = list(db.scalars(select(ExchangeRecord).order_by(ExchangeRecord.id)))
    moment = now()
    for index, row in enumerate(rows):
        row.attempts = 1
        if index % 23 == 5:
            row.status, row.last_error = Status.FAILED, REFUSAL
        elif index % 29 == 7:
            row.status, row.last_error, row.attempts = Status.RETRYING, BUSY, 3
            row.next_attempt_at = moment + timedelta(minutes=12)
        elif index % 31 == 11:
            row.status, row.attempts = Status.PENDING, 0
        else:
            row.status, row.receipt = Status.CONFIRMED, f"SZW{row.id:08d}"
            row.sent_at = row.confirmed_at = moment
    db.flush()
    day = _reconciled_day(db)
    mine = reconcile.ours(db, "gov_service", day)
    theirs = {kind: {**reconcile.summary(ids), "records": dict(ids)} for kind, ids in mine.items()}
    if "case" in theirs and theirs["case"]["records"]:
        lost = sorted(theirs["case"]["records"])[0]
        del theirs["case"]["records"][lost]
        theirs["case"] |= reconcile.summary(theirs["case"]["records"])
    reconcile.compare(db, "gov_service", day, theirs)
    inbound.receive(
        db,
        "investment",
        "approval",
        [
            {
                "id": "TZ2026-000871",
                "data": {
                    "XMDM": "2026-5116-47-01-0871",
                    "XMMC": "智慧物流园二期",
                    "SPSXBM": "SGXK",
                    "SPSXMC": "建筑工程施工许可证核发",
                    "SPBM": "市住房和城乡建设局",
                    "SLSJ": "2026-09-10 09:30:00",
                },
            },
            {
                "id": "TZ2026-000872",
                "data": {
                    "XMDM": "2026-511602-47-01-000872",
                    "XMMC": "滨江商务楼",
                    "SPSXBM": "GHXK",
                    "SPSXMC": "建设工程规划许可证核发",
                    "SPBM": "市自然资源和规划局",
                    "SLSJ": "2026-09-12 14:00:00",
                    "SPJG": "0",
                    "BJSJ": "2026-09-18 10:00:00",
                },
            },
        ],
    )
    db.execute(
        update(ExchangeRecord)
        .where(ExchangeRecord.direction == Direction.IN)
        .values(sent_at=moment)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return len(rows) + 2
