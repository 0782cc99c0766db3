"""The portal and admin pages as one router (mounted by tongban/asgi.py), their static files, and HTML error
pages for them."""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from core.errors import AppError, NotAuthenticated, http_message
from core.org.service import PasswordChangeRequired
from web import (
    account,
    admin_assessment,
    admin_audit,
    admin_boards,
    admin_case_export,
    admin_case_files,
    admin_cases,
    admin_conversations,
    admin_dashboard,
    admin_exchange,
    admin_filing,
    admin_filing_rules,
    admin_guidance,
    admin_item_templates,
    admin_items,
    admin_knowledge,
    admin_major_project_actions,
    admin_major_projects,
    admin_modules,
    admin_notifications,
    admin_org,
    admin_supervision,
    admin_supervision_reports,
    admin_warnings,
    api_docs,
    glossary,
    portal,
    portal_apply,
    portal_bundles,
    portal_filing,
    portal_filing_documents,
    portal_filing_proxy,
    portal_guidance,
    portal_knowledge,
    portal_letters,
    portal_my,
    portal_rate,
    portal_statistics,
    portal_templates,
    topics,
    vendor,
)
from web.common import WEB_DIR, login_redirect, remember_viewer, render, templates
from web.deps import FormRejected

_API_PREFIXES = ("/api/", "/healthz", "/readyz", "/static/", "/channels/")
_HTTP_MESSAGES = {404: "您访问的页面不存在", 405: "不支持该请求方法"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(_API_PREFIXES)


async def _delegate(
    handler: Callable[[Request, Any], Response | Awaitable[Response]], request: Request, exc: Any
) -> Response:
    result = handler(request, exc)
    return await result if inspect.isawaitable(result) else result


def error_page(request: Request, message: str, status: int) -> Response:
    """The error page: inside /admin, for signed-in staff, in the admin layout (their menu, their name), elsewhere
    in the portal's. A route that no page answered still knows who is signed in (``remember_viewer``)."""
    remember_viewer(request)
    viewer = getattr(request.state, "viewer", None)
    staff = viewer is not None and viewer.is_staff
    inside = request.url.path == "/admin" or request.url.path.startswith("/admin/")
    template = "admin/error.html" if inside and staff else "error.html"
    return render(request, template, {"message": message}, status=status)


router = APIRouter(include_in_schema=False)
for _pages in (
    admin_notifications.router,
    admin_exchange.router,
    portal_rate.router,
    portal_apply.router,
    portal_bundles.router,
    portal_my.router,
    portal.router,
    portal_statistics.router,
    account.router,
    admin_dashboard.router,
    admin_case_export.router,
    admin_case_files.router,  # before admin_cases, whose /cases/{id}/{action} would take /slip
    admin_cases.router,
    admin_org.router,
    admin_modules.router,
    admin_items.router,
    admin_item_templates.router,
    portal_templates.router,
    admin_audit.router,
    portal_knowledge.router,
    admin_knowledge.router,
    topics.router,
    admin_filing_rules.router,
    admin_filing.router,
    portal_filing_documents.router,
    portal_filing_proxy.router,  # before portal_filing, whose /filing/projects/{id} would take /proxy
    portal_filing.router,
    portal_letters.router,
    admin_conversations.router,
    admin_supervision.router,
    admin_supervision_reports.router,
    admin_warnings.router,
    admin_major_project_actions.router,
    admin_major_projects.router,
    admin_assessment.router,
    admin_boards.router,
    admin_guidance.router,
    portal_guidance.router,
    api_docs.router,
):
    router.include_router(_pages)


def install_pages(app: FastAPI) -> None:
    """The static files, the glossary's tooltips and HTML error pages; errors of /api/v1 stay JSON."""
    glossary.install(templates.env)
    vendor.install(app)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    api_app_error = app.exception_handlers[AppError]
    api_validation = app.exception_handlers[RequestValidationError]
    api_http = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if _is_api(request):
            return await _delegate(api_app_error, request, exc)
        if isinstance(exc, NotAuthenticated):
            return login_redirect(request)
        if isinstance(exc, PasswordChangeRequired):
            return RedirectResponse(exc.page, status_code=303)
        return error_page(request, exc.message, exc.status_code)

    @app.exception_handler(FormRejected)
    async def _form_rejected(_request: Request, exc: FormRejected) -> Response:
        return exc.response  # the form again with the message, rendered where the error was met (web/deps.py)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return await _delegate(api_validation, request, exc)
        return error_page(request, "请求的参数不正确，请检查后重试", 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return await _delegate(api_http, request, exc)
        message = _HTTP_MESSAGES.get(exc.status_code) or http_message(exc)
        return error_page(request, message, exc.status_code)
