"""Fixtures for the notification tests: the fake WeCom API."""

from tests.fakes.fixtures import fake_wecom  # noqa: F401
