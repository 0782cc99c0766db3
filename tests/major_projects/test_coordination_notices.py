"""问题协调 and 会商 tell the people concerned, through the notifications outbox (inbox + WeCom text card): the
departments asked when a problem is raised and when it is closed, its raiser when a department replies or someone
else closes it, and each department owning a meeting's decisions (its own decisions only). Nobody hears of their
own act; staff without major_project.read (a window clerk) hear nothing."""

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.events.models import DomainEvent
from notifications import tasks
from notifications.models import Notification
from tests.fakes.fixtures import fake_wecom  # noqa: F401  (the fake WeCom API)
from tests.fakes.wecom_api import FakeWeCom
from tests.major_projects.conftest import create_project
from tests.major_projects.test_coordination import post
from tests.world import World

TODAY = datetime(2026, 10, 12, 9, 0)


def inbox(db: Session, world: World, kind_prefix: str = "major_project.") -> dict[str, list[str]]:
    """Who got which in-site message of these kinds: username → ["kind|title", …] in order."""
    db.rollback()
    rows = db.scalars(
        select(Notification)
        .where(Notification.kind.like(f"{kind_prefix}%"), Notification.channel == "inbox")
        .order_by(Notification.id)
    )
    names = {user.id: name for name, user in world.users.items()}
    got: dict[str, list[str]] = {}
    for row in rows:
        got.setdefault(names[row.user_id or 0], []).append(f"{row.kind}|{row.title}")
    return got


def body_of(db: Session, world: World, who: str, kind: str) -> Notification:
    found = db.scalars(
        select(Notification).where(
            Notification.kind == kind, Notification.user_id == world.users[who].id, Notification.channel == "inbox"
        )
    ).all()
    assert len(found) == 1
    return found[0]


def test_a_problem_tells_the_departments_asked_then_its_raiser_then_everyone_it_is_closed(
    client: TestClient, tracking: World, db: Session
) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = create_project(client, world)
    path = f"/{project['id']}/issues"
    body = {
        "title": "施工用电接入",
        "description": "10千伏专线接入需跨越市政道路",
        "department_ids": [world.dept_b.id, world.dept_c.id],
        "due_on": "2026-10-30",
    }
    issue = post(client, world, "officer_a", path, body)

    raised = "major_project.issue_raised|协调问题待答复：施工用电接入"
    assert inbox(db, world) == {"officer_b": [raised], "officer_c": [raised]}  # not clerk_b: no project reading
    message = body_of(db, world, "officer_b", "major_project.issue_raised")
    assert message.body.startswith(
        "重大项目“智能装备产业园一期”提出协调问题，请贵部门于 2026-10-30 前答复：施工用电接入"
    )
    assert "问题说明：10千伏专线接入需跨越市政道路" in message.body
    assert "协调部门：生态环境分局、消防救援大队" in message.body and "提出人：李审批" in message.body
    assert message.link.endswith(f"/admin/major-projects/{project['id']}")

    replies = f"{path}/{issue['id']}/replies"
    post(client, world, "officer_b", replies, {"body": "已安排现场踏勘"})
    post(client, world, "officer_c", replies, {"body": "不涉及消防审查事项"})
    post(client, world, "officer_a", f"{path}/{issue['id']}/close", {"note": "接入方案已出具"}, 200)

    closed = "major_project.issue_closed|协调问题已办结：施工用电接入"
    assert inbox(db, world) == {
        "officer_b": [raised, closed],
        "officer_c": [raised, closed],
        "officer_a": ["major_project.issue_replied|协调问题已答复：施工用电接入"] * 2,  # not told of her own closing
    }
    first, second = db.scalars(
        select(Notification.body)
        .where(Notification.kind == "major_project.issue_replied", Notification.channel == "inbox")
        .order_by(Notification.id)
    ).all()
    assert first.startswith(
        "生态环境分局（吴环保）答复了您提出的协调问题“施工用电接入”：\n已安排现场踏勘\n尚有部门未答复。"
    )
    assert "各协调部门均已答复，可办结该问题。" in second
    closing = body_of(db, world, "officer_c", "major_project.issue_closed").body
    assert closing.startswith(
        "协调问题“施工用电接入”已由李审批于 2026-10-12 09:00 办结，无需再答复。\n办结说明：接入方案已出具"
    )


def test_a_manager_closing_someone_elses_problem_tells_its_raiser(
    client: TestClient, tracking: World, db: Session
) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = create_project(client, world)
    path = f"/{project['id']}/issues"
    issue = post(
        client,
        world,
        "officer_a",
        path,
        {"title": "道路开挖", "department_ids": [world.dept_b.id], "due_on": "2026-10-30"},
    )
    post(client, world, "tracker", f"{path}/{issue['id']}/replies", {"body": "由专员协调"})
    post(client, world, "tracker", f"{path}/{issue['id']}/close", {"note": "已协调解决"}, 200)
    got = inbox(db, world)
    assert got["officer_a"] == [
        "major_project.issue_replied|协调问题已答复：道路开挖",
        "major_project.issue_closed|协调问题已办结：道路开挖",
    ]
    assert "项目管理人员（郑专员）答复了" in body_of(db, world, "officer_a", "major_project.issue_replied").body


def test_a_meetings_decisions_go_to_each_owning_department_its_own(
    client: TestClient, tracking: World, db: Session
) -> None:
    world = tracking
    clock.freeze(TODAY)
    project = create_project(client, world)
    body = {
        "held_on": "2026-10-10",
        "topic": "施工许可并联审批推进会",
        "host_name": "王建国",
        "decisions": [
            {
                "content": "本周内出具环评批复",
                "department_id": world.dept_b.id,
                "owner_name": "吴环保",
                "due_on": "2026-10-16",
            },
            {"content": "消防设计提前介入", "department_id": world.dept_c.id, "due_on": "2026-10-20"},
            {"content": "排污许可同步受理", "department_id": world.dept_b.id},
            {"content": "项目单位补齐施工图审查合格书", "owner_name": "刘工", "due_on": "2026-10-20"},
        ],
    }
    post(client, world, "tracker", f"/{project['id']}/meetings", body)

    assert inbox(db, world) == {
        "officer_b": ["major_project.meeting_decided|会商决定：智能装备产业园一期 2 项事项由生态环境分局负责"],
        "officer_c": ["major_project.meeting_decided|会商决定：智能装备产业园一期 1 项事项由消防救援大队负责"],
    }
    own = body_of(db, world, "officer_b", "major_project.meeting_decided").body
    assert own == (
        "重大项目“智能装备产业园一期”2026-10-10会商（施工许可并联审批推进会，主持：王建国）决定由生态环境分局负责以下 2 项事项：\n"
        "1. 本周内出具环评批复（责任人：吴环保，完成期限：2026-10-16）\n"
        "2. 排污许可同步受理（责任人：未指定，完成期限：未定）\n"
        "完成后请在项目页面登记完成情况。"
    )
    events = db.scalars(select(DomainEvent.subject).where(DomainEvent.kind == "major_project.meeting_decided")).all()
    assert len(events) == 2


def test_they_go_out_as_wecom_text_cards(
    client: TestClient,
    tracking: World,
    db: Session,
    fake_wecom: FakeWeCom,  # noqa: F811
) -> None:
    world = tracking
    clock.freeze(TODAY)
    for who, userid in (("officer_b", "wuhuanbao"), ("clerk_b", "zhaochuangkou")):
        db.merge(world.users[who]).wecom_userid = userid
    db.commit()
    project = create_project(client, world)
    body = {"title": "施工用电接入", "department_ids": [world.dept_b.id], "due_on": "2026-10-30"}
    post(client, world, "officer_a", f"/{project['id']}/issues", body)
    assert tasks.wait_idle(15)
    [card] = fake_wecom.delivered_to("wuhuanbao")
    assert card["msgtype"] == "textcard" and card["textcard"]["title"] == "协调问题待答复：施工用电接入"
    assert card["textcard"]["url"].split("#")[0].endswith(f"/admin/major-projects/{project['id']}")
    assert fake_wecom.delivered_to("zhaochuangkou") == []
