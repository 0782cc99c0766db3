"""Test fixtures: a migrated database (SQLite, or MariaDB when TONGBAN_TEST_DATABASE_URL is set),
the app, and a small world of departments, people, items and tokens.

How tests stay apart: after every test ``clean_tables`` empties every table that has rows (one probe query finds
them), so each test starts from empty tables. The ``world`` is built through the services the first time a test
asks for it in empty tables; its rows are then kept (tests/snapshot.py) and written back, same ids, same tokens,
into the emptied tables for every later test that asks for it: ~30 INSERTs instead of ~25 service calls with
audit records. A test therefore sees the world and its own rows, never another test's. Both steps read the tables
from ``Base.metadata``, so the tables of new migrations and plugins are covered without a change here; a fixture
that builds a large fixed data set may keep it the same way (``snapshot.restored`` / ``snapshot.keep``, see
tests/knowledge/conftest.py). What a snapshot cannot bring back is anything outside the database: a fixture that
needs that sets it up itself, after the rows.
"""

import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

_TMP = Path(tempfile.mkdtemp(prefix="tongban-test-"))


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


# A run that is stopped still runs the finalizers that stop what the tests started (workers, apps): Ctrl-C
# works even when a script started this run with SIGINT ignored, and SIGTERM ends it the same way.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, _stop)
# The suite sets what it needs: nothing from the developer's shell or .env (a configured WeChat account, raised
# rate limits, a Redis) may change what the tests see. TONGBAN_TEST_* and TONGBAN_E2E_* are the tests' own.
for _key in [k for k in os.environ if k.startswith("TONGBAN_") and not k.startswith(("TONGBAN_TEST_", "TONGBAN_E2E_"))]:
    del os.environ[_key]
os.environ["TONGBAN_SECRET_KEY"] = "test-secret-key-0123456789abcdef0123456789"
os.environ["TONGBAN_DATA_DIR"] = str(_TMP)
os.environ["TONGBAN_DATABASE_URL"] = os.environ.get("TONGBAN_TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.db"
os.environ.pop("TONGBAN_REDIS_URL", None)
# Staff are created for every test: hash their passwords cheaply (production keeps the default cost,
# tests/test_privacy.py checks it).
os.environ["TONGBAN_ARGON2_TIME_COST"] = "1"
os.environ["TONGBAN_ARGON2_MEMORY_COST_KIB"] = "8"
os.environ["TONGBAN_ARGON2_PARALLELISM"] = "1"
# No periodic jobs in the apps the tests start (`with TestClient(app)` runs the lifespan): their first round
# raced the tests' own set-up for the database. Tests of the jobs call them directly.
os.environ["TONGBAN_SCHEDULER_ENABLED"] = "false"
# WeChat waits 5 s for a passive reply; a loaded test machine can take longer than the app's 4 s window for a
# turn, which then goes out as a customer-service message instead. Tests of that window set it themselves.
os.environ["TONGBAN_WECHAT_REPLY_WINDOW_SECONDS"] = "30"
# The world's admin logs in with a password only (as in the demo); tests/test_two_factor.py turns it on.
os.environ["TONGBAN_REQUIRE_TWO_FACTOR"] = "false"

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core import cache, clock, rate_limit  # noqa: E402
from core.audit.context import SYSTEM, set_actor  # noqa: E402
from core.db import get_engine, get_sessionmaker  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.org import service as org_service  # noqa: E402
from core.settings import Settings, get_settings  # noqa: E402
from tests import processes, snapshot  # noqa: E402
from tests.world import World, WorldKeys, build_world  # noqa: E402

Settings.model_config["env_file"] = None  # nor from the developer's .env
from core.plugins import load_models  # noqa: E402
from core.seed.demo import DEMO_PASSWORD  # noqa: E402

pytest_plugins = ("tests.browser",)  # the page tests' fixtures (shared_chromium, page), in one place
IS_MYSQL = os.environ["TONGBAN_DATABASE_URL"].startswith("mysql")
if IS_MYSQL:  # one clear message when the C driver is missing, not the same error from every MariaDB test
    from core.mysql import DriverMissing, driver

    try:
        driver()
    except DriverMissing as missing:
        pytest.exit(str(missing), returncode=4)
load_models()  # the plugins' tables too, for the clean-up between tests


SLOW = (
    "slow: real processes or a browser (Celery workers, the run scope's scripts, Chromium on the served app, the "
    "app in its own uvicorn process), the property-based OpenAPI pass, or the whole demo seed; scripts/check.sh "
    "leaves them out (its summary lists them), scripts/test.sh runs everything"
)
ONE_PASS = (
    "one_pass(database): a heavy test whose outcome does not hang on the database (a browser walk of pages, the "
    "run scope's scripts) or that proves something about one database only: scripts/test.sh runs it in the pass on "
    "that database ('sqlite' or 'mariadb') and not in the other; a plain pytest runs it"
)
_slow_left_out: list[pytest.Item] = []
_in_other_pass: set[str] = set()  # node ids


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", SLOW)
    config.addinivalue_line("markers", ONE_PASS)


def _pass_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("one_pass")
    if marker is None:
        return None
    database = str(marker.args[0]) if marker.args else ""
    if database not in ("sqlite", "mariadb"):
        raise pytest.UsageError(f"{item.nodeid}: one_pass 需要 'sqlite' 或 'mariadb'，得到 {database!r}")
    return database


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``TONGBAN_TEST_PASS=sqlite|mariadb`` (scripts/test.sh, one per database pass) leaves out the tests marked
    ``one_pass`` for the other database. ``TONGBAN_TEST_SHARD=k/n`` keeps every n-th test from the k-th on:
    scripts/check.sh runs two such halves side by side, one per core, each in its own process with its own
    temporary database (and its own Redis database)."""
    this_pass = os.environ.get("TONGBAN_TEST_PASS", "")
    if this_pass:
        other = [item for item in items if _pass_of(item) not in (None, this_pass)]
        _in_other_pass.update(item.nodeid for item in other)
        items[:] = [item for item in items if _pass_of(item) in (None, this_pass)]
        config.hook.pytest_deselected(items=other)
    shard = os.environ.get("TONGBAN_TEST_SHARD", "")
    if not shard:
        return
    k, n = (int(x) for x in shard.split("/"))
    config.hook.pytest_deselected(items=[item for index, item in enumerate(items) if index % n != k - 1])
    items[:] = [item for index, item in enumerate(items) if index % n == k - 1]


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Remembers the slow tests a ``-m "not slow"`` run (scripts/check.sh) leaves out, to name them at the end."""
    _slow_left_out.extend(
        item for item in items if item.get_closest_marker("slow") and item.nodeid not in _in_other_pass
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After a quick run: which slow tests were left out, and how to run them; after a pass of scripts/test.sh: how
    many tests the other database's pass runs instead."""
    if _in_other_pass:
        other = "MariaDB" if os.environ.get("TONGBAN_TEST_PASS") == "sqlite" else "SQLite"
        terminalreporter.write_line(f"另有 {len(_in_other_pass)} 个测试只在 {other} 一遍中运行（标记 one_pass）")
    shard = os.environ.get("TONGBAN_TEST_SHARD", "")
    if not _slow_left_out or (shard and not shard.startswith("1/")):
        return  # (the halves of scripts/check.sh leave out the same tests: the first one names them)
    files: dict[str, int] = {}
    for item in _slow_left_out:
        path = item.nodeid.split("::")[0]
        files[path] = files.get(path, 0) + 1
    write = terminalreporter.write_line
    write("")
    write(f"未运行的慢测试 {len(_slow_left_out)} 个（真实进程、浏览器、模糊测试、完整演示数据；标记 slow）：")
    for path, count in sorted(files.items()):
        write(f"  {path}（{count} 个）")
    write("运行它们：bash scripts/check.sh -m slow；全部测试（含 MariaDB、机器人）：bash scripts/test.sh")


@pytest.fixture(scope="session", autouse=True)
def migrated() -> Iterator[None]:
    """The schema, built by the migrations themselves."""
    upgrade()
    yield
    get_engine().dispose()


@pytest.fixture(autouse=True)
def clean_tables(migrated: None) -> Iterator[None]:
    """Every test starts from empty tables, the real clock and fresh rate limits."""
    yield
    clock.freeze(None)
    rate_limit.reset()
    set_actor(SYSTEM)
    empty_tables()
    cache.clear()  # the public pages' cache holds rows the emptying removed behind the session hooks' back


def empty_tables() -> None:
    """Deletes every row of every table, outside the audit. One query first finds the tables that have rows (a
    test writes to a few of the ~70), so only those get a DELETE: one for every table was ~70 round trips after
    every test on MariaDB."""
    with get_engine().connect() as conn:  # read on its own: in SQLite's WAL mode a transaction that read and then
        # writes fails at once ("database is locked") when another connection (a delivery thread) wrote in between
        filled = snapshot.filled_tables(conn)
    if not filled:
        return
    with get_engine().begin() as conn:
        conn.execution_options(tongban_audit=False)  # emptying the tables is no write to audit
        if IS_MYSQL:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(filled):  # children first (SQLite checks the foreign keys)
            conn.execute(table.delete())
        if IS_MYSQL:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture
def db() -> Iterator[Session]:
    """A session for arranging and checking data directly."""
    session = get_sessionmaker()()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    """The whole app, one for the run: the first request an app answers builds the dependency context of every
    route (0.4 s of CPU, more than most tests take), so a fresh app per test cost ~7 minutes a run. The app keeps
    no state between requests (no ``app.state``, stateless middleware; each test has its own TestClient and so its
    own cookies); what create_app reads from the settings is the key, so a test that changes it gets its own."""
    from tongban.asgi import create_app

    settings = get_settings()
    key = (settings.secret_key.get_secret_value(), settings.session_max_age_seconds, settings.secure_cookies)
    if key not in _apps:
        _apps[key] = create_app()
    return _apps[key]


_apps: dict[tuple[object, ...], object] = {}


@pytest.fixture
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    """An HTTP client for the app."""
    return TestClient(app)


@pytest.fixture
def world(db: Session) -> World:
    """Departments, staff, items and tokens for API tests.

    Built through the services once per run; every later test gets the same rows written back from a snapshot
    (tests/snapshot.py) into its emptied tables, with the same ids and tokens. ``clean_tables`` empties every table
    after every test as before, so a test sees the world and its own rows, never another test's. The world is
    built afresh, as before, when the clock is frozen (its rows then carry the frozen time, and tokens expire
    from it) or when another fixture already wrote to one of the world's tables."""
    keys = snapshot.restored("world")
    if keys is not None:
        return keys.load(db)  # type: ignore[no-any-return]
    empty = snapshot.is_empty()
    built = build_world(db)
    snapshot.keep("world", WorldKeys.of(built), was_empty=empty)
    return built


@pytest.fixture(autouse=True)
def fresh_knowledge_caches() -> Iterator[None]:
    """Each test starts with an empty search index and glossary cache in this process (the tables are
    emptied between tests, which the incremental refresh would not notice)."""
    from knowledge.search import service as search_service
    from web import glossary

    search_service.reset()
    glossary.reset()
    yield
    search_service.reset()
    glossary.reset()


@pytest.fixture
def curators(world: World, db: Session) -> World:
    """Adds a knowledge editor and a reviewer, with API tokens, to the world."""
    for username, name, role in (("editor", "陈编辑", "editor"), ("reviewer", "林审核", "reviewer")):
        user = org_service.create_user(db=db, username=username, name=name, password=DEMO_PASSWORD, role_codes=[role])
        world.users[username] = user
        world.tokens[username] = org_service.issue_token(db=db, user=user, name="test")
    db.commit()
    return world


@contextmanager
def serve_app(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """The real app served by uvicorn in its own process on 127.0.0.1, on the test database; ``env`` adds to
    or overrides the environment it starts with (e.g. two-factor required). Yields its base address and stops
    it at the end."""
    port = processes.free_port()
    env = dict(os.environ, TONGBAN_SCHEDULER_ENABLED="false", **(env or {}))
    command = [sys.executable, "-m", "uvicorn", "tongban.asgi:create_app", "--factory", "--no-server-header"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = processes.spawn(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded 2-core machine takes its time to import everything
        # One client for all the polls: httpx.get builds a client, and with it an SSL context (loading the CA
        # bundle: 25 ms of CPU), at every poll, ten times a second, on the cores the starting app needs.
        with httpx.Client(timeout=5) as http:
            while True:
                try:
                    if http.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    pytest.fail("应用进程启动失败（见上方输出）")
                if time.monotonic() > deadline:
                    pytest.fail("应用进程未能在 90 秒内启动")
                time.sleep(0.1)
        yield base
    finally:
        processes.stop(server)


@pytest.fixture
def live_app() -> Iterator[str]:
    """The real app served by uvicorn in its own process on 127.0.0.1, on the test database."""
    with serve_app() as base:
        yield base
