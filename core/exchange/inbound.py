"""Received records: each is checked field by field (core/exchange/standard.py) and then used by its counterpart's
adapter; a bad one is quarantined (隔离) with its reasons in Chinese and the rest of the batch goes on.

Every received record gets an exchange record (direction 接收) keyed by the counterpart's id for it, so a record
received twice is used once: the same content again changes nothing; changed content is a new version, used again.
A quarantined record waits for an administrator to correct it and replay it (core/exchange/service.py).
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now, today
from core.exchange.adapters import ADAPTERS, Unusable
from core.exchange.enums import Direction, Status
from core.exchange.keys import idempotency_key
from core.exchange.models import ExchangeRecord
from core.exchange.standard import checksum, validate

log = logging.getLogger("tongban.exchange")


@dataclass
class Received:
    """What became of one batch."""

    used: int = 0
    quarantined: int = 0
    unchanged: int = 0
    reasons: list[str] = field(default_factory=list)


def _record(db: Session, counterpart: str, kind: str, their_id: str) -> ExchangeRecord | None:
    return db.scalar(
        select(ExchangeRecord).where(
            ExchangeRecord.counterpart == counterpart,
            ExchangeRecord.kind == kind,
            ExchangeRecord.local_id == their_id,
            ExchangeRecord.direction == Direction.IN,
        )
    )


def use(db: Session, row: ExchangeRecord) -> bool:
    """Checks and uses one received record; True when used, False when quarantined."""
    adapter = ADAPTERS[row.counterpart]
    problems = validate(row.kind, row.payload)
    outcome = ""
    if not problems and adapter.apply is not None:
        try:
            with db.begin_nested():
                outcome = adapter.apply(db, row.kind, dict(row.payload))
        except Unusable as exc:
            problems = [{"field": exc.field, "message": exc.message}]
    if problems:
        row.status = Status.QUARANTINED
        row.problems = problems
        row.last_error = "；".join(p["message"] for p in problems)[:500]
        row.outcome = ""
        return False
    row.status = Status.CONFIRMED
    row.problems = []
    row.last_error = ""
    row.outcome = outcome[:300]
    row.confirmed_at = now()
    return True


def receive(db: Session, counterpart: str, kind: str, batch: list[dict[str, Any]]) -> Received:
    """Uses a batch of ``{"id": their id, "data": {fields}}`` from the counterpart; bad ones are quarantined."""
    done = Received()
    for envelope in batch:
        their_id = str(envelope.get("id") or "")[:64] if isinstance(envelope, dict) else ""
        data = envelope.get("data") if isinstance(envelope, dict) else None
        payload = data if isinstance(data, dict) else {"_原始内容": str(envelope)[:500]}
        if not their_id:
            their_id = f"无编号-{checksum(payload)[:16]}"
        digest = checksum(payload)
        row = _record(db, counterpart, kind, their_id)
        if row is not None and row.checksum == digest and row.status != Status.QUARANTINED:
            done.unchanged += 1
            continue
        if row is None:
            row = ExchangeRecord(
                counterpart=counterpart,
                kind=kind,
                local_id=their_id,
                direction=Direction.IN,
                idempotency_key=idempotency_key(counterpart, kind, their_id, Direction.IN),
                version=1,
                payload=payload,
                checksum=digest,
                business_day=today(),
                status=Status.PENDING,
                attempts=1,
                sent_at=now(),
            )
            db.add(row)
        elif row.checksum != digest:
            row.version += 1
            row.payload = payload
            row.checksum = digest
            row.business_day = today()
            row.attempts = 1
        else:
            row.attempts += 1
        db.flush()
        if use(db, row):
            done.used += 1
        else:
            done.quarantined += 1
            done.reasons.append(f"{their_id}：{row.last_error}")
    if done.quarantined:
        log.warning("“%s”的 %s 条%s记录被隔离", counterpart, done.quarantined, kind)
    return done
