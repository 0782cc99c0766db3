"""The migrations build the whole schema on an empty database, take it down again, and build it anew."""

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from core.db import make_engine
from core.migrate import downgrade, upgrade
from core.models import Base

MIGRATIONS_DB = "tongban_migrations"


@pytest.fixture
def fresh_url() -> Iterator[str]:
    """The URL of an empty database beside the test database (a temp file for SQLite, a second MySQL database)."""
    test_url = os.environ.get("TONGBAN_TEST_DATABASE_URL", "")
    if not test_url.startswith("mysql"):
        with tempfile.TemporaryDirectory(prefix="tongban-migrations-") as folder:
            yield f"sqlite:///{Path(folder) / 'fresh.db'}"
        return
    server = make_engine(make_url(test_url).set(database=None).render_as_string(hide_password=False))
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{MIGRATIONS_DB}`"))
        conn.execute(text(f"CREATE DATABASE `{MIGRATIONS_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield make_url(test_url).set(database=MIGRATIONS_DB).render_as_string(hide_password=False)
    finally:
        with server.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{MIGRATIONS_DB}`"))
        server.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_on_an_empty_database(fresh_url: str) -> None:
    expected = set(Base.metadata.tables)
    assert tables(fresh_url) == set()

    upgrade(fresh_url)
    assert tables(fresh_url) == expected | {"alembic_version"}
    for name, table in Base.metadata.tables.items():
        assert columns(fresh_url, name) == {c.name for c in table.columns}, name

    downgrade(fresh_url, "base")
    assert tables(fresh_url) == {"alembic_version"}

    upgrade(fresh_url)
    assert tables(fresh_url) == expected | {"alembic_version"}
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()
    assert len(versions) == 1 and versions[0]


def test_models_match_the_migrated_schema(fresh_url: str) -> None:
    """A model change without a migration shows up as a difference Alembic would autogenerate."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_roles_that_handled_cases_may_still_decide_after_the_split(fresh_url: str) -> None:
    """0020: a role that held the old all-steps ``case.handle`` keeps deciding (``case.decide``) after the upgrade;
    the downgrade gives the old permission back to a role that held only the new one."""
    upgrade(fresh_url, "0019")
    engine = make_engine(fresh_url)
    insert = text(
        "INSERT INTO role (code, name, data_scope, permissions, description, created_at)"
        " VALUES (:code, :code, 'department', :p, '', '2026-12-05 08:00:00')"
    )
    read = text("SELECT code, permissions FROM role ORDER BY code")
    try:
        with engine.begin() as conn:
            conn.execute(insert, {"code": "window", "p": '["case.handle", "case.read"]'})
            conn.execute(insert, {"code": "reader", "p": '["case.read"]'})
        upgrade(fresh_url)
        with engine.connect() as conn:
            after = {code: set(json.loads(p) if isinstance(p, str) else p) for code, p in conn.execute(read)}
        assert after == {"window": {"case.handle", "case.decide", "case.read"}, "reader": {"case.read"}}
        with engine.begin() as conn:
            conn.execute(insert, {"code": "decider", "p": '["case.decide"]'})
        downgrade(fresh_url, "0019")
        with engine.connect() as conn:
            before = {code: set(json.loads(p) if isinstance(p, str) else p) for code, p in conn.execute(read)}
        assert before == {"window": {"case.handle", "case.read"}, "reader": {"case.read"}, "decider": {"case.handle"}}
    finally:
        engine.dispose()
