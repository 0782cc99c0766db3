"""Which answers the app lets nginx keep for every anonymous visitor (``X-Accel-Expires``, core/edge_cache.py):
the public pages read without a session (their 404s and every search included), and nothing a session, a cookie,
a form's token or a person's data is part of. Reading a page no longer gives the visitor a session; forms still get their token and stay protected.
(The real nginx in front of the app: tests/test_edge_cache_nginx.py.)"""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from core.settings import get_settings
from tests.web.conftest import Browser, csrf_of
from tests.world import World

MARK = "x-accel-expires"


def test_public_pages_read_anonymously_are_marked_and_set_no_cookie(client: TestClient, world: World) -> None:
    seconds = str(get_settings().edge_cache_seconds)
    for page in ("/", "/guides", f"/guides/{world.item.id}", "/knowledge", "/knowledge/faqs", "/publicity"):
        answer = client.get(page)
        assert answer.status_code == 200, page
        assert answer.headers.get(MARK) == seconds, page
        assert "set-cookie" not in answer.headers, page
        assert 'name="csrf_token"' not in answer.text  # nothing of a session in the page
    assert client.cookies.get("tongban_session") is None


def test_signed_in_people_and_token_callers_never_get_the_mark(
    browser: Callable[[str | None], Browser], world: World
) -> None:
    citizen = browser("citizen")
    for page in ("/", "/guides", "/publicity"):
        answer = citizen.get(page)
        assert answer.status_code == 200 and "孙市民" in answer.text
        assert MARK not in answer.headers and answer.headers["cache-control"] == "no-store"
    api = TestClient(citizen.client.app)
    assert MARK not in api.get("/api/v1/knowledge/search", params={"q": "道路"}, headers=world.auth("citizen")).headers


def test_pages_with_a_form_make_the_session_and_are_not_marked(client: TestClient, world: World) -> None:
    for page in ("/login", "/register", "/progress"):
        answer = TestClient(client.app).get(page)
        assert answer.status_code == 200, page
        assert MARK not in answer.headers, page
        assert "tongban_session=" in answer.headers["set-cookie"], page
    # once the visitor has a session (an anonymous one, holding the form's token), no page of theirs is marked
    assert client.get("/login").status_code == 200 and client.cookies.get("tongban_session")
    assert MARK not in client.get("/").headers


def test_a_form_still_needs_the_token_of_its_own_session(
    browser: Callable[[str | None], Browser], world: World
) -> None:
    visitor = browser(None)
    assert MARK in visitor.get("/guides").headers  # reading first: no session yet
    form = visitor.get("/login")
    token = csrf_of(form.text)
    refused = visitor.client.post("/login", data={"username": "13800000001", "password": "x", "csrf_token": "forged"})
    assert refused.status_code == 403
    stranger = TestClient(visitor.client.app)
    stolen = stranger.post("/login", data={"username": "13800000001", "password": "x", "csrf_token": token})
    assert stolen.status_code == 403  # the token belongs to the visitor's session, not to anyone holding it
    assert visitor.login("13800000001").status_code == 200
    assert "孙市民" in visitor.get("/").text


def test_a_withdrawn_page_and_any_search_are_kept_too_but_no_write_or_personal_path(
    client: TestClient, world: World
) -> None:
    # Every ordinary answer of a public address is kept, so that nginx never goes on showing the page an address
    # had before it turned into something it may not keep (it serves the stale copy while refreshing).
    assert client.get("/guides/999999").status_code == 404
    assert client.get("/guides/999999").headers.get(MARK)
    unanswered = client.get("/knowledge/search", params={"q": "火星移民签证怎么办理"})
    assert unanswered.status_code == 200 and unanswered.headers.get(MARK)
    assert client.get("/api/v1/knowledge/search", params={"q": "火星移民签证怎么办理"}).headers.get(MARK)
    # a refused request (bad input) is not a page to keep
    assert MARK not in client.get("/publicity", params={"date_from": "昨天"}).headers
    assert MARK not in client.post("/api/v1/progress", json={"case_no": "KF1", "query_code": "x"}).headers
    assert MARK not in client.get("/channels/webchat/messages").headers
    assert MARK not in client.get("/api/v1/items").headers  # not declared shared


def test_zero_seconds_marks_nothing(client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "edge_cache_seconds", 0)
    answer = client.get("/")
    assert answer.status_code == 200 and MARK not in answer.headers
