"""Fixtures for the notification tests: the fake WeCom and WeChat APIs, staff bound to WeCom, and a runner
that is idle (and forgets its rate counts) after each test."""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from notifications import ratelimit, tasks
from tests.fakes.fixtures import fake_wechat_templates, fake_wecom  # noqa: F401
from tests.web.conftest import browser  # noqa: F401
from tests.world import World

WECOM_IDS = {"clerk_a": "zhangchuangkou", "officer_a": "lishenpi", "clerk_b": "zhaochuangkou", "leader": "wanglingdao"}


@pytest.fixture(autouse=True)
def settled() -> Iterator[None]:
    """Each test ends with nothing left sending in this process, and fresh per-member counts."""
    ratelimit.reset()
    yield
    tasks.wait_idle(15)
    ratelimit.reset()


@pytest.fixture
def wecom_staff(world: World, db: Session) -> World:
    """The world's staff with WeCom accounts (and the default channels: inbox and WeCom)."""
    for who, userid in WECOM_IDS.items():
        user = db.merge(world.users[who])
        user.wecom_userid = userid
    db.commit()
    return world
