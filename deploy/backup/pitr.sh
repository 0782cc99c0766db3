#!/usr/bin/env bash
# Point-in-time recovery on MariaDB, the runbook's "primary lost" path B (deploy/RUNBOOK.md):
# restores a backup, replays the binary logs from the position the backup recorded up to UNTIL (Beijing time,
# to the second: every transaction begun before it), then adds the stored files uploaded since the backup.
# Every app process, worker and beat must be stopped; the TONGBAN_* settings point at the new database.
#
#   deploy/backup/pitr.sh BACKUP UNTIL BINLOG_DIR [SHIPPED_UPLOADS]
#     BACKUP           a backup folder, e.g. /srv/tongban/backups/20261205-020000
#     UNTIL            "2026-12-05 10:41:00"  (just before the loss, or before a bad change)
#     BINLOG_DIR       the shipped logs (deploy/backup/ship.sh: DEST/binlogs) or the old primary's data folder
#     SHIPPED_UPLOADS  the shipped stored files (DEST/uploads)
#
# The backup's checksums are checked before anything is changed; a damaged backup is refused (use the one
# before it: its position is earlier, the logs replay further). Equivalent to
#   tongban restore BACKUP --until UNTIL --binlog-dir BINLOG_DIR --files-from SHIPPED_UPLOADS --yes
set -euo pipefail
[ $# -ge 3 ] || { echo "用法：deploy/backup/pitr.sh 备份目录 \"YYYY-MM-DD HH:MM:SS\" 二进制日志目录 [上传文件副本目录]" >&2; exit 2; }
TONGBAN="${TONGBAN:-tongban}"
args=(restore "$1" --until "$2" --binlog-dir "$3" --yes)
[ $# -ge 4 ] && args+=(--files-from "$4")
started=$(date +%s)
"$TONGBAN" "${args[@]}"
"$TONGBAN" migrate
echo "时间点恢复完成，用时 $(( $(date +%s) - started )) 秒。启动应用前请抽查最近的办件。"
