"""``tongban backup`` and ``tongban restore``: one folder per backup, written whole or not at all.

A backup folder ``<backup_dir>/<YYYYmmdd-HHMMSS>/`` holds

- ``database.sql.gz`` (MariaDB, ``mariadb-dump``) or ``database.sqlite3.gz`` (SQLite's online backup),
- ``files.tar.gz``: the stored files (uploaded materials, letters and other generated documents) —
  everything under the upload folder except ``derived/``, the previews made again on demand,
- ``manifest.json``: the app version, the schema revision, each part's size and sha256, every stored file's
  size and sha256, and on MariaDB the binary-log position of the dump (where point-in-time recovery starts).

The database is dumped before the files are read: every file a dumped row names was written before its row was
committed, so it is in the backup. A backup is built in a ``.partial`` folder and renamed when complete; the
nightly job keeps the newest ``backup_keep`` ones. Restoring checks every checksum before it changes anything and
refuses a damaged backup with a Chinese message naming the damaged part.
"""

import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import text

from core.backup import database
from core.clock import now
from core.db import make_engine
from core.errors import ValidationFailed
from core.settings import get_settings

log = logging.getLogger("tongban.backup")

MANIFEST = "manifest.json"
FILES = "files.tar.gz"
FORMAT = 1
SKIPPED = ("derived",)  # previews and other files made again from the originals on demand


@dataclass(frozen=True)
class Backup:
    """A finished backup: its folder and its manifest."""

    path: Path
    manifest: dict[str, Any]


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(database.CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _part(path: Path) -> dict[str, Any]:
    return {"file": path.name, "size": path.stat().st_size, "sha256": sha256_of(path)}


def _app_version() -> str:
    try:
        return metadata.version("tongban")
    except metadata.PackageNotFoundError:
        return "unknown"


def _schema_revision(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")
    except Exception:  # an empty database has no revision table yet
        return ""
    finally:
        engine.dispose()


def _pack_files(upload_dir: Path, target: Path) -> list[dict[str, Any]]:
    """Tars the stored files into ``target``; returns each one's path, size and sha256."""
    entries: list[dict[str, Any]] = []
    with tarfile.open(target, "w:gz", compresslevel=1) as archive:  # uploads are mostly compressed already
        if not upload_dir.is_dir():
            return entries
        for path in sorted(upload_dir.rglob("*")):
            relative = path.relative_to(upload_dir)
            if relative.parts[0] in SKIPPED or not path.is_file():
                continue
            try:
                content = path.read_bytes()
            except FileNotFoundError:  # deleted since the listing (its row was deleted before the dump)
                continue
            info = tarfile.TarInfo(relative.as_posix())
            info.size = len(content)
            info.mtime = int(path.stat().st_mtime) if path.exists() else 0
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(content))
            entries.append(
                {"path": relative.as_posix(), "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            )
    return entries


def create(*, folder: Path | None = None, progress: Callable[[str], None] | None = None) -> Backup:
    """Takes a backup of the configured database and stored files into a new folder under ``folder``."""
    settings = get_settings()
    say = progress or (lambda _message: None)
    root = folder or settings.backup_folder
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    started = now()
    name = started.strftime("%Y%m%d-%H%M%S")
    taken = 1
    while (root / name).exists():  # a second backup within the same second: never over the first
        taken += 1
        name = f"{started:%Y%m%d-%H%M%S}-{taken}"
    partial = root / f"{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        say("正在导出数据库")
        dumped = database.dump(settings.database_url, partial)
        say("正在打包已存文件")
        files = _pack_files(settings.upload_dir, partial / FILES)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": started.isoformat(timespec="seconds"),
            "app_version": _app_version(),
            "schema_revision": _schema_revision(settings.database_url),
            "database": {
                "backend": dumped.backend,
                "name": dumped.database,
                **_part(dumped.path),
                "binlog": None
                if dumped.binlog is None
                else {"file": dumped.binlog.file, "position": dumped.binlog.position, "gtid": dumped.binlog.gtid},
            },
            "files": {**_part(partial / FILES), "count": len(files), "entries": files},
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        for part in partial.iterdir():
            part.chmod(0o600)  # personal data: readable by the platform's account only
        final = root / name
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    log.info("备份完成：%s（数据库 %s 字节，文件 %s 个）", final, manifest["database"]["size"], len(files))
    return Backup(path=final, manifest=manifest)


def list_backups(folder: Path | None = None) -> list[Path]:
    """The finished backups under ``folder``, oldest first."""
    root = folder or get_settings().backup_folder
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


def prune(*, keep: int, folder: Path | None = None) -> list[Path]:
    """Deletes all but the newest ``keep`` backups (never the last one); returns the deleted folders."""
    backups = list_backups(folder)
    doomed = backups[: max(len(backups) - max(keep, 1), 0)]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def verify(path: Path) -> dict[str, Any]:
    """Reads the backup's manifest and checks every part and every stored file against it.

    Raises ``ValidationFailed`` with a Chinese message naming what is damaged; returns the manifest."""
    manifest_file = path / MANIFEST
    if not manifest_file.is_file():
        raise ValidationFailed(
            f"“{path}”不是完整的备份：缺少清单文件 {MANIFEST}，未做任何改动。", code="backup_damaged"
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        parts = {"数据库导出": manifest["database"], "文件包": manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed(
            f"备份“{path.name}”的清单已损坏，无法读取，未做任何改动。", code="backup_damaged"
        ) from exc
    for label, part in parts.items():
        file = path / str(part["file"])
        if not file.is_file():
            raise ValidationFailed(
                f"备份“{path.name}”已损坏：缺少{label}（{part['file']}），未做任何改动。", code="backup_damaged"
            )
        if file.stat().st_size != part["size"] or sha256_of(file) != part["sha256"]:
            raise ValidationFailed(
                f"备份“{path.name}”已损坏：{label}（{part['file']}）的校验和与清单不符，未做任何改动。请改用其他备份。",
                code="backup_damaged",
            )
    expected = {entry["path"]: entry for entry in manifest["files"]["entries"]}
    try:
        with tarfile.open(path / FILES, "r:gz") as archive:
            for member in archive:
                entry = expected.pop(member.name, None)
                handle = archive.extractfile(member)
                content = handle.read() if handle else b""
                if entry is None or hashlib.sha256(content).hexdigest() != entry["sha256"]:
                    raise ValidationFailed(
                        f"备份“{path.name}”已损坏：文件 {member.name} 与清单不符，未做任何改动。", code="backup_damaged"
                    )
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValidationFailed(f"备份“{path.name}”的文件包无法解开，未做任何改动。", code="backup_damaged") from exc
    if expected:
        missing = next(iter(expected))
        raise ValidationFailed(f"备份“{path.name}”已损坏：文件包缺少 {missing}，未做任何改动。", code="backup_damaged")
    return dict(manifest)


def restore(path: Path, *, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Verifies the backup, then replaces the configured database and the stored files with its content.

    The platform (app processes, workers, beat) must be stopped meanwhile. Returns the manifest."""
    settings = get_settings()
    say = progress or (lambda _message: None)
    say("正在校验备份")
    manifest = verify(path)
    backend = database.backend_of(settings.database_url)
    if manifest["database"]["backend"] != backend:
        raise ValidationFailed(
            f"备份“{path.name}”是 {manifest['database']['backend']} 数据库的，当前配置的是 {backend}，未做任何改动。",
            code="backup_backend",
        )
    say("正在恢复数据库")
    database.load(settings.database_url, path / str(manifest["database"]["file"]))
    say("正在恢复已存文件")
    _unpack_files(path / FILES, settings.upload_dir)
    log.info("已从备份 %s 恢复（备份时间 %s）", path, manifest["created_at"])
    return manifest


def _unpack_files(archive_path: Path, upload_dir: Path) -> None:
    """Replaces the stored files (kept aside until the new ones are all in place)."""
    upload_dir.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    incoming = upload_dir.with_name(upload_dir.name + ".restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(mode=0o700)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(incoming, filter="data")  # no absolute paths, links or ``..`` from an archive
    old = upload_dir.with_name(upload_dir.name + ".before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if upload_dir.exists():
        os.replace(upload_dir, old)
    os.replace(incoming, upload_dir)
    shutil.rmtree(old, ignore_errors=True)


def add_shipped_files(shipped: Path) -> int:
    """After a point-in-time recovery: copies the stored files uploaded since the backup from the copy the file
    shipper keeps (deploy/backup/ship.sh), those the restored folder lacks; returns how many."""
    upload_dir = get_settings().upload_dir
    added = 0
    for path in shipped.rglob("*"):
        relative = path.relative_to(shipped)
        if not path.is_file() or relative.parts[0] in SKIPPED or (upload_dir / relative).exists():
            continue
        (upload_dir / relative).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copy2(path, upload_dir / relative)
        added += 1
    return added


def nightly() -> int:
    """The periodic job: one backup a night, at ``backup_hour`` or the first run after it; old ones pruned.

    Runs every hour (safe to run again and late); returns 1 when it took a backup."""
    settings = get_settings()
    if not settings.backup_nightly:
        return 0
    moment = now()
    if moment.hour < settings.backup_hour:
        return 0
    today = moment.strftime("%Y%m%d")
    if any(p.name.startswith(today) for p in list_backups()):
        return 0
    create()
    prune(keep=settings.backup_keep)
    return 1
