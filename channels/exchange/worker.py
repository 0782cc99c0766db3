"""Sending one counterpart's due records: claim a batch (core/exchange/outbox.py), post it signed, record each
record's outcome from the counterpart's answer, and go on while there is more — until nothing is due, the
counterpart is paused, or a whole batch fails (its records wait for their back-off; the sweeper comes back).

The counterpart answers per record, by the record's wire key (key + version): ``accepted`` or ``duplicate`` (it
already had that version: a resend after a lost answer) → 已确认; ``queued`` → 已发送 (acknowledged later, see
pull.py); ``refused`` → 失败 with its reason. A record its answer does not mention is tried again later. An answer
that mentions a record twice (a double acknowledgement) settles it once: outcomes are fenced on the lease.
"""

import logging
from dataclasses import dataclass
from typing import Any

from channels.exchange.client import Client, TransportError
from core.exchange import outbox
from core.exchange.config import settings_of

log = logging.getLogger("tongban.exchange")

MAX_BATCHES = 1000
"""Batches one drain sends at most before giving the thread back (the sweeper continues)."""


@dataclass
class Drained:
    """What one drain did."""

    confirmed: int = 0
    sent: int = 0
    refused: int = 0
    retrying: int = 0
    batches: int = 0


def _envelope(claimed: outbox.Claimed) -> dict[str, Any]:
    return {
        "key": claimed.wire_key,
        "id": claimed.local_id,
        "version": claimed.version,
        "day": claimed.day,
        "data": claimed.payload,
    }


def send_batch(client: Client, batch: list[outbox.Claimed], done: Drained) -> bool:
    """Posts one batch of one kind and records every outcome (in one transaction); False when the whole batch failed."""
    kind = batch[0].kind
    try:
        _status, answer = client.request("POST", f"/records/{kind}", body={"records": [_envelope(c) for c in batch]})
    except TransportError as exc:
        outbox.settle([outbox.Outcome(c, outbox.RETRY, exc.message) for c in batch])
        done.retrying += len(batch)
        return False
    results: dict[str, dict[str, Any]] = {}
    for result in answer.get("results", []) if isinstance(answer, dict) else []:
        if isinstance(result, dict) and isinstance(result.get("key"), str):
            results.setdefault(result["key"], result)  # a key answered twice: the first answer counts
    outcomes = []
    for claimed in batch:
        result = results.get(claimed.wire_key) or {}
        status = str(result.get("status", ""))
        receipt = str(result.get("receipt", ""))
        if status in ("accepted", "duplicate"):
            outcomes.append(outbox.Outcome(claimed, outbox.CONFIRMED, receipt))
            done.confirmed += 1
        elif status == "queued":
            outcomes.append(outbox.Outcome(claimed, outbox.SENT, receipt))
            done.sent += 1
        elif status == "refused":
            reason = str(result.get("reason") or "未说明原因")
            outcomes.append(outbox.Outcome(claimed, outbox.REFUSED, f"对方平台拒收：{reason}"))
            done.refused += 1
        else:
            outcomes.append(outbox.Outcome(claimed, outbox.RETRY, "对方平台的应答中没有这条记录的结果"))
            done.retrying += 1
    outbox.settle(outcomes)
    return True


def drain(counterpart: str, *, max_batches: int = MAX_BATCHES) -> Drained:
    """Sends the counterpart's due records, batch after batch."""
    done = Drained()
    config = settings_of(counterpart)
    if config is None:
        return done
    client = Client(config)
    try:
        while done.batches < max_batches:
            batch = outbox.claim_batch(counterpart, config.batch_size)
            if not batch:
                break
            done.batches += 1
            if not send_batch(client, batch, done):
                break
    finally:
        client.close()
    if done.refused or done.retrying:
        log.warning("向“%s”发送：确认 %s，拒收 %s，待重试 %s", counterpart, done.confirmed, done.refused, done.retrying)
    return done
