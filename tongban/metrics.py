"""``/metrics``: Prometheus's view of the platform, for the Prometheus server only.

It answers a caller whose address (worked out through ``TONGBAN_TRUSTED_PROXIES``, as for rate limits) is in
``TONGBAN_METRICS_ADDRESSES`` or who sends ``Authorization: Bearer <TONGBAN_METRICS_TOKEN>``; anyone else gets
404, as if there were nothing here. Besides the samples of core/metrics.py (added up over every app process in
multi-process mode), each scrape reads the state that lives outside the processes: the notification outbox
(depth, oldest age, failed rows) and, with Celery, the length of its Redis queue.
"""

import hmac
import logging
import os
from collections.abc import Iterator
from functools import lru_cache
from ipaddress import ip_address, ip_network

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from core.backup.service import MANIFEST, list_backups
from core.db import get_sessionmaker
from core.errors import NotFound
from core.rate_limit import client_ip
from core.settings import get_settings
from notifications.backlog import backlog

log = logging.getLogger("tongban")
router = APIRouter(include_in_schema=False)
CELERY_QUEUE = "celery"  # Celery's default queue: the one the delivery tasks and the beat's jobs go to


class StateCollector(Collector):
    """Gauges read at scrape time from the database and Redis (the same for every process)."""

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # nothing to read when registered: the database is read at scrape time only

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("tongban_outbox_depth", "Notifications waiting to be sent (outbox rows)")
        age = GaugeMetricFamily("tongban_outbox_oldest_age_seconds", "Age of the oldest unsent notification")
        failed = GaugeMetricFamily("tongban_notifications_failed", "Notifications that failed for good")
        up = GaugeMetricFamily("tongban_metrics_database_up", "1 when the scrape could read the database")
        try:
            with get_sessionmaker()() as db:
                state = backlog(db)
            depth.add_metric([], state.depth)
            age.add_metric([], state.oldest_age_seconds)
            failed.add_metric([], state.failed)
            up.add_metric([], 1)
        except Exception:  # the scrape still answers, and says the database could not be read
            log.exception("指标采集：读取通知发件箱失败")
            up.add_metric([], 0)
        yield from (depth, age, failed, up)
        newest = list_backups()[-1:]
        if newest:
            last = GaugeMetricFamily(
                "tongban_backup_last_success_timestamp_seconds", "When the newest complete backup was written"
            )
            last.add_metric([], (newest[0] / MANIFEST).stat().st_mtime)
            yield last
        url = get_settings().redis_url
        if url:
            queue = GaugeMetricFamily(
                "tongban_celery_queue_length", "Tasks waiting in Celery's Redis queue", labels=["queue"]
            )
            try:
                queue.add_metric([CELERY_QUEUE], float(_redis(url).llen(CELERY_QUEUE)))
                yield queue
            except Exception:
                log.exception("指标采集：读取 Celery 队列长度失败")


@lru_cache
def _redis(url: str):  # type: ignore[no-untyped-def]  # redis ships loose types
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


_STATE = StateCollector()
REGISTRY.register(_STATE)


def registry() -> CollectorRegistry:
    """This process's samples, or every process's in multi-process mode, with the scrape-time gauges."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    scraped = CollectorRegistry()
    MultiProcessCollector(scraped)  # type: ignore[no-untyped-call]  # prometheus-client leaves it untyped
    scraped.register(_STATE)
    return scraped


def allowed(request: Request) -> bool:
    """Whether the caller may read the metrics: a configured address, or the configured token."""
    settings = get_settings()
    token = settings.metrics_token.get_secret_value()
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in ip_network(a, strict=False) for a in settings.metrics_addresses)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """The Prometheus text exposition."""
    if not allowed(request):
        raise NotFound("页面不存在")
    return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)
