"""Table rows captured once and written back as they were: how the ``world`` fixture (tests/conftest.py) puts the
same small centre into the emptied tables before every test without building it again.

Building the world goes through the services (roles, staff with hashed passwords, items, tokens, and an audit
record for every write): ~25 statements and ~0.2 s of CPU, ~1,000 times a run on each database. Writing its rows
back is one multi-row INSERT a table. The rows are read and written with the driver's own cursor, bypassing
SQLAlchemy's types and the audit's statement listeners, so what is written back is byte for byte what was read
(the audit rows, whose hash chain covers the stored values, included) and writing it back is no audited write.

Nothing here knows the tables: a snapshot holds whichever tables had rows when it was taken (every table of
``Base.metadata``, so also the tables of migrations added later), in an order where a row's parents come first.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table, literal_column, select, text

from core import clock
from core.db import WRITE_OPTION, get_engine
from core.models import Base


def tables() -> list[Table]:
    """Every table of the app and its plugins, parents before children."""
    return list(Base.metadata.sorted_tables)


def filled_tables(conn: Connection, among: Sequence[Table] | None = None) -> list[Table]:
    """The tables (of ``among``, default all) that have at least one row, found with one query."""
    candidates = tuple(among if among is not None else tables())
    if not candidates:
        return []
    has_rows = conn.exec_driver_sql(_probe(candidates, conn.dialect)).one()
    return [table for table, filled in zip(candidates, has_rows, strict=True) if filled]


@lru_cache(maxsize=16)
def _probe(candidates: tuple[Table, ...], dialect: Dialect) -> str:
    """SELECT EXISTS(…) for each table, compiled once (building its cache key cost 20 ms, twice a test)."""
    probe = select(
        *(select(literal_column("1")).select_from(t).exists().label(f"t{i}") for i, t in enumerate(candidates))
    )
    return str(probe.compile(dialect=dialect))


@dataclass(frozen=True)
class TableRows:
    """One table's rows as the driver returned them."""

    table: Table
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Snapshot:
    """The rows of every table that had rows when ``capture`` ran, parents first."""

    contents: tuple[TableRows, ...]

    @classmethod
    def capture(cls) -> "Snapshot":
        """Reads every row of every non-empty table (committed data, through a connection of its own)."""
        contents = []
        with get_engine().connect() as conn:
            for table in filled_tables(conn):
                columns = tuple(column.name for column in table.columns)
                cursor = conn.connection.cursor()
                try:
                    cursor.execute(f"SELECT {_names(conn, columns)} FROM {_quote(conn, table.name)}")
                    rows = tuple(tuple(row) for row in cursor.fetchall())
                finally:
                    cursor.close()
                contents.append(TableRows(table, columns, rows))
        return cls(tuple(contents))

    def restore(self) -> bool:
        """Writes the rows back, in one transaction; refuses (False, nothing written) when one of its tables is
        not empty, since rows made before (by another fixture) could then clash with the captured keys."""
        engine = get_engine()
        mysql = engine.dialect.name in ("mysql", "mariadb")
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})  # SQLite: take the write lock at BEGIN
            with conn.begin():
                if filled_tables(conn, [part.table for part in self.contents]):
                    return False
                # The rows are complete and consistent; parents come first, but a table may point at itself or
                # at a later one (e.g. a department's head): the keys are checked at commit (SQLite) or not at
                # all for this copy (MariaDB, this connection only, switched back before it returns to the pool).
                conn.execute(text("SET FOREIGN_KEY_CHECKS=0" if mysql else "PRAGMA defer_foreign_keys=ON"))
                cursor = conn.connection.cursor()
                try:
                    marker = "%s" if mysql else "?"
                    for part in self.contents:
                        columns = _names(conn, part.columns)
                        values = ", ".join([marker] * len(part.columns))
                        sql = f"INSERT INTO {_quote(conn, part.table.name)} ({columns}) VALUES ({values})"
                        cursor.executemany(sql, part.rows)
                finally:
                    cursor.close()
                    if mysql:
                        conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
        return True


def _quote(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _names(conn: Connection, columns: Sequence[str]) -> str:
    return ", ".join(_quote(conn, column) for column in columns)


# ---------------------------------------------------------------- rows a fixture builds once per run

_kept: dict[str, tuple[Snapshot, Any]] = {}


def restored(name: str) -> Any | None:
    """Writes back the rows kept under ``name`` and returns what was kept with them (the keys the fixture needs to
    find its objects again); None when nothing is kept yet, the clock is frozen (rows made now would carry the
    frozen time), or one of the kept tables already has rows: the fixture then builds as it always did."""
    if name not in _kept or clock.is_frozen():
        return None
    rows, value = _kept[name]
    return value if rows.restore() else None


def is_empty() -> bool:
    """True when no table has a row (the moment to build rows worth keeping)."""
    with get_engine().connect() as conn:
        return not filled_tables(conn)


def keep(name: str, value: Any, *, was_empty: bool) -> None:
    """Keeps every row there is now under ``name``, with ``value``, when the fixture that just built them started
    from empty tables (so that they are its rows and nothing else) with the clock running."""
    if was_empty and not clock.is_frozen() and name not in _kept:
        _kept[name] = (Snapshot.capture(), value)
