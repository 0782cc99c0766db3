"""Which answers the proxy in front of the app (nginx, deploy/nginx/tongban.conf) may keep and hand to the next
anonymous visitor: the app decides, route by route, and says so with ``X-Accel-Expires``; nginx keeps nothing else.

A route whose answer is the same for every anonymous visitor declares ``dependencies=[SHARED]``. The header is
then added (by web/edge_cache.py's middleware, which sees the finished response) only when all of these hold, so
a mark on the wrong route still cannot leak anything personal:

- a GET or HEAD, answered 200 or 404;
- the request carries no session cookie and no bearer token (nginx bypasses its cache for those as well);
- the path is not one of the personal ones (``/admin``, ``/my``, ``/progress``, the web chat);
- the response sets no cookie (a page that had to create a session — a form's CSRF token — is that visitor's)
  and did not ask for ``no-store`` or ``private``.

The route is marked before it runs, so that its every ordinary answer is kept: the 404 of a guide just withdrawn
as much as the page before it. An address whose answer turned from kept to not kept would otherwise go on
showing the old page: nginx gives the stale copy to everyone while it refreshes (``proxy_cache_use_stale
updating``) and keeps the stale copy when the refreshed answer may not be kept. (A 5xx is not kept: while the
app fails, visitors get the last good page.) For the same reason a knowledge search is kept whether or not it
found an answer; an unanswered question asked again within the seconds is noted for the curators once.

How long: ``TONGBAN_EDGE_CACHE_SECONDS`` (a few seconds; 0 keeps nothing new — empty nginx's cache directory after
turning it off, see deploy/RUNBOOK.md). A change (an edited guide, a new publicity row) shows on the cached pages
after at most that long.
"""

from fastapi import Depends, Request

from core.settings import get_settings

STATE_KEY = "tongban_edge_cache"
"""The request's state entry (``scope["state"]``) that marks its answer as the same for every anonymous visitor."""
HEADER = "X-Accel-Expires"
KEPT_STATUSES = frozenset({200, 404})


def allow_shared(request: Request) -> None:
    """Marks this request's answer as fit for the proxy's cache when the visitor is anonymous (see the module)."""
    seconds = get_settings().edge_cache_seconds
    if seconds > 0:
        setattr(request.state, STATE_KEY, seconds)


SHARED = Depends(allow_shared)
"""``@router.get(..., dependencies=[SHARED])``: the route's answers are the same for every anonymous visitor."""


def marked_seconds(state: object) -> int:
    """The seconds a route allowed (0: not marked), read from the ASGI scope's ``state`` dict."""
    if isinstance(state, dict):
        value = state.get(STATE_KEY, 0)
        return value if isinstance(value, int) else 0
    return 0
