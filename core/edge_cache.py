"""Which answers the proxy in front of the app (nginx, deploy/nginx/tongban.conf) may keep and hand to the next
anonymous visitor: the app decides, page by page, and says so with ``X-Accel-Expires``; nginx keeps nothing else.

A route that shows the same page to every anonymous visitor calls ``allow_shared(request)`` once its page is
made. The header is then added (by web/edge_cache.py's middleware, which sees the finished response) only when
all of these hold, so a mark on the wrong page still cannot leak anything personal:

- a GET or HEAD, answered 200;
- the request carries no session cookie and no bearer token (nginx bypasses its cache for those as well);
- the path is not one of the personal ones (``/admin``, ``/my``, ``/progress``, the web chat);
- the response sets no cookie (a page that had to create a session — a form's CSRF token — is that visitor's)
  and did not ask for ``no-store`` or ``private``.

How long: ``TONGBAN_EDGE_CACHE_SECONDS`` (a few seconds; 0 keeps nothing). A change (an edited guide, a new
publicity row) shows on the cached pages after at most that long.
"""

from starlette.requests import Request

from core.settings import get_settings

STATE_KEY = "tongban_edge_cache"
"""The request's state entry (``scope["state"]``) that marks its page as the same for every anonymous visitor."""
HEADER = "X-Accel-Expires"


def allow_shared(request: Request) -> None:
    """Marks this request's page as fit for the proxy's cache when the visitor is anonymous (see the module)."""
    seconds = get_settings().edge_cache_seconds
    if seconds > 0:
        setattr(request.state, STATE_KEY, seconds)


def marked_seconds(state: object) -> int:
    """The seconds a route allowed (0: not marked), read from the ASGI scope's ``state`` dict."""
    if isinstance(state, dict):
        value = state.get(STATE_KEY, 0)
        return value if isinstance(value, int) else 0
    return 0
