"""The prefix index in front of the router (tongban/routing.py) never hides a route that would have taken a request:
every route of the app, asked with a path of its own shape, with its own and with other methods, with and without
a trailing slash, is among the index's candidates whenever FastAPI's full walk would have matched it (fully, for
its method, or partly, for a 405). And what a visitor notices stays: 405s, slash redirects, 404 pages, routes added
after the app was built."""

import re

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.testclient import TestClient

from tongban.routing import PrefixDispatch

SAMPLES = {"int": "12", "path": "a/b.css", "str": "12", "uuid": "0f8fad5b-d9cb-469f-a165-70867728950e"}


def _sample(path: str) -> str:
    """A concrete path of the route's shape (each parameter filled with a value its converter takes)."""
    return re.sub(r"\{[^}:]+(?::(\w+))?\}", lambda m: SAMPLES.get(m.group(1) or "str", "12"), path)


def _matching(app: FastAPI, path: str, method: str) -> list[object]:
    """The top-level routes FastAPI's walk would match (fully or partly), for the path or its slash twin."""
    found = []
    twin = path.rstrip("/") if path.endswith("/") else path + "/"
    for route in app.router.routes:
        for candidate in (path, twin):
            scope = {"type": "http", "path": candidate, "root_path": "", "method": method, "headers": []}
            if route.matches(scope)[0] is not Match.NONE:
                found.append(route)
                break
    return found


def test_the_index_keeps_every_route_that_could_match(app: FastAPI) -> None:
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, PrefixDispatch)
    paths = {_sample(context.path) for context in iter_route_contexts(app.routes) if context.path}
    paths |= {"/", "/nowhere", "/api/v1/nowhere/12", "/admin/nowhere", "/static/nowhere.css", "/guides/"}
    assert len(paths) > 300
    for path in sorted(paths):
        candidates = dispatch.candidates(path).routes
        for method in ("GET", "POST", "DELETE"):
            missing = [r for r in _matching(app, path, method) if r not in candidates]
            assert not missing, f"{method} {path}: the index left out {missing}"
        # the candidates keep the router's order, so the first match is the one the full walk finds
        order = [app.router.routes.index(r) for r in candidates]
        assert order == sorted(order)


def test_the_index_is_much_shorter_than_the_walk(app: FastAPI) -> None:
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, PrefixDispatch)
    assert len(dispatch.candidates("/healthz").routes) == 1
    assert len(dispatch.candidates("/api/v1/cases/12").routes) < len(app.router.routes) / 5


def test_what_a_visitor_notices_is_unchanged(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.post("/healthz").status_code == 405
    moved = client.get("/guides/", follow_redirects=False)
    assert moved.status_code in (307, 308) and moved.headers["location"].endswith("/guides")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "您访问的页面不存在" in missing.text
    assert client.get("/api/v1/no-such-thing").json()["error"]["message"]
    assert client.get("/static/no-such-file.css").status_code == 404


def test_a_route_added_after_the_app_was_built_is_served() -> None:
    from tongban.asgi import create_app

    app = create_app()
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200  # the index is built and used

        @app.get("/late-addition")
        def late() -> dict[str, str]:
            return {"late": "yes"}

        assert client.get("/late-addition").json() == {"late": "yes"}
