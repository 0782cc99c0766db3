"""Cases exchanged with an awkward provincial platform (10% failures, half of them after filing with the answer
lost; slow answers; acknowledgements twice; queued records acknowledged later, sometimes twice): every case, step and
result arrives, once, and our log says so."""

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.cases.models import Case
from core.exchange.enums import Status
from core.exchange.models import ExchangeRecord
from core.exchange.scheduled import nightly
from tests.exchange.conftest import deliver_all, make_cases
from tests.fakes.exchange_platform import FakeExchange
from tests.world import World

NIGHT = datetime(2026, 9, 22, 2, 0)


def awkward(fake: FakeExchange) -> None:
    fake.fail_share, fake.slow_share, fake.double_ack_share, fake.queued_share = 0.10, 0.05, 0.10, 0.10


def exchange(db: Session, world: World, fake: FakeExchange, count: int, *, threads: int = 1) -> None:
    awkward(fake)
    make_cases(db, world, count)
    clock.freeze(NIGHT)
    report = nightly(force=True)
    assert report.cases == count
    deliver_all(threads=threads)
    case_nos = set(db.scalars(select(Case.case_no)))
    ended = db.scalar(select(func.count()).select_from(Case).where(Case.conclusion_result.is_not(None)))

    assert fake.ids("gov_service", "case") == case_nos  # nothing missing, nothing extra
    assert len(fake.ids("gov_service", "step")) == count
    assert len(fake.ids("gov_service", "result")) == ended
    assert fake.duplicates() == []  # no version of any record filed twice
    assert fake.refusals == []
    statuses = dict(
        db.execute(
            select(ExchangeRecord.status, func.count())
            .where(ExchangeRecord.counterpart == "gov_service")
            .group_by(ExchangeRecord.status)
        ).all()
    )
    items = 3  # the world's catalogue goes too (事项信息比对 on the provincial side)
    assert statuses == {Status.CONFIRMED: count * 2 + ended + items}


def test_a_thousand_cases_arrive_once_each(world: World, db: Session, fake_exchange: FakeExchange) -> None:
    exchange(db, world, fake_exchange, 1000)


def test_two_senders_at_once_still_send_each_record_once(
    world: World, db: Session, fake_exchange: FakeExchange
) -> None:
    exchange(db, world, fake_exchange, 300, threads=2)


@pytest.mark.slow
@pytest.mark.one_pass("mariadb")  # the production database; the 1,000-case test runs on both
def test_ten_thousand_cases_arrive_once_each(world: World, db: Session, fake_exchange: FakeExchange) -> None:
    exchange(db, world, fake_exchange, 10_000)
