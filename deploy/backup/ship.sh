#!/usr/bin/env bash
# Ships what a point-in-time recovery needs off the database machine, every minute (a systemd timer or cron):
# the MariaDB binary logs and the stored files, copied to the backup machine with rsync. The nightly backup
# (`tongban backup`, Celery beat's job "backup") plus these copies let deploy/backup/pitr.sh bring the platform
# back to any second before a loss — at most about a minute of writes is at risk (RPO ≈ 1 min).
#
#   deploy/backup/ship.sh BINLOG_DIR UPLOAD_DIR DEST
#     BINLOG_DIR  the primary's data folder, where mariadb-bin.NNNNNN are written (log-bin=mariadb-bin)
#     UPLOAD_DIR  <TONGBAN_DATA_DIR>/uploads
#     DEST        a folder on the backup machine, local mount or rsync target (backup@10.0.0.20:/srv/tongban)
#
# The log being written is copied too (rsync copies what is there; the next run completes it). Nothing is deleted
# at DEST: logs older than the oldest kept backup can be removed there by hand or with `find -mtime`.
set -euo pipefail
[ $# -eq 3 ] || { echo "用法：deploy/backup/ship.sh 二进制日志目录 上传文件目录 目标" >&2; exit 2; }
BINLOG_DIR="$1"; UPLOAD_DIR="$2"; DEST="$3"
rsync -a --include='mariadb-bin.[0-9]*' --include='mariadb-bin.index' --exclude='*' "$BINLOG_DIR/" "$DEST/binlogs/"
rsync -a --exclude='derived/' "$UPLOAD_DIR/" "$DEST/uploads/"
