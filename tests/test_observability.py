"""Metrics and request ids (issue 17): /metrics for the Prometheus server only, latency by route template, errors
by status, the outbox's depth and age, failed notifications, the bot's turn latency, the warning scan's duration;
one request id in the log lines of every hop — the request, the bot turn it starts, the bot's calls back to the
API, and the Celery tasks it queues."""

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from celery.contrib.testing.worker import start_worker
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.orm import Session

import tongban.metrics
from core import jobs, observability
from core.clock import now
from core.events.models import DomainEvent
from core.metrics import BOT_TURN_SECONDS
from core.settings import get_settings
from notifications.models import Notification
from tests.world import World
from tongban.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS = ("127.0.0.1", 40000)
"""The Prometheus server's address (the default ``metrics_addresses`` allow 127.0.0.1)."""


def scrape(client: TestClient, **headers: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """The metrics page as {sample name: [(labels, value)]}."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for found, v in samples.get(name, []) if all(found.get(k) == w for k, w in labels.items()))


def test_metrics_answer_the_prometheus_address_or_token_and_nobody_else(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert TestClient(app, client=PROMETHEUS).get("/metrics").status_code == 200
    stranger = TestClient(app, client=("203.0.113.9", 40000))
    assert stranger.get("/metrics").status_code == 404
    monkeypatch.setattr(get_settings(), "metrics_token", SecretStr("scrape-token-0123456789"))
    assert stranger.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert stranger.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"}).status_code == 200
    # Behind nginx the connection is the proxy's: the address that counts is the one it forwards.
    monkeypatch.setattr(get_settings(), "trusted_proxies", ("127.0.0.1",))
    proxied = TestClient(app, client=PROMETHEUS)
    assert proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_latency_is_counted_by_route_template_and_errors_by_status(app: FastAPI, world: World) -> None:
    client = TestClient(app, client=PROMETHEUS)
    before = scrape(client)
    for case_id in (999991, 999992, 999993):
        assert client.get(f"/api/v1/cases/{case_id}", headers=world.auth("clerk_a")).status_code == 404
    after = scrape(client)
    route = "/api/v1/cases/{case_id}"
    count = "tongban_http_request_duration_seconds_count"
    assert value(after, count, route=route) - value(before, count, route=route) == 3
    assert not any("999991" in labels.get("route", "") for labels, _ in after[count])  # never the raw path
    responses = "tongban_http_responses_total"
    assert value(after, responses, route=route, status="404") - value(before, responses, route=route, status="404") == 3


def test_the_outbox_depth_its_oldest_age_and_failed_notifications(app: FastAPI, world: World, db: Session) -> None:
    user = world.users["clerk_a"]
    event = DomainEvent(kind="case.accepted", subject="case:1", data={}, recipients=[])
    db.add(event)
    db.flush()
    for n, (status, minutes) in enumerate(
        (("created", 30), ("created", 2), ("sending", 1), ("failed", 90), ("delivered", 120))
    ):
        db.add(
            Notification(
                idempotency_key=f"metrics-test-{n}",
                event_id=event.id,
                user_id=user.id,
                channel="inbox",
                kind="case.accepted",
                title="办件已受理",
                body="测试",
                status=status,
                created_at=now() - timedelta(minutes=minutes),
            )
        )
    db.commit()
    samples = scrape(TestClient(app, client=PROMETHEUS))
    assert value(samples, "tongban_outbox_depth") == 3
    assert 29 * 60 <= value(samples, "tongban_outbox_oldest_age_seconds") <= 31 * 60
    assert value(samples, "tongban_notifications_failed") == 1


def test_a_warning_scan_is_timed(app: FastAPI, world: World) -> None:
    client = TestClient(app, client=PROMETHEUS)
    name = "tongban_warning_scan_duration_seconds_count"
    before = value(scrape(client), name)
    jobs.scan_warnings()
    assert value(scrape(client), name) == before + 1


@pytest.fixture(name="records")
def records_fixture() -> Iterator[list[logging.LogRecord]]:
    """Every record of the platform's loggers, from any thread."""
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    keep = Keep()
    logger = logging.getLogger("tongban")
    logger.addHandler(keep)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield seen
    logger.removeHandler(keep)
    logger.setLevel(level)


def test_a_trusted_source_names_the_request_id_and_anyone_else_gets_a_new_one(
    app: FastAPI, world: World, monkeypatch: pytest.MonkeyPatch, records: list[logging.LogRecord]
) -> None:
    monkeypatch.setattr(get_settings(), "request_id_sources", ("127.0.0.1",))  # the bot's action server
    action_server = TestClient(app, client=("127.0.0.1", 40001))
    response = action_server.get("/api/v1/items", headers={"X-Request-ID": "turn-5be1c0de"})
    assert response.headers["X-Request-ID"] == "turn-5be1c0de"
    assert any(r.name == "tongban.access" and r.request_id == "turn-5be1c0de" for r in records)  # type: ignore[attr-defined]

    stranger = TestClient(app, client=("203.0.113.9", 40000))
    made = stranger.get("/api/v1/items", headers={"X-Request-ID": "forged-id"}).headers["X-Request-ID"]
    assert made != "forged-id" and len(made) == 32
    bad = action_server.get("/api/v1/items", headers={"X-Request-ID": "with space;and/slash"}).headers["X-Request-ID"]
    assert len(bad) == 32  # a malformed id is replaced, even from a trusted source


def test_json_logs_carry_the_request_id() -> None:
    with observability.request_context("abc-123"):
        record = logging.getLogger("tongban.test").makeRecord(
            "tongban.test", logging.INFO, __file__, 1, "办件已受理", (), None
        )
    line = json.loads(observability.formatter("json").format(record))
    assert (line["request_id"], line["message"], line["level"], line["logger"]) == (
        "abc-123",
        "办件已受理",
        "INFO",
        "tongban.test",
    )
    assert "[abc-123]" in observability.formatter("text").format(record)


@celery_app.task(name="tests.request_id_echo")  # type: ignore[untyped-decorator]  # Celery ships no types
def request_id_echo() -> None:
    logging.getLogger("tongban.test").info("任务执行")


def test_a_celery_task_runs_under_the_request_id_it_was_queued_with(
    records: list[logging.LogRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", "memory://")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        with observability.request_context("req-celery-42"):
            request_id_echo.apply_async()
        deadline = time.monotonic() + 20
        while not any(r.getMessage() == "任务执行" for r in records) and time.monotonic() < deadline:
            time.sleep(0.05)
    ran = [r for r in records if r.getMessage() == "任务执行"]
    assert ran and ran[-1].request_id == "req-celery-42"  # type: ignore[attr-defined]
    assert ran[-1].threadName != threading.current_thread().name  # it ran in the worker, not here


def test_every_alert_rule_watches_a_metric_the_platform_serves(
    app: FastAPI, world: World, fake_backup: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "redis_url", None)
    client = TestClient(app, client=PROMETHEUS)
    client.get("/api/v1/items")
    jobs.scan_warnings()
    BOT_TURN_SECONDS.labels("answered").observe(0.5)
    served = {re.sub(r"_(bucket|count|sum|total|created)$", "", name) for name in scrape(client)}
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text(encoding="utf-8"))
    runbook = (ROOT / "deploy/RUNBOOK.md").read_text(encoding="utf-8")
    sections = {line[3:].strip().lower().replace(" ", "-") for line in runbook.splitlines() if line.startswith("## ")}
    watched = set()
    for rule in rules["groups"][0]["rules"]:
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["runbook"].removeprefix("deploy/RUNBOOK.md#") in sections, rule["alert"]
        watched |= {re.sub(r"_(bucket|count|sum|total)$", "", m) for m in re.findall(r"tongban_\w+", rule["expr"])}
    watched.discard("tongban_celery_queue_length")  # served with Redis only (Celery's queue)
    assert watched <= served, watched - served
    for wanted in (
        "tongban_outbox_depth",
        "tongban_outbox_oldest_age_seconds",
        "tongban_notifications_failed",
        "tongban_http_request_duration_seconds",
        "tongban_http_responses",
        "tongban_bot_turn_duration_seconds",
        "tongban_warning_scan_duration_seconds",
        "tongban_backup_last_success_timestamp_seconds",
    ):
        assert wanted in watched, wanted


@pytest.fixture
def fake_backup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A finished backup in the backup folder (the metrics read its time)."""
    monkeypatch.setattr(get_settings(), "backup_dir", tmp_path)
    (tmp_path / "20261205-020000").mkdir()
    (tmp_path / "20261205-020000" / "manifest.json").write_text("{}", encoding="utf-8")


def test_the_celery_queue_length_is_read_from_redis(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeRedis:
        def llen(self, name: str) -> int:
            return 17 if name == "celery" else 0

    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(tongban.metrics, "_redis", lambda _url: FakeRedis())
    samples = scrape(TestClient(app, client=PROMETHEUS))
    assert value(samples, "tongban_celery_queue_length", queue="celery") == 17
