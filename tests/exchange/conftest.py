"""The exchange's test world: fake platforms on 127.0.0.1 with every pushing counterpart pointed at them, and cases
made in bulk (straight into the tables, as a busy year would leave them) for the volume tests."""

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from channels.exchange import tasks
from core.exchange.adapters import ADAPTERS
from core.settings import CounterpartSettings, get_settings
from tests.exchange import bulk
from tests.exchange.bulk import deliver_all, licence_for_case
from tests.fakes.exchange_platform import APP_ID, SECRET, FakeExchange
from tests.web.conftest import browser  # noqa: F401  (the admin page tests log in through the real form)
from tests.world import World


def connect(monkeypatch: pytest.MonkeyPatch, fake: FakeExchange, **overrides: Any) -> None:
    """Points every counterpart that takes records over HTTP at the fake."""
    settings = get_settings()
    counterparts = {
        code: CounterpartSettings(
            base_url=fake.url(code), app_id=APP_ID, secret=SecretStr(SECRET), timeout_seconds=5, **overrides
        )
        for code, adapter in ADAPTERS.items()
        if adapter.pushes
    }
    monkeypatch.setattr(settings, "exchange_counterparts", counterparts)
    monkeypatch.setattr(settings, "exchange_max_attempts", 50)
    monkeypatch.setattr(settings, "exchange_retry_base_seconds", 1.0)


@pytest.fixture
def fake_exchange(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeExchange]:
    """Well-behaved fake platforms (tests that want them awkward set the shares)."""
    fake = FakeExchange().start()
    connect(monkeypatch, fake)
    yield fake
    tasks.wait_idle(30)
    fake.close()


def make_cases(db: Session, world: World, count: int) -> list[int]:
    """``count`` cases of department A's item (tests/exchange/bulk.py says which states)."""
    return bulk.make_cases(db, world.item, count)


__all__ = ["deliver_all", "licence_for_case", "make_cases"]
