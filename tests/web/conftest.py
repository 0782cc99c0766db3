"""Helpers for the web tests: browsers that log in through the real form and post with the page's CSRF token."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from core.seed.demo import DEMO_PASSWORD

CITIZEN_LOGINS = {"citizen": "13800000001", "citizen2": "13800000002"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of a page's forms."""
    found = _CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


class Browser:
    """A TestClient with its own cookies, posting forms the way a browser would."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> Response:
        """GET a page."""
        return self.client.get(url, **kwargs)

    def submit(self, page_url: str, action: str, data: dict[str, Any], files: Any = None) -> Response:
        """Opens the page, takes its CSRF token (and an application form's key, unless ``data`` gives one) and posts
        the form to ``action``."""
        html = self.client.get(page_url).text
        hidden = {"csrf_token": csrf_of(html)}
        key = _FORM_KEY.search(html)
        if key is not None:
            hidden["form_key"] = key.group(1)
        return self.client.post(action, data={**hidden, **data}, files=files)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Response:
        """Logs in through the login form."""
        return self.submit("/login", "/login", {"username": username, "password": password})


@pytest.fixture
def browser(app: Any) -> Callable[[str | None], Browser]:
    """Makes a browser, logged in as the given user of the world (anonymous for None)."""

    def make(username: str | None = None) -> Browser:
        made = Browser(TestClient(app))
        if username is not None:
            response = made.login(CITIZEN_LOGINS.get(username, username))
            assert response.status_code == 200, response.text
            assert "用户名或密码不正确" not in response.text
        return made

    return make
