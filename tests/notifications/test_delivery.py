"""Delivery against the fake WeCom API: after commit, retried with growing back-off on server errors and
frequency limits, tokens fetched again when refused, permanent refusals failed with a Chinese reason, and
each notification reaching the member once even when a worker dies between sending and recording."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.events.kinds import EventKind
from core.events.service import Recipient, publish
from core.settings import get_settings
from notifications import delivery, tasks
from notifications.models import Notification, Status
from tests.event_examples import example
from tests.fakes.wecom_api import FakeWeCom
from tests.notifications.conftest import WECOM_IDS
from tests.world import WORKDAY, World

FACTS = {"item_name": "建设工程验线", "case_no": "KF20260924001", "url": "http://127.0.0.1:8000/admin/cases/1"}


@pytest.fixture
def frozen(fake_wecom: FakeWeCom, monkeypatch: pytest.MonkeyPatch) -> FakeWeCom:
    """The application clock fixed at a working day, the fake WeCom on the same clock, 10 s first back-off."""
    clock.freeze(WORKDAY)
    fake_wecom.now = lambda: clock.now().timestamp()
    monkeypatch.setattr(get_settings(), "notification_retry_base_seconds", 10.0)
    return fake_wecom


def notify_clerk(db: Session, world: World, kind: EventKind = EventKind.SUPERVISION_PUSHED) -> Notification:
    """Publishes an event to clerk_a and commits; returns the WeCom row (its delivery has started)."""
    to = [Recipient(user_id=world.users["clerk_a"].id)]
    event = publish(db, kind, example(kind, **FACTS), subject="push:1", to=to)
    db.commit()
    assert tasks.wait_idle(10)
    return wecom_row(db, event.id)


def wecom_row(db: Session, event_id: int) -> Notification:
    db.rollback()
    return db.scalars(
        select(Notification).where(Notification.event_id == event_id, Notification.channel == "wecom")
    ).one()


def later(seconds: float) -> None:
    clock.freeze(clock.now() + timedelta(seconds=seconds))


def sweep_and_wait(db: Session, row: Notification) -> Notification:
    tasks.sweep()
    assert tasks.wait_idle(10)
    return wecom_row(db, row.event_id)


def test_a_committed_notification_reaches_the_member(wecom_staff: World, db: Session, frozen: FakeWeCom) -> None:
    row = notify_clerk(db, wecom_staff)
    assert row.status == Status.DELIVERED and row.attempts == 1
    [received] = frozen.delivered_to(WECOM_IDS["clerk_a"])
    assert received["msgtype"] == "textcard"
    assert received["textcard"]["title"] == "审批推送：建设工程验线"
    assert row.provider_msg_id == frozen.deliveries[0].msgid
    assert received["enable_duplicate_check"] == 1


def test_server_errors_and_frequency_limits_are_retried_with_growing_back_off(
    wecom_staff: World, db: Session, frozen: FakeWeCom
) -> None:
    frozen.script.extend([500, 45009])
    row = notify_clerk(db, wecom_staff)
    assert (row.status, row.attempts) == (Status.CREATED, 1)
    assert "HTTP 500" in row.last_error
    first_wait = (row.next_attempt_at - clock.now()).total_seconds()
    assert 5 <= first_wait <= 10  # 10 s, with jitter between half and all of it

    row = sweep_and_wait(db, row)  # not due yet: nothing happens
    assert (row.status, row.attempts) == (Status.CREATED, 1)

    later(first_wait)
    row = sweep_and_wait(db, row)
    assert (row.status, row.attempts) == (Status.CREATED, 2)
    assert "45009" in row.last_error and "频繁" in row.last_error
    second_wait = (row.next_attempt_at - clock.now()).total_seconds()
    assert 10 <= second_wait <= 20  # doubled

    later(second_wait)
    row = sweep_and_wait(db, row)
    assert (row.status, row.attempts, row.last_error) == (Status.DELIVERED, 3, "")
    assert len(frozen.delivered_to(WECOM_IDS["clerk_a"])) == 1


def test_an_expired_token_is_fetched_again_and_the_message_goes_at_once(
    wecom_staff: World, db: Session, frozen: FakeWeCom
) -> None:
    notify_clerk(db, wecom_staff)
    frozen.expire_tokens()
    row = notify_clerk(db, wecom_staff, kind=EventKind.SUPERVISION_FEEDBACK)
    assert (row.status, row.attempts) == (Status.DELIVERED, 1)
    assert frozen.token_fetches == 2
    assert len(frozen.delivered_to(WECOM_IDS["clerk_a"])) == 2


def test_an_unknown_member_fails_at_once_with_the_reason_and_is_not_retried(
    wecom_staff: World, db: Session, frozen: FakeWeCom
) -> None:
    frozen.unknown_users.add(WECOM_IDS["clerk_a"])
    row = notify_clerk(db, wecom_staff)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "找不到该成员" in row.last_error and "81013" in row.last_error
    calls = len(frozen.sends())
    later(3600)
    row = sweep_and_wait(db, row)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert len(frozen.sends()) == calls


def test_after_the_last_attempt_a_notification_fails_for_an_admin_to_retry(
    wecom_staff: World, db: Session, frozen: FakeWeCom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "notification_max_attempts", 3)
    frozen.fail_share = 1.0
    row = notify_clerk(db, wecom_staff)
    for _ in range(4):
        later(3600)
        row = sweep_and_wait(db, row)
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert row.last_error.startswith("已尝试 3 次仍未送达")
    refused = [c for c in frozen.sends() if c.status != 200 or c.answer.get("errcode") == 45009]
    assert len(refused) == 3 and frozen.deliveries == []


def test_a_worker_that_dies_after_sending_does_not_make_the_member_read_it_twice(
    wecom_staff: World, db: Session, frozen: FakeWeCom
) -> None:
    frozen.script.append(503)  # the first delivery after commit fails; the row waits for its retry
    row = notify_clerk(db, wecom_staff)
    later(60)
    # A worker claims the row and WeCom takes the message — then the worker is killed before recording it.
    claimed = delivery.claim(row.id)
    assert claimed is not None and delivery.claim(row.id) is None  # nobody else can take it meanwhile
    first = delivery.SENDERS["wecom"](claimed.address, claimed.payload)
    row = wecom_row(db, row.event_id)
    assert row.status == Status.SENDING

    later(delivery.LEASE_SECONDS - 1)
    assert sweep_and_wait(db, row).status == Status.SENDING  # the lease still holds
    later(2)
    row = sweep_and_wait(db, row)  # the lease ran out: sent again, WeCom drops the repeat
    assert row.status == Status.DELIVERED and row.provider_msg_id == first
    assert len(frozen.delivered_to(WECOM_IDS["clerk_a"])) == 1
    assert len(frozen.duplicates) == 1


def test_an_answer_lost_on_the_way_back_is_retried_without_a_second_message(
    wecom_staff: World, db: Session, frozen: FakeWeCom
) -> None:
    frozen.script.append(504)  # WeCom delivers, the answer never arrives
    row = notify_clerk(db, wecom_staff)
    assert row.status == Status.CREATED and "HTTP 504" in row.last_error
    later(60)
    row = sweep_and_wait(db, row)
    assert row.status == Status.DELIVERED
    assert len(frozen.delivered_to(WECOM_IDS["clerk_a"])) == 1


def test_two_different_events_with_the_same_text_both_arrive(
    wecom_staff: World, db: Session, frozen: FakeWeCom
) -> None:
    notify_clerk(db, wecom_staff)
    notify_clerk(db, wecom_staff)
    assert len(frozen.delivered_to(WECOM_IDS["clerk_a"])) == 2


def test_the_embedded_scheduler_and_celery_beat_run_the_same_periodic_jobs() -> None:
    """One machine: the app runs every periodic job itself. Production: the app leaves them to the one beat,
    which must then run them all — the deadline scan and the chasing too, not only the sweeper."""
    from core import jobs

    listed = {job.name: job for job in jobs.periodic_jobs()}
    assert set(listed) == {
        "case-deadlines",
        "case-number-counters",
        "supervision-escalations",
        "early-warnings",
        "warning-digests",
        "assessment-drafts",
        "guidance-reminders",
        "audit-retention",
        "phone-codes",
        "pending-uploads",
        "backup",
        "bot-kept-messages",
        "notifications-sweep",
        "exchange-nightly",
        "exchange-sweep",
        "exchange-pull",
        "exchange-reconcile",
        "board-figures",
    }
    sweeper = listed["notifications-sweep"]
    assert sweeper.run is tasks.sweep and sweeper.minutes * 60 == tasks.SWEEP_SECONDS and "补发" in sweeper.failure
    from tongban.celery import app, run_job

    app.finalize()
    schedule = app.conf.beat_schedule
    assert schedule["notifications-sweep"]["task"] == "notifications.sweep"
    for name in set(listed) - {"notifications-sweep"}:
        assert schedule[name]["task"] == "tongban.job" and schedule[name]["args"] == (name,)
        assert schedule[name]["schedule"] == listed[name].minutes * 60
    assert run_job("case-deadlines") == 0  # runs the job by name (no open cases here)
    with pytest.raises(LookupError):
        jobs.run("no-such-job")
