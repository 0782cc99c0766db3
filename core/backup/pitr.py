"""Point-in-time recovery on MariaDB: after a backup is restored, replay the binary logs from the position its
dump recorded up to a moment (``mariadb-binlog --stop-datetime``), so the database is as it was then.

The logs come from a folder: the old primary's data folder if its disk survived, else the copies the
binlog shipper keeps on the backup machine (deploy/backup/ship-binlogs.sh) or a replica's relay of them. The
replay is not itself logged (``--disable-log-bin``), and only the platform's database is replayed
(``--database``; ``--rewrite-db`` when restoring under another name). Times are Beijing time like the platform's
clock (core/clock.py), to the second: every transaction that began before ``until`` is replayed, none that began
at or after it.
"""

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from core.backup import database
from core.errors import ValidationFailed

_NUMBERED = re.compile(r"^(?P<base>.+)\.(?P<number>\d{6,})$")


@dataclass(frozen=True)
class Replay:
    """What a point-in-time recovery replayed: the log files, from where, up to when."""

    files: list[Path]
    start_position: int
    until: datetime


def binlog_files(folder: Path, first: str) -> list[Path]:
    """The numbered log files in ``folder`` from ``first`` (the backup's) on, in order."""
    found = _NUMBERED.match(first)
    if not found:
        raise ValidationFailed(f"备份记录的二进制日志文件名“{first}”无法识别", code="pitr_binlog")
    base, number = found.group("base"), int(found.group("number"))
    files = []
    for path in folder.glob(f"{base}.*"):
        match = _NUMBERED.match(path.name)
        if match and match.group("base") == base and int(match.group("number")) >= number:
            files.append(path)
    files.sort(key=lambda p: int(p.name.rsplit(".", 1)[1]))
    if not files or files[0].name != first:
        raise ValidationFailed(
            f"在 {folder} 中找不到备份记录的二进制日志 {first}：无法做时间点恢复（只能恢复到备份时刻）。",
            code="pitr_binlog",
        )
    return files


def replay(url: str, manifest: dict[str, Any], binlog_dir: Path, until: datetime) -> Replay:
    """Replays the logs after the backup's position up to ``until`` into the configured MariaDB database."""
    if database.backend_of(url) != "mariadb":
        raise ValidationFailed("时间点恢复只适用于 MariaDB（SQLite 只能恢复到备份时刻）。", code="pitr_backend")
    position = manifest["database"].get("binlog")
    if not position:
        raise ValidationFailed(
            "该备份没有记录二进制日志位置（备份时服务器未开启 log-bin），只能恢复到备份时刻。", code="pitr_binlog"
        )
    created = datetime.fromisoformat(str(manifest["created_at"]))
    if until < created.replace(microsecond=0):
        raise ValidationFailed(
            f"恢复时间点 {until:%Y-%m-%d %H:%M:%S} 早于备份时刻 {created:%Y-%m-%d %H:%M:%S}，请选更早的备份。",
            code="pitr_time",
        )
    files = binlog_files(binlog_dir, str(position["file"]))
    target = make_url(url)
    source_db = str(manifest["database"]["name"])
    command = [
        "mariadb-binlog",
        "--no-defaults",
        "--disable-log-bin",
        f"--database={source_db}",
        f"--start-position={int(position['position'])}",
        f"--stop-datetime={until:%Y-%m-%d %H:%M:%S}",
    ]
    if target.database and target.database != source_db:
        command.append(f"--rewrite-db={source_db}->{target.database}")
    args, env = database.client_args(target)
    with tempfile.TemporaryFile() as decode_errors, tempfile.TemporaryFile() as apply_errors:
        decoder = subprocess.Popen(
            [*command, *map(str, files)],
            env=dict(os.environ, TZ="Asia/Shanghai"),  # --stop-datetime is read in the tool's local zone
            stdout=subprocess.PIPE,
            stderr=decode_errors,
        )
        applier = subprocess.Popen(
            ["mariadb", *args, "--default-character-set=utf8mb4", target.database or source_db],
            env=env,
            stdin=decoder.stdout,
            stderr=apply_errors,
        )
        assert decoder.stdout is not None
        decoder.stdout.close()  # the applier holds the pipe now
        applied, decoded = applier.wait(), decoder.wait()
        if decoded:
            raise RuntimeError(f"mariadb-binlog 失败：{database.read_errors(decode_errors)}")
        if applied:
            raise RuntimeError(f"重放二进制日志失败：{database.read_errors(apply_errors)}")
    return Replay(files=files, start_position=int(position["position"]), until=until)
