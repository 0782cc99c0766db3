"""Daily reconciliation per counterpart: for one business day and each record kind, the count and checksum of what we
delivered against what the counterpart holds, and — when it lists its records — which ones differ.

Both sides compute a day's checksum the same way (core/exchange/standard.py ``day_checksum``) over the latest version
of each record of that day. A kind that matches marks our delivered records of that day 已对账; one that does not
is kept with its differences (对方缺少 / 仅对方有 / 内容不一致) for the admin page, where each can be resent.
"""

from datetime import date
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.clock import now
from core.exchange.enums import DELIVERED, Direction, Status
from core.exchange.models import ExchangeReconciliation, ExchangeRecord
from core.exchange.standard import day_checksum

MAX_DIFFERENCES = 500
"""Differences kept per kind and day (the counts still tell the whole story)."""


def ours(db: Session, counterpart: str, day: date) -> dict[str, dict[str, str]]:
    """Our delivered records of the day by kind: ``{kind: {local id: checksum}}``."""
    found: dict[str, dict[str, str]] = {}
    rows = db.execute(
        select(ExchangeRecord.kind, ExchangeRecord.local_id, ExchangeRecord.checksum).where(
            ExchangeRecord.counterpart == counterpart,
            ExchangeRecord.direction == Direction.OUT,
            ExchangeRecord.business_day == day,
            ExchangeRecord.status.in_([s.value for s in DELIVERED]),
        )
    )
    for kind, local_id, digest in rows:
        found.setdefault(kind, {})[local_id] = digest
    return found


def summary(records: dict[str, str]) -> dict[str, Any]:
    """Count and checksum of one kind's records, as the counterpart answers them too."""
    return {"count": len(records), "checksum": day_checksum(list(records.items()))}


def compare(db: Session, counterpart: str, day: date, theirs: dict[str, Any]) -> list[ExchangeReconciliation]:
    """Compares the day with the counterpart's answer ``{kind: {"count", "checksum", "records"?: {id: checksum}}}``
    and stores one reconciliation per kind (replacing an earlier one of the same day)."""
    mine = ours(db, counterpart, day)
    db.execute(
        delete(ExchangeReconciliation).where(
            ExchangeReconciliation.counterpart == counterpart, ExchangeReconciliation.day == day
        )
    )
    made = []
    for kind in sorted(set(mine) | set(theirs)):
        our_records = mine.get(kind, {})
        their = theirs.get(kind) or {}
        our_sum = summary(our_records)
        their_count = int(their.get("count", 0))
        their_checksum = str(their.get("checksum", ""))
        matched = our_sum["count"] == their_count and our_sum["checksum"] == their_checksum
        differences: list[dict[str, Any]] = []
        listed = their.get("records")
        if not matched and isinstance(listed, dict):
            for local_id in sorted(set(our_records) | set(listed)):
                if local_id not in listed:
                    differences.append({"local_id": local_id, "diff": "missing"})
                elif local_id not in our_records:
                    differences.append({"local_id": local_id, "diff": "extra"})
                elif listed[local_id] != our_records[local_id]:
                    differences.append({"local_id": local_id, "diff": "different"})
        elif not matched:
            differences.append({"local_id": "", "diff": "count"})
        row = ExchangeReconciliation(
            counterpart=counterpart,
            day=day,
            kind=kind,
            our_count=our_sum["count"],
            their_count=their_count,
            our_checksum=our_sum["checksum"],
            their_checksum=their_checksum,
            matched=matched,
            differences=differences[:MAX_DIFFERENCES],
            checked_at=now(),
            note=""
            if len(differences) <= MAX_DIFFERENCES
            else f"差异共 {len(differences)} 条，仅列出前 {MAX_DIFFERENCES} 条",
        )
        db.add(row)
        made.append(row)
        if matched:
            db.execute(
                update(ExchangeRecord)
                .where(
                    ExchangeRecord.counterpart == counterpart,
                    ExchangeRecord.direction == Direction.OUT,
                    ExchangeRecord.business_day == day,
                    ExchangeRecord.kind == kind,
                    ExchangeRecord.status == Status.CONFIRMED,
                )
                .values(status=Status.RECONCILED, reconciled_at=now())
                .execution_options(synchronize_session=False)
            )
    db.flush()
    return made
