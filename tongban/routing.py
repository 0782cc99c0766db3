"""Route matching by path prefix, in front of FastAPI's router.

FastAPI asks every route in turn whether it takes a request: with ~480 routes that walk (twice: once to find the
route, once more inside the included router that handles it) was 18 % of the app's CPU, and /healthz, mounted last,
paid for all of them. A route can only take a path that begins with the literal part of its own path (what comes
before its first ``{parameter}``; a route without one takes its path alone), so :func:`install` puts a small index in front: for each request it hands
FastAPI's own matching loop only the top-level routes (included routers, pages, mounts) that have a route whose
literal prefix the path — or the path with its trailing slash added or removed, which FastAPI tries for its
redirect — begins with. Order, 405s, redirects, 404s and every route's behaviour stay FastAPI's: the loop is the
same code over a shorter list of the same routes in the same order. The composition root (tongban/asgi.py) includes
the packages' routers one by one rather than through their aggregating routers, so that the entries are small.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRouter, iter_route_contexts
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Mount
from starlette.types import Receive, Scope, Send

CACHED_PATHS = 4096
"""Candidate lists kept by path beginning; past that many, computed per request (a few microseconds)."""


def _shapes(route: BaseRoute) -> tuple[frozenset[str], tuple[str, ...]]:
    """The paths ``route`` (or a route inside it) takes: the exact ones (routes without parameters) and the
    literal beginnings of the others (``("",)``: any path)."""
    exact: set[str] = set()
    found: set[str] = set()
    for context in iter_route_contexts([route]):
        path = getattr(context, "path", None)
        if not isinstance(path, str):
            return frozenset(), ("",)  # a kind of route whose path is unknown here: ask it about every request
        if isinstance(context.original_route, Mount):
            path = path.rstrip("/") + "/{path}"  # a mount takes what lies under it
        if "{" in path:
            found.add(path.split("{", 1)[0])
        else:
            exact.add(path)
    # a prefix that contains a shorter one adds nothing (str.startswith with a tuple stops at the first)
    prefixes = tuple(sorted(p for p in found if not any(p != q and p.startswith(q) for q in found)))
    return frozenset(exact), prefixes


class _Candidates:
    """The router as its matching loop sees it, with only the routes that may take this path."""

    __slots__ = ("_router", "routes")

    def __init__(self, router: APIRouter, routes: list[BaseRoute]) -> None:
        self._router = router
        self.routes = routes

    def __getattr__(self, name: str) -> Any:
        return getattr(self._router, name)


class PrefixDispatch:
    """The router's entry point (its ``middleware_stack``): FastAPI's matching over the candidate routes."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.known: list[BaseRoute] = []
        self.index: list[tuple[BaseRoute, frozenset[str], tuple[str, ...]]] = []
        self.cache: dict[str, _Candidates] = {}
        self.longest = 0

    def _refresh(self) -> None:
        """(Re)builds the index when routes were added to the app after it was built (tests do)."""
        self.known = list(self.router.routes)
        self.index = [(route, *_shapes(route)) for route in self.known]
        self.longest = max((len(p) for _, exact, prefixes in self.index for p in (*exact, *prefixes)), default=0)
        self.cache = {}

    def candidates(self, path: str) -> _Candidates:
        """The routes that may take ``path``. Past the longest exact path or prefix (``longest``), which routes
        may take a path depends only on its first ``longest`` characters (for the slash-changed path too), so the
        lists are kept by those."""
        if len(self.router.routes) != len(self.known):
            self._refresh()
        key = path[: self.longest] if len(path.rstrip("/")) > self.longest else path
        found = self.cache.get(key)
        if found is not None:
            return found
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        routes = [
            route
            for route, exact, prefixes in self.index
            if path in exact or other in exact or path.startswith(prefixes) or other.startswith(prefixes)
        ]
        found = _Candidates(self.router, routes)
        if len(self.cache) < CACHED_PATHS:
            self.cache[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router.app(scope, receive, send)
            return
        scope.setdefault("router", self.router)
        view = self.candidates(get_route_path(scope))
        await APIRouter.app(view, scope, receive, send)  # type: ignore[arg-type]


def install(app: FastAPI) -> None:
    """Puts the prefix index in front of ``app``'s router (after every route is added)."""
    dispatch = PrefixDispatch(app.router)
    dispatch._refresh()
    app.router.middleware_stack = dispatch
