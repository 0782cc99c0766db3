"""An event becomes notification rows in its own transaction: the right people, through the channels they
chose and are bound to, one row per event, recipient and channel."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.events.kinds import EventKind
from core.events.service import Recipient, publish
from core.org.permissions import Permission
from notifications import tasks
from notifications.models import Notification, Status
from tests.event_examples import example
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import act, register
from tests.notifications.conftest import WECOM_IDS
from tests.world import World


def rows(db: Session, kind: str | None = None) -> list[Notification]:
    db.rollback()
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.scalars(query))


def by_user(world: World, found: list[Notification]) -> dict[str, set[str]]:
    names = {u.id: k for k, u in world.users.items()}
    result: dict[str, set[str]] = {}
    for row in found:
        if row.user_id is not None:
            result.setdefault(names[row.user_id], set()).add(row.channel)
    return result


def decide_stage(client: TestClient, world: World) -> int:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    return cid


def test_a_decision_reaches_the_departments_handlers_in_the_inbox_and_on_wecom(
    client: TestClient, wecom_staff: World, db: Session, fake_wecom: FakeWeCom
) -> None:
    decide_stage(client, wecom_staff)
    found = rows(db, "case.decision_needed")
    # officer_a decides cases of department A; clerk_a handles them but does not decide (case.decide), clerk_b
    # (department B) and the leader (no department) are not asked, though the leader may decide A's cases.
    assert by_user(wecom_staff, found) == {"officer_a": {"inbox", "wecom"}}
    inbox = [r for r in found if r.channel == "inbox"]
    assert all(r.status == Status.DELIVERED and r.title.startswith("待决定：") for r in inbox)
    assert tasks.wait_idle(10)
    assert {d.touser for d in fake_wecom.deliveries} == {WECOM_IDS["officer_a"]}


def test_wecom_only_for_those_who_chose_it_and_only_with_a_wecom_app(
    client: TestClient, wecom_staff: World, db: Session
) -> None:
    officer = db.merge(wecom_staff.users["officer_a"])
    officer.notify_channels = ["inbox"]
    db.commit()
    decide_stage(client, wecom_staff)  # no WeCom app configured in this test
    assert by_user(wecom_staff, rows(db, "case.decision_needed")) == {"officer_a": {"inbox"}}


def test_someone_named_twice_is_told_once_per_channel(wecom_staff: World, db: Session, fake_wecom: FakeWeCom) -> None:
    clerk = wecom_staff.users["clerk_a"]
    to = [
        Recipient(user_id=clerk.id),
        Recipient(department_id=wecom_staff.dept_a.id, permission=Permission.CASE_HANDLE),
    ]
    feedback = example(EventKind.SUPERVISION_FEEDBACK, item_name="建设工程验线")
    event = publish(db, EventKind.SUPERVISION_FEEDBACK, feedback, subject="push:1", to=to)
    db.commit()
    found = [r for r in rows(db) if r.event_id == event.id]
    assert sorted((by_user(wecom_staff, found)).items()) == [
        ("clerk_a", {"inbox", "wecom"}),
        ("officer_a", {"inbox", "wecom"}),
    ]
    assert len(found) == 4
    assert len({r.idempotency_key for r in found}) == 4


def test_the_idempotency_key_refuses_a_second_row_for_the_same_event_recipient_and_channel(
    world: World, db: Session
) -> None:
    to = [Recipient(user_id=world.users["clerk_a"].id)]
    event = publish(db, EventKind.CASE_ACCEPTED, example(EventKind.CASE_ACCEPTED), subject="case:1", to=to)
    db.commit()
    [row] = rows(db)
    db.add(
        Notification(
            idempotency_key=row.idempotency_key,
            event_id=event.id,
            kind=row.kind,
            user_id=row.user_id,
            channel=row.channel,
            title="再发一次",
        )
    )
    try:
        db.commit()
        raise AssertionError("a second row for the same key was accepted")
    except IntegrityError:
        db.rollback()
    assert len(rows(db)) == 1


def test_notifications_roll_back_with_the_change_and_nothing_is_sent(
    wecom_staff: World, db: Session, fake_wecom: FakeWeCom
) -> None:
    to = [Recipient(department_id=wecom_staff.dept_a.id, permission=Permission.CASE_HANDLE)]
    decision = example(EventKind.CASE_DECISION_NEEDED, case_id=9, case_no="KF9")
    publish(db, EventKind.CASE_DECISION_NEEDED, decision, subject="case:9", to=to)
    db.flush()
    assert len(rows_in_transaction(db)) == 4
    db.rollback()
    assert rows(db) == []
    assert tasks.wait_idle(5)
    assert fake_wecom.calls == []


def rows_in_transaction(db: Session) -> list[Notification]:
    return list(db.scalars(select(Notification)))


def test_a_citizens_case_reaches_their_account_inbox(client: TestClient, world: World, db: Session) -> None:
    from tests.helpers import submit_online

    cid = submit_online(client, world)["case_id"]
    act(client, world, cid, "accept")
    [row] = rows(db, "case.accepted")
    assert row.user_id == world.users["citizen"].id and row.channel == "inbox"
    assert row.applicant_id is not None
    assert "已受理" in row.title and "/progress?case_no=" in row.link
    inbox = client.get("/api/v1/me/inbox", headers=world.auth("citizen")).json()
    assert inbox["unread"] == 1 and inbox["items"][0]["title"] == row.title


def test_inactive_staff_and_other_departments_are_not_told(client: TestClient, wecom_staff: World, db: Session) -> None:
    officer = db.merge(wecom_staff.users["officer_a"])
    officer.is_active = False
    db.commit()
    decide_stage_by_clerk(client, wecom_staff)
    # A's only decider is inactive; its clerk does not decide, and B's staff are not A's
    assert set(by_user(wecom_staff, rows(db, "case.decision_needed"))) == set()


def decide_stage_by_clerk(client: TestClient, world: World) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="clerk_a", agree=True, opinion="符合条件")
