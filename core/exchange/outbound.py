"""Staging outbound records: a local record rendered for a counterpart becomes (or updates) its exchange record.

A record seen for the first time is inserted as 待发送. One whose rendering changed (a case accepted, then concluded)
gets a new version, its new payload and checksum, and goes back to 待发送 whatever it was — the counterpart files
the new version over the old. One whose rendering did not change is left alone, so the real-time path and the
nightly batch may both stage the same case without sending it twice. Rows go in with set-based statements (the
nightly batch stages 100,000 cases).
"""

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, insert, select, tuple_, update
from sqlalchemy.orm import Session

from core.exchange import events
from core.exchange.config import settings_of
from core.exchange.enums import Direction, Status
from core.exchange.keys import idempotency_key
from core.exchange.models import ExchangeRecord
from core.exchange.records import Outgoing, mapped
from core.exchange.standard import checksum

CHUNK = 500
RECORDS = cast(Table, ExchangeRecord.__table__)


def stage(db: Session, counterpart: str, records: Iterable[Outgoing]) -> int:
    """Writes or updates the counterpart's exchange records for ``records``; returns how many are (again) to send."""
    config = settings_of(counterpart)
    maps = config.code_maps if config is not None else {}
    latest: dict[tuple[str, str], Outgoing] = {}
    for record in records:
        latest[(record.kind, record.local_id)] = record
    keys = list(latest)
    staged = 0
    for start in range(0, len(keys), CHUNK):
        staged += _stage_chunk(db, counterpart, {k: latest[k] for k in keys[start : start + CHUNK]}, maps)
    if staged:
        events.to_send(db, counterpart)
    return staged


def _stage_chunk(
    db: Session, counterpart: str, chunk: dict[tuple[str, str], Outgoing], maps: dict[str, dict[str, str]]
) -> int:
    existing = {
        (row.kind, row.local_id): (row.id, row.checksum)
        for row in db.execute(
            select(ExchangeRecord.id, ExchangeRecord.kind, ExchangeRecord.local_id, ExchangeRecord.checksum).where(
                ExchangeRecord.counterpart == counterpart,
                ExchangeRecord.direction == Direction.OUT,
                tuple_(ExchangeRecord.kind, ExchangeRecord.local_id).in_(list(chunk)),
            )
        )
    }
    new_rows = []
    changed = 0
    for key, record in chunk.items():
        payload = mapped(record.payload, maps)
        digest = checksum(payload)
        if key not in existing:
            new_rows.append(
                {
                    "counterpart": counterpart,
                    "kind": record.kind,
                    "local_id": record.local_id,
                    "direction": Direction.OUT.value,
                    "idempotency_key": idempotency_key(counterpart, record.kind, record.local_id, Direction.OUT),
                    "version": 1,
                    "payload": payload,
                    "checksum": digest,
                    "business_day": record.day,
                    "status": Status.PENDING.value,
                    "attempts": 0,
                    "last_error": "",
                    "problems": [],
                    "outcome": "",
                    "receipt": "",
                    "lease": "",
                }
            )
        elif existing[key][1] != digest:
            db.execute(
                update(ExchangeRecord)
                .where(ExchangeRecord.id == existing[key][0])
                .values(
                    version=ExchangeRecord.version + 1,
                    payload=payload,
                    checksum=digest,
                    business_day=record.day,
                    status=Status.PENDING,
                    attempts=0,
                    next_attempt_at=None,
                    last_error="",
                    receipt="",
                    sent_at=None,
                    confirmed_at=None,
                    reconciled_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            changed += 1
    if new_rows:
        db.execute(insert(RECORDS), new_rows)  # a Core executemany: no ORM objects for 100,000 rows
    return len(new_rows) + changed
