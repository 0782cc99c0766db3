"""Security headers on every response, as one pure ASGI middleware.

- ``Content-Security-Policy``: scripts only from this site (the templates have no inline script; Swagger UI is
  served locally with its start-up in a static file), no framing, no plugins, forms post only here. Inline
  ``style`` attributes stay allowed: the templates use a few and the Graphviz flowcharts carry their own.
- ``X-Frame-Options``, ``X-Content-Type-Options``, ``Referrer-Policy``; ``Strict-Transport-Security`` only when the
  site URL (``TONGBAN_BASE_URL``) is https — over plain http a browser ignores it, and a test site would pin
  itself to https.
- ``Cache-Control: no-store`` wherever personal data may be shown: every page under ``/admin``, ``/my`` and
  ``/progress``, the web chat, and every response to a request that carries credentials (a session cookie or a
  bearer token) or that sets the session cookie — except the static files, which hold nothing personal.
"""

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import get_settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
PERSONAL_PREFIXES = ("/admin", "/my/", "/progress", "/channels/webchat")
SESSION_COOKIE = "tongban_session"
_UNCACHED_EXEMPT = ("/static/",)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def carries_credentials(scope: Scope) -> bool:
    """True when the request may be answered with someone's own data (a session cookie or a bearer token)."""
    return bool(_header(scope, b"authorization")) or f"{SESSION_COOKIE}=" in _header(scope, b"cookie")


def must_not_be_stored(scope: Scope) -> bool:
    """Whether the answer to this request may hold personal data and so must not be kept by any cache."""
    path: str = scope.get("path", "")
    if path.startswith(_UNCACHED_EXEMPT):
        return False
    return path == "/my" or path.startswith(PERSONAL_PREFIXES) or carries_credentials(scope)


def security_headers(*, https: bool, no_store: bool) -> Iterable[tuple[str, str]]:
    """The headers every response gets (a response that set its own CSP or framing rule keeps it)."""
    yield "Content-Security-Policy", CONTENT_SECURITY_POLICY
    yield "X-Frame-Options", "DENY"
    yield "X-Content-Type-Options", "nosniff"
    yield "Referrer-Policy", "strict-origin-when-cross-origin"
    if https:
        yield "Strict-Transport-Security", HSTS
    if no_store:
        yield "Cache-Control", "no-store"


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (pure ASGI: streaming responses stay streaming)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = get_settings().base_url.lower().startswith("https://")
        no_store = must_not_be_stored(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # an answer that sets the session cookie (a form's CSRF token made the visitor's session) is theirs
                sets_session = any(f"{SESSION_COOKIE}=" in v for v in headers.getlist("set-cookie"))
                for name, value in security_headers(https=https, no_store=no_store or sets_session):
                    if name == "Cache-Control":
                        headers[name] = value  # personal data: no route may ask for caching
                    elif name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
