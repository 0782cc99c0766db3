"""The composition root: builds the one ASGI app — /api/v1, the channel callbacks, the portal and the admin site.

Every package's routes are mounted here the one way: its API routers (under /api/v1) in ``API_ROUTERS``, its
other routes (callbacks, pages) in ``SITE_ROUTERS`` — each package's routers one by one, not its aggregating
router, so that the prefix index in front of the app's router (tongban/routing.py) has small entries to choose.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

import anyio.to_thread
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

import channels.routes
import channels.views
import core.api
import core.models
import knowledge.views
import notifications.views
import tongban.celery
import tongban.metrics
import web.routes
from core.api import ERROR_RESPONSES, install_error_handlers
from core.audit.context import AuditContextMiddleware
from core.availability import DatabaseUnavailableMiddleware
from core.jobs import periodic_jobs
from core.limits import BodySizeLimitMiddleware
from core.metrics import MetricsMiddleware
from core.observability import RequestIdMiddleware, configure_logging
from core.plugins import hooks as plugin_hooks
from core.retry import RetryTransactionsMiddleware
from core.settings import get_settings
from tongban import readiness, routing
from web.edge_cache import EdgeCacheMiddleware
from web.security_headers import SecurityHeadersMiddleware

log = logging.getLogger("tongban")

API_ROUTERS = (*core.api.DOMAIN_ROUTERS, knowledge.views.router, channels.views.router, notifications.views.router)
"""Every package's /api/v1 routes."""
SITE_ROUTERS = (*channels.routes.CHANNEL_ROUTERS, tongban.metrics.router, *web.routes.PAGE_ROUTERS)
"""Every package's routes outside /api/v1: the channel callbacks, the portal and admin pages."""


async def _every(minutes: float, job: Callable[[], object], failure: str) -> None:
    while True:
        try:
            await run_in_threadpool(job)
        except Exception:  # keep the loop alive; the next round tries again
            log.exception(failure)
        await asyncio.sleep(minutes * 60)


@contextlib.asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Starts the in-process scheduler (embedded mode) and stops it on shutdown."""
    settings = get_settings()
    # Sync routes run in anyio's worker threads (40 by default). A bot turn holds one while Rasa runs the
    # actions, and the actions call /api/v1 on this same process: with 20 people writing at once the 40 were
    # all waiting for answers that needed a 41st, and callbacks stalled for over 30 s.
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
    for warm_up in plugin_hooks("initialize"):
        await run_in_threadpool(warm_up)
    tasks = []
    if settings.scheduler_enabled:
        tasks = [asyncio.create_task(_every(job.minutes, job.run, job.failure)) for job in periodic_jobs()]
    yield
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app() -> FastAPI:
    """The application with every part mounted."""
    settings = get_settings()
    configure_logging()
    app = FastAPI(
        title="通办 Tongban API",
        version="1",
        description="一网通办平台接口：事项与办事指南、办件受理与办理、进度查询、办件公示与统计、机构与权限、审计。",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # web/api_docs.py serves Swagger UI from local files at /api/v1/docs
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="tongban_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,  # Secure whenever the site is served over https
    )
    app.add_middleware(AuditContextMiddleware)
    # a database that cannot be reached answers a Chinese 503 (deadlocks pass through to the retry below)
    app.add_middleware(DatabaseUnavailableMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(EdgeCacheMiddleware)  # outside the two above: it sees their Set-Cookie and no-store
    app.add_middleware(RetryTransactionsMiddleware)  # outermost: each try gets a fresh session and audit slot
    app.add_middleware(BodySizeLimitMiddleware)  # before all of them: an oversized body is refused unread
    app.add_middleware(MetricsMiddleware)  # times everything, refusals included
    app.add_middleware(RequestIdMiddleware)  # outermost: every log line of the request names it
    install_error_handlers(app)
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api/v1", responses=ERROR_RESPONSES)
    for router in SITE_ROUTERS:
        app.include_router(router)

    @app.get("/healthz", tags=["运维"], summary="存活检查")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(readiness.router)  # /readyz: the database, Redis and the bot (tongban/readiness.py)

    web.routes.install_pages(app)
    routing.install(app)  # last: it indexes every route above
    return app
