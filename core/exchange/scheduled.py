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
from sqlalchemy.orm import Session, defaultload, lazyload

from core.cases.models import Applicant, Case
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
CASE_LOADING = (
    lazyload(Case.materials),
    lazyload(Case.supplements),
    lazyload(Case.suspensions),
    lazyload(Case.joint_tasks),
    defaultload(Case.applicant).defer(Applicant.phone),
)
"""What the adapters read of a case comes with it (item, department, applicant, steps); its materials and pauses, and
the applicant's phone (decrypted per row), only if an adapter asks."""


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


def _stage_cases(db: Session, adapters: list[Adapter], ids: list[int]) -> dict[str, int]:
    """Loads one chunk of cases once and stages every adapter's records of them."""
    cases = list(db.scalars(select(Case).options(*CASE_LOADING).where(Case.id.in_(ids)).order_by(Case.id)))
    prefetch_licences(db, ids)
    staged = {}
    try:
        for adapter in adapters:
            assert adapter.for_case is not None
            records: list[Outgoing] = []
            for case in cases:
                records += adapter.for_case(db, case)
            staged[adapter.code] = stage(db, adapter.code, records)
    finally:
        forget_licences(db)
    return staged


def batch(adapters: list[Adapter], *, since: datetime | None, day: date) -> tuple[dict[str, int], int]:
    """Stages the adapters' records changed since ``since`` (everything when ``None``), reading each chunk of cases
    once for all of them; returns the records staged by counterpart and the cases read."""
    staged = dict.fromkeys((a.code for a in adapters), 0)
    cases = 0
    case_adapters = [a for a in adapters if a.for_case is not None]
    after = 0
    while case_adapters:
        ids = in_transaction(lambda db, after=after: _case_ids(db, since, after))  # type: ignore[misc]
        if not ids:
            break
        chunk = in_transaction(lambda db, ids=ids: _stage_cases(db, case_adapters, ids))  # type: ignore[misc]
        for code, count in chunk.items():
            staged[code] += count
        cases += len(ids)
        after = ids[-1]
    for adapter in adapters:
        if adapter.sends_items:

            def items(db: Session, code: str = adapter.code) -> int:
                query = select(ServiceItem).where(ServiceItem.is_published.is_(True))
                if since is not None:
                    query = query.where(ServiceItem.updated_at >= since)
                return stage(db, code, [item_record(i) for i in db.scalars(query)])

            staged[adapter.code] += in_transaction(items)
        if adapter.feed is not None:
            staged[adapter.code] += in_transaction(lambda db, adapter=adapter: _feeds(db, adapter, day))  # type: ignore[misc]
    return staged, cases


def _feeds(db: Session, adapter: Adapter, day: date) -> int:
    """The running month's aggregate records (and the last month's, on a month's first three days)."""
    assert adapter.feed is not None
    months = [day] + ([day.replace(day=1) - timedelta(days=1)] if day.day <= 3 else [])
    return sum(stage(db, adapter.code, adapter.feed(db, month)) for month in months)


def nightly(*, force: bool = False) -> BatchReport:
    """Once a night (from ``exchange_batch_hour``), the batch of every connected counterpart not done today (``force``:
    all of them, now). Counterparts whose last batch was on the same day share one pass over the cases."""
    report = BatchReport()
    moment, day = now(), today()
    if not force and moment.hour < get_settings().exchange_batch_hour:
        return report

    def last_batches(db: Session) -> dict[str, date | None]:
        return {a.code: getattr(db.get(ExchangeCounterpartState, a.code), "last_batch_on", None) for a in connected()}

    groups: dict[date | None, list[Adapter]] = {}
    for adapter in connected():
        last_on = in_transaction(last_batches)[adapter.code]
        if last_on != day or force:
            groups.setdefault(last_on, []).append(adapter)
    for last_on, adapters in groups.items():
        since = datetime.combine(last_on - timedelta(days=1), datetime.min.time()) if last_on else None
        staged, cases = batch(adapters, since=since, day=day)
        report.staged |= staged
        report.cases = max(report.cases, cases)

        def done(db: Session, codes: list[str] = [a.code for a in adapters]) -> None:  # noqa: B006
            for code in codes:
                state = db.get(ExchangeCounterpartState, code)
                if state is None:
                    db.add(ExchangeCounterpartState(code=code, paused=False, cursors={}, last_batch_on=day))
                else:
                    state.last_batch_on = day

        in_transaction(done)
        for code, count in staged.items():
            log.info("数据交换夜间批量：%s 登记 %s 条待发送（检查办件 %s 件）", code, count, cases)
    return report
