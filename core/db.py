"""Database engine, sessions and the declarative base shared by every domain."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

from core.clock import now
from core.mysql import driver, driver_url
from core.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base; tables are singular snake_case."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at_column() -> Any:
    """A non-null creation timestamp filled in by the application clock."""
    return mapped_column(DateTime, default=now, nullable=False)


def updated_at_column() -> Any:
    """A non-null timestamp refreshed on every update."""
    return mapped_column(DateTime, default=now, onupdate=now, nullable=False)


WRITE_OPTION = "tongban_write"


def mark_for_writing(session: Session) -> None:
    """Declares that the session's transaction will write (SQLite then locks at BEGIN and waits its turn)."""
    session.connection(execution_options={WRITE_OPTION: True})


def private_sqlite_file(url: str) -> None:
    """Makes a SQLite database file readable by its owner only (0600), creating it and its directory (0700)
    when missing; SQLite gives its -wal and -shm files the database file's mode. It holds personal data."""
    if not url.startswith("sqlite:///") or url.startswith("sqlite:///:memory:") or "mode=memory" in url:
        return
    path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def make_engine(url: str, echo: bool = False, read_only: bool = False) -> Engine:
    """Creates an engine with the options each backend needs; ``read_only`` makes every MySQL/MariaDB connection
    refuse writes (the replica's)."""
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        # Connections to a file are cheap; a request may hold two (its own and the caller lookup's), so the pool
        # is sized for the worker threads rather than QueuePool's 5 + 10.
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=80,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself, so that writers can take the lock up front (below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A deferred transaction that reads and then writes fails at once when another writer committed
            # in between; a writer that takes the lock at BEGIN waits its turn instead.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")

        return engine
    url = driver_url(url)  # mysqlclient (a PyMySQL URL is read as its), utf8mb4
    if url.startswith(("mysql", "mariadb")):
        driver()  # missing: a message saying what to install, not SQLAlchemy's "No module named 'MySQLdb'"
    # A restarted server: pool_pre_ping tests each pooled connection as it is taken and replaces a dead one (and
    # SQLAlchemy then drops every connection older than the failure), so the first request after the restart
    # works; a short connect timeout makes requests during the restart fail at once (core/availability.py turns
    # that into a Chinese 503) rather than pile up. pool_recycle stays under MariaDB's wait_timeout.
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_recycle=1800,
        pool_size=20,
        max_overflow=20,
        connect_args={"connect_timeout": get_settings().database_connect_timeout_seconds},
    )
    if read_only:

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_conn: Any, _record: Any) -> None:
            # The server refuses any write in these sessions (error 1792), whatever the account may do.
            cur = dbapi_conn.cursor()
            cur.execute("SET SESSION TRANSACTION READ ONLY")
            cur.close()

    return engine


@lru_cache
def get_engine() -> Engine:
    """Returns the process-wide engine for the configured database."""
    settings = get_settings()
    return make_engine(settings.database_url, settings.sql_echo)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    """Returns the process-wide session factory."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


class ReadOnlySession(Session):
    """A session for reading only (the replica's, or the primary's standing in for it): it refuses to flush
    changes and to run INSERT, UPDATE or DELETE, so that a page moved to the replica can never write there."""

    def flush(self, objects: Any = None) -> None:
        """Refuses pending changes; flushing nothing is allowed (queries autoflush)."""
        if self.new or self.dirty or self.deleted:
            raise ReadOnlyViolation()
        super().flush(objects)


class ReadOnlyViolation(RuntimeError):
    """A write was attempted through a read-only (replica) session: a programming error."""

    def __init__(self) -> None:
        super().__init__("只读会话不能写入：写数据的页面和接口必须使用主库会话（core.deps.DB）")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _no_statement_writes(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyViolation()


@lru_cache
def get_replica_engine() -> Engine | None:
    """The read replica's engine (read-only connections), or None when no replica is configured."""
    settings = get_settings()
    if not settings.database_replica_url:
        return None
    return make_engine(settings.database_replica_url, settings.sql_echo, read_only=True)


@lru_cache
def get_replica_sessionmaker() -> sessionmaker[ReadOnlySession]:
    """Read-only sessions on the replica, or on the primary when no replica is configured."""
    return sessionmaker(bind=get_replica_engine() or get_engine(), class_=ReadOnlySession, expire_on_commit=False)


@lru_cache
def get_primary_read_sessionmaker() -> sessionmaker[ReadOnlySession]:
    """Read-only sessions on the primary: what a replica page reads when the replica cannot be reached."""
    return sessionmaker(bind=get_engine(), class_=ReadOnlySession, expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error (for scripts and tasks)."""
    session = get_sessionmaker()()
    mark_for_writing(session)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def utc_naive(value: datetime) -> datetime:
    """Drops tzinfo: all stored datetimes are naive Beijing time (the centre's only zone)."""
    return value.replace(tzinfo=None)
