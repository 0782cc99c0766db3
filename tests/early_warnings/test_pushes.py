"""Pushes: each new warning reaches the responsible department's handlers — the inbox, and a WeCom card with a
签收 button — once however often the scan runs; a department with more new warnings in one round than cards are
sent gets one list; an escalation tells the department and the project's leader; each leader gets one morning
digest per working day listing the red warnings, not a message per warning."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.early_warnings import scheduled
from core.early_warnings.scan import CARDS_PER_DEPARTMENT
from core.events.models import DomainEvent
from notifications import tasks
from notifications.models import Channel, Notification
from tests.early_warnings.conftest import at, node, project, scan_at, set_thresholds, warnings
from tests.fakes.fixtures import fake_wecom  # noqa: F401
from tests.fakes.wecom_api import FakeWeCom
from tests.world import World

DUE = date(2026, 10, 9)


def inbox(db: Session, who: int) -> list[Notification]:
    db.rollback()
    query = select(Notification).where(Notification.user_id == who, Notification.channel == Channel.INBOX)
    return list(db.scalars(query.order_by(Notification.id)))


def events(db: Session, kind: str) -> list[DomainEvent]:
    db.rollback()
    return list(db.scalars(select(DomainEvent).where(DomainEvent.kind == kind).order_by(DomainEvent.id)))


def bind(db: Session, world: World, who: str, wecom_userid: str) -> None:
    user = db.merge(world.users[who])
    user.wecom_userid = wecom_userid
    db.commit()


def cards_to(fake: FakeWeCom, userid: str) -> list[dict[str, Any]]:
    assert tasks.wait_idle(15)
    return [b["template_card"] for b in fake.delivered_to(userid) if b.get("msgtype") == "template_card"]


def test_a_new_warning_reaches_the_departments_handlers_once_with_a_card_to_sign(
    projects: World,
    db: Session,
    fake_wecom: FakeWeCom,  # noqa: F811
) -> None:
    bind(db, projects, "officer_a", "lishenpi")
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE)
    db.commit()

    scan_at(at(10, 12, 0, 15))
    scan_at(at(10, 12, 0, 30))

    [warning] = warnings(db)
    assert warning.announced_at == at(10, 12, 0, 15)
    [event] = events(db, "warning.raised")
    assert event.subject == f"warning:{warning.id}"
    [message] = inbox(db, projects.users["officer_a"].id)
    assert message.title == "红色预警：新能源电池产业园·建设工程规划许可：已逾期 2 个工作日"
    assert "请签收" in message.body and message.link.endswith(f"/admin/warnings/{warning.id}")
    assert inbox(db, projects.users["clerk_a"].id) == []  # no warning.handle
    assert inbox(db, projects.users["officer_b"].id) == []  # another department
    [card] = cards_to(fake_wecom, "lishenpi")
    assert card["task_id"] == f"w{warning.id}-e{event.id}-u{projects.users['officer_a'].id}"
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [("签收", "sign")]
    rows = {r["keyname"]: r["value"] for r in card["horizontal_content_list"]}
    assert (
        rows["预警级别"] == "红色预警" and rows["责任部门"] == "城市管理局" and rows["所属项目"] == "新能源电池产业园"
    )


def test_many_new_warnings_of_one_department_come_as_one_list(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    for n in range(CARDS_PER_DEPARTMENT + 1):
        node(db, owner, projects.dept_a, DUE, name=f"审批事项{n + 1:02d}")
    node(db, owner, projects.dept_b, DUE, name="环评批复")
    db.commit()

    result = scan_at(at(10, 12, 0, 15))

    assert result.raised == CARDS_PER_DEPARTMENT + 2
    assert result.announced == 2  # A's list, B's card
    [listed] = events(db, "warning.digest")
    assert listed.data["audience"] == "department" and listed.data["total"] == CARDS_PER_DEPARTMENT + 1
    [message] = inbox(db, projects.users["officer_a"].id)
    assert message.title == f"城市管理局新增预警 {CARDS_PER_DEPARTMENT + 1} 条"
    assert "……另有 1 条" in message.body
    [card] = inbox(db, projects.users["officer_b"].id)
    assert card.title.endswith("环评批复：已逾期 2 个工作日")
    assert all(w.announced_at is not None for w in warnings(db))


def test_an_escalation_tells_the_department_and_the_projects_leader(projects: World, db: Session) -> None:
    set_thresholds(db, "node", yellow=2, escalate=2, department=projects.dept_a)
    owner = project(db, projects.dept_a, leader_id=projects.users["leader"].id)
    node(db, owner, projects.dept_a, DUE)
    db.commit()
    scan_at(at(10, 10, 0, 15))
    scan_at(at(10, 13, 0, 15))

    [event] = events(db, "warning.escalated")
    assert event.data["overdue_days"] == 3 and event.data["state_label"] == "待签收"
    leader_messages = inbox(db, projects.users["leader"].id)
    assert [m.title for m in leader_messages] == ["预警升级：新能源电池产业园·建设工程规划许可：已逾期"]
    assert [m.kind for m in inbox(db, projects.users["officer_a"].id)] == ["warning.raised", "warning.escalated"]


def test_a_warning_raised_already_past_its_escalation_is_announced_once(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a, leader_id=projects.users["leader"].id)
    node(db, owner, projects.dept_a, date(2026, 9, 21))
    db.commit()
    result = scan_at(at(10, 12, 0, 15))
    assert (result.raised, result.escalated, result.announced) == (1, 1, 1)
    [message] = inbox(db, projects.users["officer_a"].id)
    assert message.title.endswith("已逾期 10 个工作日")
    assert "已报告领导" in message.body
    assert events(db, "warning.escalated") == []


def test_each_leader_gets_one_morning_digest_per_working_day(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE, name="施工许可")
    node(db, owner, projects.dept_a, date(2026, 10, 13), name="竣工验收备案")  # yellow on 10/12
    db.commit()
    scan_at(at(10, 12, 0, 15))

    assert scheduled.send_digests(at(10, 12, 8, 0)) == 0  # too early
    sent = scheduled.send_digests(at(10, 12, 8, 30))
    again = scheduled.send_digests(at(10, 12, 9, 0))
    assert (sent, again) == (3, 0)  # the leader, the admin and the 项目专员, once each
    [digest] = inbox(db, projects.users["leader"].id)
    assert digest.title == "预警晨报：今日红色预警 1 条"
    assert "施工许可" in digest.body and "竣工验收备案" not in digest.body  # red only
    assert inbox(db, projects.users["officer_a"].id)[-1].kind == "warning.raised"  # no digest for handlers
    assert scheduled.send_digests(at(10, 18, 9, 0)) == 0  # Sunday: none
    assert scheduled.send_digests(at(10, 19, 9, 0)) == 3  # the next working day: again
    assert len(inbox(db, projects.users["leader"].id)) == 2
