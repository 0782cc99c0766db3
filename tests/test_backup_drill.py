"""The restore drill (issue 17): people keep registering cases and uploading materials through the API while a
backup is taken; the writing goes on; the database and the stored files are destroyed; the backup is restored
(and on MariaDB the binary log replayed up to a recovery point noted during the writing). Every case committed
before the recovery point is back, none begun after it, and every stored file is back with its checksum.

On SQLite the recovery point is the backup itself; on MariaDB (the test command's server keeps a binary log:
``TONGBAN_MARIADB_BINLOG=1``) it is a moment after the backup, and the files uploaded in between come from the
shipped copy of the upload folder (deploy/backup/ship.sh).
"""

import hashlib
import math
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from core.backup import database, pitr
from core.backup import service as backups
from core.cases.models import Case
from core.clock import BEIJING
from core.db import get_engine, get_sessionmaker
from core.files.models import StoredFile
from core.settings import get_settings
from tests.conftest import IS_MYSQL
from tests.helpers import PERSON, paper_materials
from tests.world import World

PDF = b"%PDF-1.4\n%drill\n"


@dataclass
class Write:
    """One registration (and its upload) the writer got an answer for: when it was sent and answered."""

    case_no: str
    upload_id: int
    content: bytes
    sent: float
    answered: float


@dataclass
class Writer:
    """A person at the window registering cases, one after another, until told to stop."""

    client: TestClient
    world: World
    done: list[Write] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        headers = self.world.auth("clerk_a")
        n = 0
        while not self.stop.is_set():
            n += 1
            content = PDF + f"第{n}份材料 {time.time()}".encode()
            sent = time.time()
            upload = self.client.post(
                "/api/v1/uploads", files={"file": (f"材料{n}.pdf", content, "application/pdf")}, headers=headers
            )
            body = {
                "service_item_id": self.world.item.id,
                "applicant": PERSON,
                "materials": paper_materials(self.world),
            }
            case = self.client.post("/api/v1/cases/window", json=body, headers=headers)
            if upload.status_code != 201 or case.status_code != 201:
                self.failures.append(f"{upload.status_code} {case.status_code} {case.text[:200]}")
                continue
            self.done.append(Write(case.json()["case_no"], upload.json()["id"], content, sent, time.time()))
            time.sleep(0.02)

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 120
        while len(self.done) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.done) >= count, self.failures


def _start(client: TestClient, world: World) -> tuple[Writer, threading.Thread]:
    writer = Writer(client, world)
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    writer.wait_for(5)
    return writer, thread


def _restored() -> tuple[set[str], dict[int, str]]:
    """The case numbers and the stored files' (id → sha256) now in the database."""
    with get_sessionmaker()() as db:
        cases = set(db.scalars(select(Case.case_no)))
        files = {f.id: f.sha256 for f in db.scalars(select(StoredFile))}
    return cases, files


def _check_files(files: dict[int, str]) -> None:
    """Every stored file's bytes are back, as they were uploaded."""
    with get_sessionmaker()() as db:
        keys = {row.id: row.storage_key for row in db.execute(select(StoredFile.id, StoredFile.storage_key))}
    upload_dir = get_settings().upload_dir
    for file_id, sha256 in files.items():
        key = keys[file_id]
        path = upload_dir / key[:2] / key
        assert path.is_file(), f"存储文件 {file_id} 未恢复"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256


@pytest.mark.skipif(IS_MYSQL, reason="the SQLite drill (the MariaDB pass runs the MariaDB one)")
def test_sqlite_restore_drill_brings_back_every_case_committed_before_the_backup(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    writer, thread = _start(client, world)
    began = time.time()
    backup = backups.create(folder=tmp_path / "backups")
    finished = time.time()
    writer.wait_for(len(writer.done) + 5)  # the writing goes on after the backup
    writer.stop.set()
    thread.join(30)
    assert not writer.failures

    get_engine().dispose()  # the disaster: the database file and every stored file are gone
    path = database.sqlite_path(get_settings().database_url)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(get_settings().upload_dir)

    backups.restore(backup.path)
    get_engine().dispose()
    cases, files = _restored()
    before = [w for w in writer.done if w.answered < began]
    after = [w for w in writer.done if w.sent > finished]
    assert before and after
    assert {w.case_no for w in before} <= cases
    assert not {w.case_no for w in after} & cases
    assert {w.upload_id for w in before} <= files.keys()
    for write in before:
        assert files[write.upload_id] == hashlib.sha256(write.content).hexdigest()
    _check_files(files)


@pytest.mark.skipif(not IS_MYSQL, reason="MariaDB's point-in-time recovery (the MariaDB pass)")
def test_mariadb_restore_drill_with_point_in_time_recovery(client: TestClient, world: World, tmp_path: Path) -> None:
    url = make_url(get_settings().database_url)
    if database.mariadb_query(url, "SELECT @@log_bin").strip() != "1":
        pytest.skip("该 MariaDB 未开启二进制日志（TONGBAN_MARIADB_BINLOG=1 启动）")
    binlog_dir = Path(database.mariadb_query(url, "SELECT @@datadir").strip())
    writer, thread = _start(client, world)
    backup = backups.create(folder=tmp_path / "backups")
    writer.wait_for(len(writer.done) + 5)
    time.sleep(1 - time.time() % 1 + 0.01)  # just past a second's start: the log's clock counts whole seconds
    point = math.floor(time.time())
    writer.wait_for(len(writer.done) + 5)
    writer.stop.set()
    thread.join(30)
    assert not writer.failures
    shipped = tmp_path / "shipped-uploads"  # what the file shipper had copied off the machine by then
    shutil.copytree(get_settings().upload_dir, shipped)

    get_engine().dispose()  # the disaster: the database is dropped and the stored files are gone
    database.mariadb_query(url, f"DROP DATABASE `{url.database}`")
    shutil.rmtree(get_settings().upload_dir)

    manifest = backups.restore(backup.path)
    until = datetime.fromtimestamp(point, BEIJING).replace(tzinfo=None)
    pitr.replay(get_settings().database_url, manifest, binlog_dir, until)
    backups.add_shipped_files(shipped)
    get_engine().dispose()
    cases, files = _restored()
    before = [w for w in writer.done if w.answered < point]
    after = [w for w in writer.done if w.sent >= point]
    assert len(before) >= 10 and after
    assert {w.case_no for w in before} <= cases  # up to the recovery point: every committed case
    assert not {w.case_no for w in after} & cases  # begun after it: none
    for write in before:
        assert files[write.upload_id] == hashlib.sha256(write.content).hexdigest()
    _check_files(files)
