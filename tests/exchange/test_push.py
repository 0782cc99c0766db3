"""Records a counterpart pushes (``POST /channels/exchange/{code}/records/{kind}``, channels/exchange/push.py): a
genuine push is used like a pulled batch — good records used, bad ones quarantined with their reasons — and a push
with a missing, wrong, stale, tampered or replayed signature gets 401 with the reason in Chinese and changes
nothing. The fake platform (tests/fakes/exchange_platform.py) signs with the credentials the settings hold for it."""

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import rate_limit
from core.audit.models import AuditLog
from core.exchange.enums import Direction, Status
from core.exchange.models import ExchangeRecord
from tests.exchange.test_inbound import approval, major_project
from tests.fakes.exchange_platform import FakeExchange
from tests.helpers import api_error, db_state
from tests.world import World

Request = tuple[str, bytes, dict[str, str]]


def send(client: TestClient, request: Request) -> Any:
    path, body, headers = request
    return client.post(path, content=body, headers=headers)


def received(db: Session) -> dict[str, ExchangeRecord]:
    db.rollback()
    rows = db.scalars(select(ExchangeRecord).where(ExchangeRecord.direction == Direction.IN))
    return {r.local_id: r for r in rows}


def test_a_push_is_used_and_its_bad_records_quarantined(
    world: World, db: Session, client: TestClient, fake_exchange: FakeExchange
) -> None:
    node = major_project(db, world)
    batch = [
        {"id": "CITY-1", "data": approval()},
        {"id": "CITY-2", "data": approval(XMDM="2026-5116-47-01-123", SPJG="9")},
    ]
    response = send(client, fake_exchange.push_request("investment", "approval", batch))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["used"], answer["quarantined"], answer["unchanged"]) == (1, 1, 0)
    assert answer["reasons"][0].startswith("CITY-2：") and "“审批结果”的代码“9”不在规范代码表中" in answer["reasons"][0]

    rows = received(db)
    assert rows["CITY-1"].status == Status.CONFIRMED and rows["CITY-2"].status == Status.QUARANTINED
    assert {p["field"] for p in rows["CITY-2"].problems} == {"XMDM", "SPJG"}
    db.refresh(node)
    assert node.state == "done" and "文号 施许〔2026〕88号" in node.note
    writers = set(db.scalars(select(AuditLog.actor_name).where(AuditLog.entity == "exchange_record")))
    assert writers == {"对接平台：投资建设一网通办平台"}

    again = send(client, fake_exchange.push_request("investment", "approval", batch[:1]))  # a new push, same record
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    assert received(db)["CITY-1"].version == 1


def _stale(fake: FakeExchange) -> Request:
    return fake.push_request("investment", "approval", [{"id": "X", "data": approval()}], at=time.time() - 3600)


def _tampered(fake: FakeExchange) -> Request:
    path, _body, headers = fake.push_request("investment", "approval", [{"id": "X", "data": approval()}])
    forged = json.dumps({"records": [{"id": "X", "data": approval(SPJG="1")}]}, ensure_ascii=False).encode()
    return path, forged, headers


def _wrong_secret(fake: FakeExchange) -> Request:
    fake.secret = "not-the-shared-secret-at-all-0123456789"
    return fake.push_request("investment", "approval", [{"id": "X", "data": approval()}])


def _other_path(fake: FakeExchange) -> Request:
    _path, body, headers = fake.push_request("investment", "approval", [{"id": "X", "data": approval()}])
    return "/channels/exchange/four_certs/records/supervision_status", body, headers


def _unsigned(fake: FakeExchange) -> Request:
    path, body, headers = fake.push_request("investment", "approval", [{"id": "X", "data": approval()}])
    return path, body, {k: v for k, v in headers.items() if k != "X-Signature"}


def _other_app(fake: FakeExchange) -> Request:
    path, body, headers = fake.push_request("investment", "approval", [{"id": "X", "data": approval()}])
    return path, body, {**headers, "X-App-Id": "someone-else"}


BAD: dict[str, tuple[Callable[[FakeExchange], Request], str]] = {
    "stale": (_stale, "签名已过期或时间不同步"),
    "tampered": (_tampered, "请求内容与签名中的摘要不一致"),
    "wrong secret": (_wrong_secret, "签名不正确"),
    "signed for another address": (_other_path, "签名不正确"),
    "unsigned": (_unsigned, "请求缺少签名头：X-Signature"),
    "another app id": (_other_app, "应用标识（X-App-Id）与本平台登记的不符"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_signature_is_refused_and_changes_nothing(
    case: str, world: World, db: Session, client: TestClient, fake_exchange: FakeExchange
) -> None:
    node = major_project(db, world)
    build, reason = BAD[case]
    before = db_state()
    response = send(client, build(fake_exchange))
    error = api_error(response, 401)
    assert error["code"] == "bad_signature" and error["message"].startswith(f"签名校验失败：{reason}")
    assert db_state() == before
    db.refresh(node)
    assert node.state == "pending" and received(db) == {}


def test_a_replayed_push_is_refused_and_changes_nothing(
    world: World, db: Session, client: TestClient, fake_exchange: FakeExchange
) -> None:
    major_project(db, world)
    captured = fake_exchange.push_request("investment", "approval", [{"id": "CITY-1", "data": approval()}])
    assert send(client, captured).status_code == 200
    before = db_state()
    replayed = send(client, captured)
    assert api_error(replayed, 401)["message"] == "签名校验失败：重复的请求（随机数已使用过）"
    assert db_state() == before
    rate_limit.reset()  # even a replay after the limiter forgot everything is only a duplicate: used once
    assert send(client, captured).json()["unchanged"] == 1
    row = received(db)["CITY-1"]
    assert (row.version, row.attempts, row.status) == (1, 1, Status.CONFIRMED)


def test_what_is_not_for_us_is_refused_in_chinese(
    world: World, db: Session, client: TestClient, fake_exchange: FakeExchange
) -> None:
    unknown = send(client, fake_exchange.push_request("nowhere", "approval", []))
    assert "没有对接该平台" in api_error(unknown, 404)["message"]
    not_sent = send(client, fake_exchange.push_request("investment", "case", [{"id": "1", "data": {}}]))
    assert api_error(not_sent, 404)["message"] == "本平台不接收投资建设一网通办平台推送的“办件”记录"
    path = "/channels/exchange/investment/records/approval"
    garbled = client.post(path, content=b"not json", headers=fake_exchange.signed_headers(path, b"not json"))
    assert api_error(garbled, 422)["message"] == "请求内容不是有效的 JSON"
    too_many = [{"id": str(n), "data": approval()} for n in range(1001)]
    assert (
        "每次最多推送 1000 条记录"
        in api_error(send(client, fake_exchange.push_request("investment", "approval", too_many)), 422)["message"]
    )
    assert received(db) == {}
