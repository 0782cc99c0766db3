"""Dumping and loading the database: SQLite through its online backup API, MariaDB with ``mariadb-dump``.

A MariaDB dump is taken in one transaction (``--single-transaction``: a consistent snapshot while the platform
keeps writing) and, when the server keeps a binary log, with ``--master-data=2``, which writes the log file and
position of that snapshot as a comment at the top of the dump: point-in-time recovery replays the log from
there (core/backup/pitr.py). The password travels in ``MYSQL_PWD``, never on a command line others can read.
"""

import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy.engine import URL, make_url

from core.errors import ValidationFailed

_MASTER = re.compile(r"CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\d+)")
_GTID = re.compile(r"gtid_slave_pos='([^']*)'")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BinlogPosition:
    """Where the dump's snapshot sits in the server's binary log (the start of point-in-time recovery)."""

    file: str
    position: int
    gtid: str = ""


@dataclass(frozen=True)
class Dump:
    """A written database dump: its file, the backend and (MariaDB with a binary log) its log position."""

    path: Path
    backend: str
    database: str
    binlog: BinlogPosition | None


def backend_of(url: str) -> str:
    """``sqlite`` or ``mariadb`` (MySQL URLs too); anything else is refused."""
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith(("mysql", "mariadb")):
        return "mariadb"
    raise ValidationFailed(f"不支持备份这种数据库：{make_url(url).drivername}", code="backup_backend")


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL (an in-memory database has none and cannot be backed up)."""
    database = make_url(url).database
    if not database or database == ":memory:" or "mode=memory" in url:
        raise ValidationFailed("内存数据库无法备份", code="backup_backend")
    return Path(database)


def client_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the MariaDB command-line tools and their environment (the password)."""
    args = ["--no-defaults", f"-h{url.host or '127.0.0.1'}", f"-P{url.port or 3306}", "--protocol=tcp"]
    if url.username:
        args.append(f"-u{url.username}")
    env = dict(os.environ)
    if url.password:
        env["MYSQL_PWD"] = str(url.password)
    return args, env


def mariadb_query(url: URL, sql: str) -> str:
    """Runs one statement with the ``mariadb`` client and returns its tab-separated output."""
    args, env = client_args(url)
    done = subprocess.run(["mariadb", *args, "-N", "-B", "-e", sql], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"mariadb 执行失败：{done.stderr.strip()}")
    return done.stdout


def dump(url: str, folder: Path) -> Dump:
    """Writes a compressed dump of the database into ``folder``."""
    if backend_of(url) == "sqlite":
        return _dump_sqlite(url, folder)
    return _dump_mariadb(url, folder)


def _dump_sqlite(url: str, folder: Path) -> Dump:
    source = sqlite_path(url)
    copy = folder / "database.sqlite3"
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)  # page by page, a consistent snapshot while writers go on (WAL)
    finally:
        dst.close()
        src.close()
    target = folder / "database.sqlite3.gz"
    with copy.open("rb") as raw, gzip.open(target, "wb", compresslevel=6) as packed:
        shutil.copyfileobj(raw, packed, CHUNK)
    copy.unlink()
    return Dump(path=target, backend="sqlite", database=source.name, binlog=None)


def _dump_mariadb(url: str, folder: Path) -> Dump:
    parsed = make_url(url)
    database = parsed.database or ""
    log_bin = mariadb_query(parsed, "SELECT @@log_bin").strip() == "1"
    args, env = client_args(parsed)
    command = [
        "mariadb-dump",
        *args,
        "--single-transaction",
        "--quick",
        "--routines",
        "--triggers",
        "--events",
        "--hex-blob",
        "--default-character-set=utf8mb4",
    ]
    if log_bin:
        command += ["--master-data=2", "--gtid"]
    target = folder / "database.sql.gz"
    with target.open("wb") as out, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([*command, database], env=env, stdout=subprocess.PIPE, stderr=errors)
        assert process.stdout is not None
        head = b""
        with process.stdout, gzip.open(out, "wb", compresslevel=1) as packed:  # level 1: speed matters more
            while chunk := process.stdout.read(CHUNK):
                if len(head) < 64 * 1024:
                    head += chunk[: 64 * 1024]
                packed.write(chunk)
        if process.wait():
            raise RuntimeError(f"mariadb-dump 失败：{read_errors(errors)}")
    return Dump(path=target, backend="mariadb", database=database, binlog=_position(head.decode(errors="replace")))


def _position(head: str) -> BinlogPosition | None:
    found = _MASTER.search(head)
    if not found:
        return None
    gtid = _GTID.search(head)
    return BinlogPosition(file=found.group(1), position=int(found.group(2)), gtid=gtid.group(1) if gtid else "")


def load(url: str, dump_file: Path) -> None:
    """Replaces the database's content with the dump's (the platform must be stopped meanwhile)."""
    if backend_of(url) == "sqlite":
        _load_sqlite(url, dump_file)
    else:
        _load_mariadb(url, dump_file)


def _load_sqlite(url: str, dump_file: Path) -> None:
    target = sqlite_path(url)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fresh = target.with_name(target.name + ".restoring")
    with gzip.open(dump_file, "rb") as packed, fresh.open("wb") as raw:
        shutil.copyfileobj(packed, raw, CHUNK)
    fresh.chmod(0o600)
    for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)  # the old log would be replayed onto the restored file
    os.replace(fresh, target)


def _load_mariadb(url: str, dump_file: Path) -> None:
    parsed = make_url(url)
    database = parsed.database or ""
    quoted = "`" + database.replace("`", "``") + "`"
    # Not written to the binary log: a replica is rebuilt from the restored primary (deploy/RUNBOOK.md), and a
    # point-in-time recovery replays the old log after this, which must not contain the restore itself.
    mariadb_query(
        parsed,
        f"SET SESSION sql_log_bin=0; DROP DATABASE IF EXISTS {quoted}; "
        f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    )
    args, env = client_args(parsed)
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            ["mariadb", *args, "--default-character-set=utf8mb4", "--init-command=SET SESSION sql_log_bin=0", database],
            env=env,
            stdin=subprocess.PIPE,
            stderr=errors,
        )
        assert process.stdin is not None
        with process.stdin, gzip.open(dump_file, "rb") as packed:
            while chunk := packed.read(CHUNK):
                process.stdin.write(chunk)
        if process.wait():
            raise RuntimeError(f"导入数据库失败：{read_errors(errors)}")


def read_errors(errors: IO[bytes]) -> str:
    """What a tool wrote to its error file (kept in a file, so that a chatty tool never blocks on a full pipe)."""
    errors.seek(0)
    return errors.read().decode(errors="replace").strip()[-2000:]
