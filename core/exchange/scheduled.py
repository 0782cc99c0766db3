"""The nightly batch (core/jobs.py): whatever the real-time path missed is staged for every connected counterpart —
the cases changed since the last batch (all of them the first time), the items, the month's aggregate feeds.

Staging compares checksums (core/exchange/outbound.py), so a case the real-time path already staged is not sent
again. It runs once a night, from ``exchange_batch_hour``, each counterpart in its own transactions of
``CHUNK`` cases, so a failure costs one chunk (the next night takes it again) and no transaction grows large.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.clock import now, today
from core.exchange.adapters import Adapter
from core.exchange.config import connected
from core.exchange.models import ExchangeCounterpartState
from core.exchange.outbound import stage
from core.exchange.records import Outgoing, forget_licences, item_record, prefetch_licences
from core.items.models import ServiceItem
from core.retry import in_transaction
from core.settings import get_settings

log = logging.getLogger("tongban.exchange")

CHUNK = 1000


@dataclass
class BatchReport:
    """What one night's batch staged, by counterpart."""

    staged: dict[str, int] = field(default_factory=dict)
    cases: int = 0


def _case_ids(db: Session, since: datetime | None, after: int) -> list[int]:
    query = select(Case.id).where(Case.id > after)
    if since is not None:
        query = query.where(Case.updated_at >= since)
    return list(db.scalars(query.order_by(Case.id).limit(CHUNK)))


def _stage_cases(db: Session, adapter: Adapter, ids: list[int]) -> int:
    assert adapter.for_case is not None
    cases = list(db.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)))
    prefetch_licences(db, ids)
    try:
        records: list[Outgoing] = []
        for case in cases:
            records += adapter.for_case(db, case)
        return stage(db, adapter.code, records)
    finally:
        forget_licences(db)


def batch(adapter: Adapter, *, since: datetime | None, day: date) -> tuple[int, int]:
    """Stages one counterpart's records changed since ``since`` (everything when ``None``); returns (records, cases)."""
    staged = cases = 0
    if adapter.for_case is not None:
        after = 0
        while True:
            ids = in_transaction(lambda db, after=after: _case_ids(db, since, after))  # type: ignore[misc]
            if not ids:
                break
            staged += in_transaction(lambda db, ids=ids: _stage_cases(db, adapter, ids))  # type: ignore[misc]
            cases += len(ids)
            after = ids[-1]
    if adapter.sends_items:

        def items(db: Session) -> int:
            query = select(ServiceItem).where(ServiceItem.is_published.is_(True))
            if since is not None:
                query = query.where(ServiceItem.updated_at >= since)
            return stage(db, adapter.code, [item_record(i) for i in db.scalars(query)])

        staged += in_transaction(items)
    if adapter.feed is not None:
        feed = adapter.feed
        months = [day] + ([day.replace(day=1) - timedelta(days=1)] if day.day <= 3 else [])
        staged += in_transaction(lambda db: sum(stage(db, adapter.code, feed(db, m)) for m in months))
    return staged, cases


def nightly(*, force: bool = False) -> BatchReport:
    """Once a night (from ``exchange_batch_hour``), each connected counterpart's batch; ``force`` runs it now."""
    report = BatchReport()
    moment, day = now(), today()
    if not force and moment.hour < get_settings().exchange_batch_hour:
        return report
    for adapter in connected():

        def last(db: Session, code: str = adapter.code) -> date | None:
            state = db.get(ExchangeCounterpartState, code)
            return state.last_batch_on if state else None

        last_on = in_transaction(last)
        if last_on == day and not force:
            continue
        since = datetime.combine(last_on - timedelta(days=1), datetime.min.time()) if last_on else None
        staged, cases = batch(adapter, since=since, day=day)
        report.staged[adapter.code] = staged
        report.cases = max(report.cases, cases)

        def done(db: Session, code: str = adapter.code) -> None:
            state = db.get(ExchangeCounterpartState, code)
            if state is None:
                db.add(ExchangeCounterpartState(code=code, paused=False, cursors={}, last_batch_on=day))
            else:
                state.last_batch_on = day

        in_transaction(done)
        log.info("数据交换夜间批量：%s 登记 %s 条待发送（检查办件 %s 件）", adapter.code, staged, cases)
    return report
