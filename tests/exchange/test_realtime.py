"""The real-time path: each case event stages the case's records in its own transaction and they go out once it
commits, with no nightly batch; a paused counterpart gets nothing until resumed (both audited); the nightly batch
after that sends nothing twice."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.exchange import tasks
from core import clock
from core.audit.models import AuditLog
from core.exchange.enums import Status
from core.exchange.models import ExchangeRecord
from core.exchange.scheduled import nightly
from tests.exchange.conftest import deliver_all
from tests.fakes.exchange_platform import FakeExchange
from tests.helpers import act, register
from tests.world import WORKDAY, World


def test_a_case_goes_out_as_it_moves_on(
    client: TestClient, world: World, db: Session, fake_exchange: FakeExchange
) -> None:
    clock.freeze(WORKDAY)
    case = register(client, world)
    cid, case_no = case["case_id"], case["case_no"]
    act(client, world, cid, "accept", opinion="材料齐全")
    assert tasks.wait_idle(30)
    held = fake_exchange.filed[("gov_service", "case", case_no)]
    assert (held.version, held.data["BLZT"], held.data["SLSJ"]) == (1, "办理中", "2026-09-24 10:00:00")

    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    assert tasks.wait_idle(30)
    held = fake_exchange.filed[("gov_service", "case", case_no)]
    assert (held.data["BLZT"], held.data["BJJG"]) == ("已办结", "0")
    steps = sorted(
        (f.data["HJXH"], f.data["BLDZ"]) for k, f in fake_exchange.filed.items() if k[:2] == ("gov_service", "step")
    )
    assert [action for _, action in steps] == ["register", "accept", "review", "decide", "conclude"]
    result = fake_exchange.filed[("gov_service", "result", case_no)].data
    assert result["BJJG"] == "0" and result["ZZBH"]  # the licence number goes with the result

    before = fake_exchange.requests
    nightly(force=True)  # the batch finds nothing the real-time path missed
    deliver_all()
    assert fake_exchange.duplicates() == []
    assert fake_exchange.filed[("gov_service", "case", case_no)].version == held.version
    assert fake_exchange.requests - before <= 20  # pulls and the items, no case records again


def test_a_paused_counterpart_waits_until_resumed(
    client: TestClient, world: World, db: Session, fake_exchange: FakeExchange
) -> None:
    clock.freeze(WORKDAY)
    response = client.post(
        "/api/v1/exchange/counterparts/gov_service/pause", json={"reason": "对方平台维护"}, headers=world.auth("admin")
    )
    assert response.status_code == 200 and response.json()["paused"] is True
    case = register(client, world)
    act(client, world, case["case_id"], "accept", opinion="材料齐全")
    assert tasks.wait_idle(30)
    assert ("gov_service", "case", case["case_no"]) not in fake_exchange.filed
    waiting = db.scalar(select(ExchangeRecord).where(ExchangeRecord.local_id == case["case_no"]))
    assert waiting is not None and waiting.status == Status.PENDING

    response = client.post("/api/v1/exchange/counterparts/gov_service/resume", headers=world.auth("admin"))
    assert response.status_code == 200 and response.json()["paused"] is False
    assert tasks.wait_idle(30)
    assert ("gov_service", "case", case["case_no"]) in fake_exchange.filed
    db.rollback()
    actions = set(db.scalars(select(AuditLog.action).where(AuditLog.entity.like("exchange%"))))
    assert {"暂停数据交换", "恢复数据交换"} <= actions


def test_a_refused_record_fails_with_the_reason_and_is_resent_from_the_admin_side(
    client: TestClient, world: World, db: Session, fake_exchange: FakeExchange
) -> None:
    clock.freeze(WORKDAY)
    case = register(client, world)
    act(client, world, case["case_id"], "accept", opinion="材料齐全")
    assert tasks.wait_idle(30)
    record = db.scalar(select(ExchangeRecord).where(ExchangeRecord.local_id == case["case_no"]))
    assert record is not None and record.status == Status.CONFIRMED
    fake_exchange.secret = "a-rotated-secret"  # the platform changed its key: every request is refused
    response = client.post(f"/api/v1/exchange/records/{record.id}/resend", headers=world.auth("admin"))
    assert response.status_code == 200 and response.json()["status_label"] == "待发送"
    assert tasks.wait_idle(30)
    db.rollback()
    db.refresh(record)
    assert record.status == Status.RETRYING
    assert record.last_error == "对方平台拒绝了请求（HTTP 401）：签名校验失败"
    assert client.post(f"/api/v1/exchange/records/{record.id}/resend", headers=world.auth("clerk_a")).status_code == 403
