"""The platform's Prometheus metrics, defined once and fed where the work happens; ``/metrics`` serves them
(tongban/metrics.py) and deploy/prometheus/alerts.yml alerts on them.

Production runs several app processes: with ``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder, before the
process starts) every process writes its samples there and ``/metrics`` adds them up, whichever process answers.
Request latency is labelled by route template (``/api/v1/cases/{case_id}``), never by the raw path, so that the
number of series stays fixed; a path no route matched counts as ``<unmatched>``.
"""

import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "tongban_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter(
    "tongban_http_responses_total", "HTTP responses by route template and status", ["method", "route", "status"]
)
BOT_TURN_SECONDS = Histogram(
    "tongban_bot_turn_duration_seconds",
    "Time the bot (Rasa) took to answer one turn from a channel, by outcome",
    ["outcome"],
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0, 15.0, 30.0),
)
WARNING_SCAN_SECONDS = Histogram(
    "tongban_warning_scan_duration_seconds",
    "Duration of one early-warning scan (项目预警扫描)",
    buckets=(0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
UNMATCHED = "<unmatched>"


def route_of(scope: Scope) -> str:
    """The template of the route that served the request (set by the router), or ``<unmatched>``.

    A route of an included router knows only its own part (``/cases/{case_id}``); FastAPI records the whole
    template, prefix included, in its routing context."""
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class MetricsMiddleware:
    """Times every HTTP request and counts its response status, by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        began = time.perf_counter()

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            method = str(scope.get("method", ""))
            route = route_of(scope)
            REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - began)
            RESPONSES.labels(method, route, str(status)).inc()
