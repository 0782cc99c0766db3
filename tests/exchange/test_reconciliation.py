"""The daily reconciliation: a day that matches marks its records 已对账; a planted difference (a record the platform
lost, one it holds differently) is listed, and resending the differences makes the day match."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.exchange import pull
from core import clock
from core.exchange import service
from core.exchange.enums import Status
from core.exchange.models import ExchangeRecord
from core.exchange.scheduled import nightly
from tests.exchange.conftest import deliver_all, make_cases
from tests.fakes.exchange_platform import FakeExchange
from tests.world import World

DAY = date(2026, 9, 21)


def test_a_planted_difference_is_found_and_mended(world: World, db: Session, fake_exchange: FakeExchange) -> None:
    make_cases(db, world, 40)
    clock.freeze(datetime(2026, 9, 22, 2, 0))
    nightly(force=True)
    deliver_all()

    first = pull.reconcile_day("gov_service", DAY)
    assert first and all(r.matched for r in first)
    db.rollback()
    cases = db.scalars(
        select(ExchangeRecord).where(ExchangeRecord.counterpart == "gov_service", ExchangeRecord.kind == "case")
    ).all()
    assert {r.status for r in cases} == {Status.RECONCILED}

    lost, altered = cases[3].local_id, cases[7].local_id
    fake_exchange.lose("gov_service", "case", lost)
    fake_exchange.corrupt("gov_service", "case", altered)
    again = {r.kind: r for r in pull.reconcile_day("gov_service", DAY)}
    found = again["case"]
    assert not found.matched
    assert (found.our_count, found.their_count) == (40, 39)
    assert {(d["local_id"], d["diff"]) for d in found.differences} == {(lost, "missing"), (altered, "different")}
    assert again["step"].matched  # the other kinds of the day still agree

    db.rollback()  # a fresh read of what the reconciliation stored
    admin = world.users["admin"]
    listed = service.reconciliations(db, admin, counterpart="gov_service", only_differences=True)
    assert [r.id for r in listed] == [found.id]
    assert service.resend_differences(db, admin, found.id) == 2
    db.commit()
    deliver_all()
    assert all(r.matched for r in pull.reconcile_day("gov_service", DAY))
    assert fake_exchange.duplicates() == []
