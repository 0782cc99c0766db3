"""Fake external APIs (real HTTP servers on 127.0.0.1) and their pytest fixtures; a test directory uses one by
importing it into its conftest.py:
``from tests.fakes.fixtures import fake_wecom  # noqa: F401``."""
