"""The one MySQL/MariaDB driver the app uses: mysqlclient (``MySQLdb``, SQLAlchemy's ``mysql+mysqldb``), a C
extension over MariaDB Connector/C.

It replaced PyMySQL (issue 17): under load on the cluster, py-spy found PyMySQL's pure-Python wire protocol in
21 % of the app processes' samples, more than SQLAlchemy itself; mysqlclient reads and decodes rows in C and lets
the other request threads run while it waits for the server. bench/page_cost.py prints what a page costs.

A URL that names PyMySQL (``mysql+pymysql://``, as env files written before the change do) is read as
mysqlclient's, so an existing deployment gets the faster driver without editing its settings. The
bot's SQL tracker store (bot/, its own venv) keeps PyMySQL: Rasa is not on the hot path.

Driver errors carry the server's or the client library's error number first (``error.args[0]``); the retry of
deadlocks (core/retry.py) and the 503 for an unreachable database (core/availability.py) read it here.
"""

import importlib
from types import ModuleType
from typing import Any

from sqlalchemy.exc import DBAPIError

DRIVER = "mysqldb"
"""SQLAlchemy's name for mysqlclient."""

_PYMYSQL = ("mysql+pymysql://", "mariadb+pymysql://")
"""URL beginnings that name PyMySQL; one that names no driver (``mysql://``) is mysqlclient's already."""


class DriverMissing(RuntimeError):
    """A MySQL/MariaDB URL is configured but mysqlclient is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "缺少 MySQL/MariaDB 驱动 mysqlclient（import MySQLdb 失败）：它从源码编译，需要 libmariadb-dev、pkg-config"
            " 和 gcc。运行 scripts/run.sh 或 scripts/test.sh 会自动安装它们并重建 .venv；"
            "或手动 apt-get install libmariadb-dev pkg-config gcc 后 .venv/bin/pip install -r requirements.lock"
        )


def driver_url(url: str) -> str:
    """``url`` with mysqlclient as its driver and utf8mb4 as its character set when it is a MySQL/MariaDB URL;
    any other URL (SQLite) unchanged."""
    if url.startswith(_PYMYSQL):
        url = url.replace("+pymysql://", f"+{DRIVER}://", 1)
    if url.startswith(("mysql", "mariadb")) and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


def driver() -> ModuleType:
    """The mysqlclient module; ``DriverMissing`` (a message saying what to install) when it is absent."""
    try:
        return importlib.import_module("MySQLdb")
    except ImportError as missing:
        raise DriverMissing() from missing


def _driver_error(error: BaseException) -> Any:
    """The driver's own error inside ``error`` (SQLAlchemy wraps it), or None when ``error`` is not one."""
    original = error.orig if isinstance(error, DBAPIError) else error
    try:
        errors = driver()
    except DriverMissing:  # nothing can have raised the driver's errors
        return None
    return original if isinstance(original, errors.MySQLError) else None


def error_code(error: BaseException) -> int | None:
    """The MySQL/MariaDB error number of a driver error (raised by the driver or wrapped by SQLAlchemy): a server
    error (1213 deadlock) or a client one (2002 cannot connect, 2013 connection lost); None for anything else."""
    original = _driver_error(error)
    if original is None or not original.args:
        return None
    code = original.args[0]
    return code if isinstance(code, int) else None


def connection_closed(error: BaseException) -> bool:
    """True when the driver refused to use a connection it already knows is closed (an ``InterfaceError``)."""
    original = _driver_error(error)
    return original is not None and isinstance(original, driver().InterfaceError)
