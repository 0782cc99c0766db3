"""WeCom drops a member's 31st app message within a minute without a word; the outbox never lets it come to
that: the excess waits for a free slot and goes out later, nothing dropped."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.events.kinds import EventKind
from core.events.service import Recipient, publish
from notifications import ratelimit, tasks
from notifications.models import Notification, Status
from tests.event_examples import example
from tests.fakes.wecom_api import FakeWeCom
from tests.notifications.conftest import WECOM_IDS
from tests.world import WORKDAY, World


def statuses(db: Session) -> dict[str, int]:
    db.rollback()
    query = select(Notification.status, func.count()).where(Notification.channel == "wecom")
    return {status: count for status, count in db.execute(query.group_by(Notification.status))}


def test_messages_beyond_30_a_minute_wait_for_a_free_slot_and_all_arrive(
    wecom_staff: World, db: Session, fake_wecom: FakeWeCom
) -> None:
    clock.freeze(WORKDAY)
    fake_wecom.now = lambda: clock.now().timestamp()
    clerk = wecom_staff.users["clerk_a"]
    for n in range(35):
        pushed = example(EventKind.SUPERVISION_PUSHED, item_name=f"事项{n}")
        publish(db, EventKind.SUPERVISION_PUSHED, pushed, subject=f"push:{n}", to=[Recipient(user_id=clerk.id)])
    db.commit()
    assert tasks.wait_idle(30)

    assert statuses(db) == {Status.DELIVERED: 30, Status.CREATED: 5}
    waiting = db.scalars(select(Notification).where(Notification.status == Status.CREATED)).all()
    assert all(r.attempts == 0 and r.next_attempt_at is not None for r in waiting)  # queued, not a failure
    assert min(r.next_attempt_at for r in waiting) >= WORKDAY + timedelta(seconds=60)

    clock.freeze(WORKDAY + timedelta(seconds=30))
    tasks.sweep()
    assert tasks.wait_idle(10)
    assert statuses(db)[Status.CREATED] == 5  # still within the minute

    clock.freeze(WORKDAY + timedelta(seconds=ratelimit.WINDOW_SECONDS + 1))
    tasks.sweep()
    assert tasks.wait_idle(10)
    assert statuses(db) == {Status.DELIVERED: 35}
    assert len(fake_wecom.delivered_to(WECOM_IDS["clerk_a"])) == 35
    assert fake_wecom.violations == [] and fake_wecom.most_in_a_minute() == 30


def test_the_limit_is_per_member(wecom_staff: World, db: Session, fake_wecom: FakeWeCom) -> None:
    clock.freeze(WORKDAY)
    fake_wecom.now = lambda: clock.now().timestamp()
    to = [
        Recipient(user_id=wecom_staff.users["clerk_a"].id),
        Recipient(user_id=wecom_staff.users["officer_a"].id),
    ]
    for n in range(20):
        pushed = example(EventKind.SUPERVISION_PUSHED, item_name=f"事项{n}")
        publish(db, EventKind.SUPERVISION_PUSHED, pushed, subject=f"push:{n}", to=to)
    db.commit()
    assert tasks.wait_idle(30)
    assert statuses(db) == {Status.DELIVERED: 40}
    assert fake_wecom.violations == []
