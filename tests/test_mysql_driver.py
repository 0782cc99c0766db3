"""The MySQL/MariaDB driver is mysqlclient (core/mysql.py): settings written for PyMySQL keep working, the error
numbers that decide a retry or a 503 are read from its errors, and a missing driver says what to install."""

import sys
from pathlib import Path

import MySQLdb
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core import mysql
from core.availability import is_unreachable
from core.db import make_engine
from core.retry import is_transient
from core.settings import get_settings
from tests.conftest import IS_MYSQL


@pytest.mark.parametrize(
    ("configured", "used"),
    [
        ("mysql+pymysql://u:p@db:3306/tongban?charset=utf8mb4", "mysql+mysqldb://u:p@db:3306/tongban?charset=utf8mb4"),
        ("mysql+pymysql://u:p@db/tongban", "mysql+mysqldb://u:p@db/tongban?charset=utf8mb4"),
        ("mysql://u@db/tongban?connect_timeout=5", "mysql://u@db/tongban?connect_timeout=5&charset=utf8mb4"),
        ("mysql+mysqldb://u@db/tongban?charset=utf8mb4", "mysql+mysqldb://u@db/tongban?charset=utf8mb4"),
        ("mariadb+pymysql://u@db/tongban?charset=utf8mb4", "mariadb+mysqldb://u@db/tongban?charset=utf8mb4"),
        ("sqlite:///var/tongban.db", "sqlite:///var/tongban.db"),
    ],
)
def test_a_pymysql_url_is_read_as_mysqlclients_and_gets_utf8mb4(configured: str, used: str) -> None:
    assert mysql.driver_url(configured) == used


def test_an_engine_from_an_old_pymysql_setting_uses_mysqlclient() -> None:
    engine = make_engine("mysql+pymysql://tongban:secret@10.0.0.41:3306/tongban")  # not connected: nothing runs
    try:
        assert engine.dialect.driver == "mysqldb"
        assert engine.url.query["charset"] == "utf8mb4"
    finally:
        engine.dispose()


def test_without_the_driver_a_mysql_url_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "MySQLdb", None)  # as if it were not installed: importing it fails
    with pytest.raises(mysql.DriverMissing, match="libmariadb-dev"):
        make_engine("mysql+mysqldb://root@127.0.0.1:3306/tongban")
    make_engine(f"sqlite:///{tmp_path}/alone.db").dispose()  # SQLite needs no MySQL driver
    assert mysql.error_code(ValueError(1213)) is None  # and no error can be the driver's


def test_the_drivers_error_numbers_decide_retry_and_503() -> None:
    deadlock = MySQLdb.OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")
    lock_wait = MySQLdb.OperationalError(1205, "Lock wait timeout exceeded; try restarting transaction")
    refused = MySQLdb.OperationalError(2002, "Can't connect to server on '127.0.0.1' (111)")
    assert is_transient(deadlock) and is_transient(lock_wait) and not is_transient(refused)
    assert is_unreachable(refused) and not is_unreachable(deadlock)
    assert is_unreachable(MySQLdb.InterfaceError(0, ""))  # a connection the driver knows is closed
    assert not is_transient(ValueError(1213)) and not is_unreachable(RuntimeError(2013))  # not the driver's


@pytest.mark.skipif(not IS_MYSQL, reason="the server's character set and isolation are MariaDB's")
def test_connections_speak_utf8mb4_with_the_servers_isolation() -> None:
    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect() as conn:
            assert engine.dialect.driver == "mysqldb"
            assert conn.execute(text("SELECT @@character_set_client, @@character_set_results")).one() == (
                "utf8mb4",
                "utf8mb4",
            )
            assert conn.get_isolation_level() == "REPEATABLE READ"  # InnoDB's default, as with PyMySQL
            assert conn.execute(text("SELECT :word"), {"word": "通办😀"}).scalar() == "通办😀"  # four-byte UTF-8
            with pytest.raises(OperationalError) as gone:  # what the primary's restart looks like mid-request
                conn.execute(text("KILL CONNECTION CONNECTION_ID()"))
            assert is_unreachable(gone.value)
            conn.rollback()  # as the request's clean-up does
        with engine.connect() as again:  # the pool replaced the dead connection
            assert again.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
