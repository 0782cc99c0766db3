"""/readyz, the read replica's session and the Chinese 503 when the database cannot be reached.

The cluster drills (tests/drills/) do the same against real servers being killed and restarted; these check
the app's side on the test database, with the unreachable parts on a port where nothing listens.
"""

from collections.abc import Iterator

import MySQLdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError, PendingRollbackError
from sqlalchemy.orm import Session, sessionmaker

import core.deps
from core import db as core_db
from core.availability import is_unreachable
from core.org.models import Department
from core.settings import get_settings
from tests.conftest import IS_MYSQL
from tests.processes import free_port
from tests.world import World

DEAD_MYSQL = "mysql+mysqldb://root@127.0.0.1:{port}/tongban?charset=utf8mb4"


@pytest.fixture
def dead_url() -> str:
    """A MariaDB URL where nothing listens (connection refused, at once)."""
    return DEAD_MYSQL.format(port=free_port())


@pytest.fixture
def replica_caches() -> Iterator[None]:
    """The replica's engine and sessions are read once per process: start and end with none."""
    for cached in (core_db.get_replica_engine, core_db.get_replica_sessionmaker):
        cached.cache_clear()
    yield
    for cached in (core_db.get_replica_engine, core_db.get_replica_sessionmaker):
        cached.cache_clear()


def test_ready_when_the_database_answers_and_the_bot_is_only_reported(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "rasa_url", f"http://127.0.0.1:{free_port()}/webhooks/rest/webhook")
    answer = client.get("/readyz")
    assert answer.status_code == 200  # the portal works without the bot: no reason to take the process out
    body = answer.json()
    assert body["status"] == "degraded"
    assert body["parts"]["database"]["ok"] is True
    assert body["parts"]["rasa"] == {"ok": False, "message": "智能客服（Rasa）无法连接（不影响其他功能）"}
    assert "redis" not in body["parts"]  # not configured, not checked


def test_not_ready_names_redis_when_it_is_configured_and_down(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "redis_url", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(get_settings(), "plugins", ())
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["message"] == "Redis无法连接，本进程暂不能提供服务"
    assert answer.json()["parts"]["database"]["ok"] is True


def test_not_ready_names_the_database(client: TestClient, monkeypatch: pytest.MonkeyPatch, dead_url: str) -> None:
    monkeypatch.setattr(get_settings(), "plugins", ())
    monkeypatch.setattr("tongban.readiness.get_engine", lambda: core_db.make_engine(dead_url))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["message"] == "数据库（主库）无法连接，本进程暂不能提供服务"
    assert client.get("/healthz").status_code == 200  # alive all the same: no restart needed


def test_an_unreachable_database_answers_503_in_chinese_on_the_api_and_on_pages(
    app: object, world: World, monkeypatch: pytest.MonkeyPatch, dead_url: str
) -> None:
    dead = sessionmaker(bind=core_db.make_engine(dead_url), expire_on_commit=False)
    monkeypatch.setattr(core.deps, "get_sessionmaker", lambda: dead)
    client = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
    api = client.get("/api/v1/items", headers=world.auth("clerk_a"))
    assert api.status_code == 503 and api.headers["retry-after"] == "5"
    assert api.json()["error"] == {
        "code": "database_unavailable",
        "message": "系统正在恢复数据库连接，本次操作没有完成，也没有保存任何内容，请稍后再试一次",
    }
    write = client.post("/api/v1/cases", json={}, headers=world.auth("clerk_a"))
    assert write.status_code == 503 and "没有保存" in write.json()["error"]["message"]
    page = client.get("/guides")
    assert page.status_code == 503 and "系统暂时不可用" in page.text and "没有保存任何内容" in page.text


def test_an_unreachable_redis_refuses_a_login_with_503_in_chinese(
    app: object, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core import rate_limit

    monkeypatch.setattr(get_settings(), "redis_url", f"redis://127.0.0.1:{free_port()}/0")
    rate_limit._limiter.cache_clear()  # the limiter's storage is read once per process
    try:
        client = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
        answer = client.post("/api/v1/auth/token", json={"username": "admin", "password": "x"})
        assert answer.status_code == 503
        assert answer.json()["error"]["message"] == (
            "系统正在恢复登录与缓存服务，本次操作没有完成，也没有保存任何内容，请稍后再试一次"
        )
        assert client.get("/guides").status_code == 200  # a page that needs neither keeps working
    finally:
        rate_limit._limiter.cache_clear()


def test_a_lost_connection_counts_as_unreachable_but_a_deadlock_does_not(dead_url: str) -> None:
    with pytest.raises(OperationalError) as refused:
        core_db.make_engine(dead_url).connect()
    assert is_unreachable(refused.value)
    assert not is_unreachable(MySQLdb.OperationalError(1213, "Deadlock found"))
    assert is_unreachable(MySQLdb.OperationalError(2013, "Lost connection to MySQL server during query"))
    try:  # the clean-up after a lost connection meets SQLAlchemy's "roll back first": still the database's absence
        try:
            raise MySQLdb.OperationalError(2013, "Lost connection to MySQL server during query")
        except MySQLdb.OperationalError:
            raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back") from None
    except PendingRollbackError as later:
        assert later.__context__ is not None and is_unreachable(later)


def test_publicity_and_statistics_read_the_replica_and_fall_back_to_the_primary(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch, dead_url: str, replica_caches: None
) -> None:
    monkeypatch.setattr(get_settings(), "database_replica_url", dead_url)  # configured, but down
    for path in ("/publicity", "/statistics", "/api/v1/publicity", "/api/v1/statistics"):
        answer = client.get(path)
        assert answer.status_code == 200, path  # the primary answered instead
    assert core_db.get_replica_engine() is not None and str(core_db.get_replica_engine().url.port) in dead_url


def test_a_replica_session_never_writes(db: Session, world: World, replica_caches: None) -> None:
    session = core_db.get_replica_sessionmaker()()  # no replica configured: the primary, read-only
    try:
        department = session.scalars(select(Department).where(Department.code == "DA")).one()
        assert department.name == "城市管理局"  # reads work
        department.name = "改名"
        with pytest.raises(core_db.ReadOnlyViolation, match="只读会话不能写入"):
            session.flush()
        session.rollback()
        with pytest.raises(core_db.ReadOnlyViolation):
            session.execute(update(Department).values(name="改名"))
    finally:
        session.rollback()
        session.close()
    db.expire_all()
    assert db.scalars(select(Department.name).where(Department.code == "DA")).one() == "城市管理局"


@pytest.mark.skipif(not IS_MYSQL, reason="the server's own read-only sessions are MariaDB's")
def test_replica_connections_are_read_only_on_the_server(world: World) -> None:
    engine = core_db.make_engine(get_settings().database_url, read_only=True)
    try:
        with engine.connect() as conn, pytest.raises(OperationalError) as refused:
            conn.execute(text("UPDATE department SET name = 'x'"))
        assert refused.value.orig.args[0] == 1792  # "Cannot execute statement in a READ ONLY transaction"
    finally:
        engine.dispose()


@pytest.mark.parametrize(("proxies", "believed"), [((), None), (("10.0.0.10",), ["10.0.0.10"])])
def test_serve_believes_forwarded_headers_only_from_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, proxies: tuple[str, ...], believed: list[str] | None
) -> None:
    import uvicorn

    from tongban import cli

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(get_settings(), "trusted_proxies", proxies)
    cli.serve(host="127.0.0.1", port=8001)
    # uvicorn's own default would believe X-Forwarded-For from anything on 127.0.0.1
    assert seen["proxy_headers"] is bool(proxies) and seen["forwarded_allow_ips"] == believed
