"""Audit to the statement and a tamper-evident log: Core statements leave one record each (actor, kind, table,
row keys), the records form a keyed hash chain that ``tongban audit-verify`` checks, concurrent writers never
fork it, and the retention job deletes only records past their period while the chain still verifies."""

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core import clock, jobs
from core.audit.context import Actor, acting
from core.audit.hooks import record_event
from core.audit.models import AuditLog
from core.db import get_engine, session_scope
from core.events.models import DomainEvent
from notifications import delivery
from notifications.models import Channel, Notification, Status
from tests.helpers import register
from tests.world import WORKDAY, World
from tongban.cli import app as cli

DELIVERY = Actor(id=None, name="通知投递", kind="system")


def rows(db: Session, **where: Any) -> list[AuditLog]:
    db.rollback()  # a fresh snapshot: what other connections committed
    query = select(AuditLog).order_by(AuditLog.id)
    for key, value in where.items():
        query = query.where(getattr(AuditLog, key) == value)
    return list(db.scalars(query))


def notification(db: Session, address: str = "zhangsan") -> int:
    event = DomainEvent(kind="case.accepted", subject="case:1", data={}, recipients=[])
    db.add(event)
    db.flush()
    row = Notification(
        idempotency_key=f"test:{address}",
        event_id=event.id,
        kind="case.accepted",
        channel=Channel.WECOM,
        address=address,
        title="办件已受理",
        payload={"msgtype": "text"},
    )
    db.add(row)
    db.commit()
    return row.id


def verify() -> Any:
    return CliRunner().invoke(cli, ["audit-verify"])


def test_a_core_update_of_a_notification_leaves_one_record_per_statement(db: Session) -> None:
    nid = notification(db)
    inserted = rows(db, entity="notification")
    # the ORM insert is recorded once, by the ORM hook, with its values — not a second time as a statement
    assert [(r.operation, r.statement) for r in inserted] == [("insert", None)]
    before = len(rows(db))
    with acting(DELIVERY):
        claimed = delivery.claim(nid)
        assert claimed is not None
        assert delivery.claim(nid) is None  # someone holds it: the UPDATE changes nothing, nothing to record
    (claim,) = rows(db)[before:]
    assert (claim.entity, claim.operation, claim.row_keys, claim.row_count) == ("notification", "update", [str(nid)], 1)
    assert claim.entity_id == str(nid) and claim.actor_name == "通知投递" and claim.actor_kind == "system"
    assert claim.statement is not None and claim.statement.startswith("UPDATE notification SET")
    assert claim.after is not None and claim.after["status"] == Status.SENDING
    # a statement that names no key: the rows it changed are listed all the same
    other = notification(db, "lisi")
    before = len(rows(db))
    with acting(DELIVERY):
        db.execute(update(Notification).where(Notification.channel == Channel.WECOM).values(last_error="网络中断"))
        db.commit()
    (bulk,) = rows(db)[before:]
    assert sorted(bulk.row_keys or []) == sorted([str(nid), str(other)]) and bulk.row_count == 2
    assert bulk.actor_name == "通知投递" and bulk.after == {"last_error": "网络中断"}


def test_a_rolled_back_statement_leaves_no_record(db: Session) -> None:
    nid = notification(db)
    before = len(rows(db))
    db.execute(update(Notification).where(Notification.id == nid).values(status=Status.FAILED))
    db.rollback()
    assert len(rows(db)) == before


def test_the_case_number_counter_bump_is_recorded_with_the_clerk(client: TestClient, world: World, db: Session) -> None:
    clock.freeze(WORKDAY)
    register(client, world)
    bumps = rows(db, entity="case_number_counter")
    assert bumps and {r.operation for r in bumps} <= {"update", "insert"}
    for bump in bumps:
        assert bump.row_keys == [WORKDAY.strftime("%Y%m%d")] and bump.row_count in (
            1,
            None,
        )  # SQLite RETURNING: unknown
        assert bump.actor_id == world.users["clerk_a"].id and bump.actor_name.startswith("张窗口")


def test_verify_reports_an_intact_log(client: TestClient, world: World) -> None:
    register(client, world)
    result = verify()
    assert result.exit_code == 0, result.output
    assert "审计日志完整" in result.output and "已校验" in result.output


def _tamper(sql: str, **params: Any) -> None:
    with get_engine().begin() as conn:
        conn.execute(text(sql), params)


def test_verify_finds_an_edited_row(client: TestClient, world: World, db: Session) -> None:
    register(client, world)
    victim = rows(db, entity="case")[0]
    _tamper("UPDATE audit_log SET actor_name = :name WHERE id = :id", name="李四", id=victim.id)
    result = verify()
    assert result.exit_code == 1
    assert f"第 {victim.id} 条记录" in result.output and victim.at.strftime("%Y-%m-%d %H:%M:%S") in result.output
    assert "内容被改动" in result.output


def test_verify_finds_a_deleted_row(client: TestClient, world: World, db: Session) -> None:
    register(client, world)
    all_rows = rows(db)
    victim, after = all_rows[3], all_rows[4]
    _tamper("DELETE FROM audit_log WHERE id = :id", id=victim.id)
    result = verify()
    assert result.exit_code == 1
    assert f"第 {after.id} 条记录" in result.output and "被删除" in result.output


def test_verify_finds_the_newest_rows_cut_off(client: TestClient, world: World, db: Session) -> None:
    register(client, world)
    last = rows(db)[-1]
    _tamper("DELETE FROM audit_log WHERE id = :id", id=last.id)
    result = verify()
    assert result.exit_code == 1 and "被删除" in result.output


def test_concurrent_writers_never_fork_the_chain(db: Session) -> None:
    with session_scope() as first:  # the chain head exists before the race
        record_event(first, action="auth.login", entity="user", entity_id="0")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                with session_scope() as session, acting(Actor(id=None, name=f"线程{n}", kind="system")):
                    record_event(session, action="auth.login", entity="user", entity_id=f"{n}-{i}")
                    session.execute(text("UPDATE case_number_counter SET last = last WHERE day = '19000101'"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    written = rows(db)
    assert len(written) == 1 + 6 * 8
    assert [r.id for r in written] == list(range(written[0].id, written[0].id + len(written)))
    result = verify()
    assert result.exit_code == 0, result.output


def test_retention_deletes_only_records_past_their_period(db: Session) -> None:
    old = datetime(2026, 1, 5, 10, 0)
    for day, count in ((old, 3), (old + timedelta(days=30), 2)):
        clock.freeze(day)
        with session_scope() as session:
            for n in range(count):
                record_event(session, action="auth.login", entity="user", entity_id=str(n))
    clock.freeze(old + timedelta(days=30 + 180))  # the first three are 210 days old, the next two exactly 180
    assert jobs.run("audit-retention") == 3
    kept = rows(db)
    assert [r.at for r in kept[:2]] == [old + timedelta(days=30)] * 2
    assert kept[-1].action == "audit.purge" and kept[-1].after == {"删除条数": 3, "保存天数": 180, "起点": 3}
    assert jobs.run("audit-retention") == 0
    result = verify()
    assert result.exit_code == 0, result.output
    # the anchor cannot be moved to hide more deleted rows
    _tamper("UPDATE audit_chain SET anchor_id = anchor_id + 1")
    assert verify().exit_code == 1


def test_retention_below_180_days_is_refused() -> None:
    from core.audit.service import purge_expired
    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed), session_scope() as session:
        purge_expired(session, 90)
