"""Builds the one ASGI app: /api/v1, the portal, the admin site (and later the channel callbacks)."""

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from core.api import api_router, install_error_handlers
from core.settings import get_settings
from web.routes import mount_web


def create_app() -> FastAPI:
    """The application with every part mounted."""
    settings = get_settings()
    app = FastAPI(
        title="通办 Tongban API",
        version="1",
        description="一网通办平台接口：事项与办事指南、办件受理与办理、进度查询、办件公示与统计、机构与权限、审计。",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="tongban_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    install_error_handlers(app)
    app.include_router(api_router())

    @app.get("/healthz", tags=["运维"], summary="存活检查")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    mount_web(app)
    return app


