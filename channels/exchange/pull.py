"""What we read from the counterparts: their records for us (each kind their adapter receives), the acknowledgements
of records they had queued, and their figures for a day's reconciliation. Each read goes on from a cursor kept in
the counterpart's state, so nothing is read twice and nothing is skipped when a pull fails halfway.

Answers: ``GET /records/{kind}?after=<cursor>`` → ``{"records": [{"id", "data"}], "next": cursor}``;
``GET /acks?after=<cursor>`` → ``{"acks": [{"key", "receipt"}], "next": cursor}`` (an acknowledgement may come twice);
``GET /reconcile?day=YYYY-MM-DD`` → ``{"kinds": {kind: {"count", "checksum", "records": {id: checksum}}}}``.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from channels.exchange.client import Client, TransportError
from core.clock import today
from core.exchange import inbound, outbox, reconcile
from core.exchange.adapters import ADAPTERS
from core.exchange.config import settings_of
from core.exchange.models import ExchangeReconciliation
from core.exchange.service import state_of
from core.retry import in_transaction

log = logging.getLogger("tongban.exchange")

MAX_PAGES = 100


@dataclass
class Pulled:
    """What one pull did."""

    used: int = 0
    quarantined: int = 0
    unchanged: int = 0
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)


def _cursor(counterpart: str, name: str) -> str:
    return in_transaction(lambda db: str(state_of(db, counterpart).cursors.get(name, "")))


def _save_cursor(db: Session, counterpart: str, name: str, value: str) -> None:
    state = state_of(db, counterpart)
    state.cursors = {**state.cursors, name: value}


def pull_records(client: Client, counterpart: str, kind: str, done: Pulled) -> None:
    """Reads and uses the counterpart's new records of one kind, page by page."""
    for _ in range(MAX_PAGES):
        after = _cursor(counterpart, kind)
        _status, answer = client.request("GET", f"/records/{kind}", params={"after": after})
        records = answer.get("records", []) if isinstance(answer, dict) else []
        if not records:
            return
        following = str(answer.get("next", ""))

        def use(db: Session, records: list[object] = records, following: str = following) -> inbound.Received:
            received = inbound.receive(db, counterpart, kind, [r for r in records if isinstance(r, dict)])
            _save_cursor(db, counterpart, kind, following)
            return received

        received = in_transaction(use)
        done.used += received.used
        done.quarantined += received.quarantined
        done.unchanged += received.unchanged
        if not following or following == after:
            return


def pull_acks(client: Client, counterpart: str, done: Pulled) -> None:
    """Reads acknowledgements of queued records; a repeated one changes nothing."""
    for _ in range(MAX_PAGES):
        after = _cursor(counterpart, "acks")
        _status, answer = client.request("GET", "/acks", params={"after": after})
        acks = answer.get("acks", []) if isinstance(answer, dict) else []
        if not acks:
            return
        for ack in acks:
            if isinstance(ack, dict) and outbox.acknowledge(
                counterpart, str(ack.get("key", "")), str(ack.get("receipt", ""))
            ):
                done.acknowledged += 1
        following = str(answer.get("next", ""))
        in_transaction(lambda db, following=following: _save_cursor(db, counterpart, "acks", following))  # type: ignore[misc]
        if not following or following == after:
            return


def pull(counterpart: str) -> Pulled:
    """Everything there is to read from one counterpart."""
    done = Pulled()
    config = settings_of(counterpart)
    if config is None:
        return done
    client = Client(config)
    try:
        for kind in ADAPTERS[counterpart].receives:
            try:
                pull_records(client, counterpart, kind, done)
            except TransportError as exc:
                done.errors.append(exc.message)
        try:
            pull_acks(client, counterpart, done)
        except TransportError as exc:
            done.errors.append(exc.message)
    finally:
        client.close()
    for error in done.errors:
        log.warning("从“%s”拉取数据失败：%s", counterpart, error)
    return done


def reconcile_day(counterpart: str, day: date) -> list[ExchangeReconciliation]:
    """Reconciles one day with the counterpart (its figures over HTTP, the comparison in the core)."""
    config = settings_of(counterpart)
    if config is None:
        return []
    client = Client(config)
    try:
        _status, answer = client.request("GET", "/reconcile", params={"day": day.isoformat()})
    finally:
        client.close()
    kinds = answer.get("kinds", {}) if isinstance(answer, dict) else {}

    def compare(db: Session) -> list[ExchangeReconciliation]:
        made = reconcile.compare(db, counterpart, day, kinds if isinstance(kinds, dict) else {})
        state = state_of(db, counterpart)
        state.last_reconciled_on = max(day, state.last_reconciled_on or day)
        return made

    return in_transaction(compare)


def reconcile_yesterday(counterpart: str) -> list[ExchangeReconciliation]:
    """The daily reconciliation: yesterday, once (after the nightly batch)."""
    yesterday = today() - timedelta(days=1)
    last = in_transaction(lambda db: state_of(db, counterpart).last_reconciled_on)
    if last is not None and last >= yesterday:
        return []
    return reconcile_day(counterpart, yesterday)
