"""``tongban backup`` / ``tongban restore``: what is in a backup, a damaged one refused in Chinese with nothing
changed, the nightly job and its retention (the restore drill itself: tests/test_backup_drill.py)."""

import json
import os
import subprocess
import sys
import tarfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core import clock
from core.backup import service as backups
from core.files import service as file_service
from core.org.models import Department
from core.settings import get_settings
from tests.conftest import IS_MYSQL
from tests.world import World
from tongban.cli import app as cli

PDF = b"%PDF-1.4\n%backup test\n"


def _stored(db: Session) -> str:
    stored = file_service.store(db, filename="申请表.pdf", content=PDF, uploaded_by_id=None)
    db.commit()
    return stored.storage_key


def test_a_backup_holds_the_database_the_files_and_a_manifest_of_checksums(
    world: World, db: Session, tmp_path: Path
) -> None:
    key = _stored(db)
    done = backups.create(folder=tmp_path)
    manifest = json.loads((done.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["app_version"] and manifest["schema_revision"]
    assert manifest["database"]["backend"] == ("mariadb" if IS_MYSQL else "sqlite")
    assert manifest["database"]["sha256"] == backups.sha256_of(done.path / manifest["database"]["file"])
    entries = {e["path"]: e for e in manifest["files"]["entries"]}
    assert entries[f"{key[:2]}/{key}"]["size"] == len(PDF)
    with tarfile.open(done.path / "files.tar.gz") as archive:
        assert f"{key[:2]}/{key}" in archive.getnames()
    assert {p.stat().st_mode & 0o777 for p in done.path.iterdir()} == {0o600}  # personal data


def test_a_damaged_backup_is_refused_in_chinese_and_nothing_changes(world: World, db: Session, tmp_path: Path) -> None:
    _stored(db)
    done = backups.create(folder=tmp_path)
    dump = done.path / done.manifest["database"]["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of the dump
    dump.write_bytes(bytes(data))
    db.add(Department(code="NEW", name="备份后新建的部门", short_name="新"))
    db.commit()

    result = CliRunner().invoke(cli, ["restore", str(done.path), "--yes"])
    assert result.exit_code == 1
    assert "已损坏" in result.output and "校验和与清单不符" in result.output and "未做任何改动" in result.output
    db.expire_all()
    assert db.scalar(select(Department).where(Department.code == "NEW")) is not None  # the database was not touched

    missing = CliRunner().invoke(cli, ["restore", str(tmp_path / "不存在"), "--yes"])
    assert missing.exit_code == 1 and "不是完整的备份" in missing.output


def test_a_stored_file_changed_inside_the_archive_is_refused(world: World, db: Session, tmp_path: Path) -> None:
    key = _stored(db)
    done = backups.create(folder=tmp_path)
    manifest = json.loads((done.path / "manifest.json").read_text(encoding="utf-8"))
    ours = next(e for e in manifest["files"]["entries"] if e["path"] == f"{key[:2]}/{key}")
    ours["sha256"] = "0" * 64  # the archive no longer matches what was backed up
    (done.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(Exception, match=f"文件 {key[:2]}/{key} 与清单不符"):
        backups.verify(done.path)


def test_the_nightly_job_backs_up_once_a_night_and_keeps_the_newest(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(get_settings(), "backup_dir", tmp_path)
    monkeypatch.setattr(get_settings(), "backup_keep", 2)
    try:
        for day, hour, expected in ((1, 1, 0), (1, 2, 1), (1, 5, 0), (2, 3, 1), (3, 2, 1), (4, 23, 1)):
            clock.freeze(datetime(2026, 12, day, hour, 0))
            assert backups.nightly() == expected, (day, hour)
    finally:
        clock.freeze(None)
    assert [p.name[:8] for p in backups.list_backups(tmp_path)] == ["20261203", "20261204"]


def test_the_cli_backs_up_and_restores(world: World, db: Session, tmp_path: Path) -> None:
    key = _stored(db)
    made = CliRunner().invoke(cli, ["backup", "--to", str(tmp_path)])
    assert made.exit_code == 0, made.output
    assert "备份完成" in made.output
    folder = backups.list_backups(tmp_path)[0]
    path = get_settings().upload_dir / key[:2] / key
    path.unlink()
    from core.db import get_engine

    get_engine().dispose()
    restored = CliRunner().invoke(cli, ["restore", str(folder), "--yes"])
    get_engine().dispose()
    assert restored.exit_code == 0, restored.output
    assert path.read_bytes() == PDF


def test_metrics_of_several_processes_add_up(tmp_path: Path) -> None:
    """Production runs several app processes: each writes its samples, any of them answers with the sum."""
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    observe = "from core.metrics import REQUEST_SECONDS; REQUEST_SECONDS.labels('GET', '/x').observe(0.01)"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", observe], env=env, check=True)
    scrape = (
        "from prometheus_client import generate_latest; from tongban.metrics import registry;"
        "print(generate_latest(registry()).decode())"
    )
    text = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, capture_output=True, text=True).stdout
    assert 'tongban_http_request_duration_seconds_count{method="GET",route="/x"} 2.0' in text
