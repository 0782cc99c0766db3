"""The web tests' logged-in browsers, for the topic pages."""

from tests.web.conftest import browser

__all__ = ["browser"]
