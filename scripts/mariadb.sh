#!/usr/bin/env bash
# Starts or stops a private MariaDB on 127.0.0.1 for the tests: scripts/mariadb.sh start|stop|reset|url
# Installs mariadb-server when missing. Data lives in var/mariadb (throw-away). A test run gives each of its
# servers a port, a directory and a database name of its own (TONGBAN_MARIADB_PORT, _DIR, _DB: scripts/lib.sh,
# run_scope_begin); a port that something else already listens on is refused, never shared.
source "$(dirname "$0")/lib.sh"

PORT="${TONGBAN_MARIADB_PORT:-3399}"
DIR="${TONGBAN_MARIADB_DIR:-$ROOT/var/mariadb}"
SOCK="$DIR/mariadb.sock"
PIDFILE="$DIR/mariadb.pid"
DB="${TONGBAN_MARIADB_DB:-tongban_test}"
URL="mysql+mysqldb://root@127.0.0.1:$PORT/$DB?charset=utf8mb4"
# TONGBAN_MARIADB_BINLOG=1 keeps a binary log (row format) in the data folder, as production does: the restore
# drill replays it for point-in-time recovery (tests/test_backup_drill.py).
BINLOG=()
[ "${TONGBAN_MARIADB_BINLOG:-}" = 1 ] && BINLOG=(--log-bin=mariadb-bin --server-id=1 --binlog-format=ROW)
client() { mariadb --no-defaults -uroot -h127.0.0.1 -P"$PORT" --protocol=tcp "$@"; }

case "${1:-start}" in
  start)
    ensure_apt mariadb-server
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      say "MariaDB 已在 127.0.0.1:$PORT 运行"
    else
      port_taken "$PORT" && die "127.0.0.1:$PORT 已被其他程序占用（不是本目录 $DIR 的 MariaDB）：请换一个端口（TONGBAN_MARIADB_PORT）"
      # Its own temporary directory too: servers sharing /tmp name their temporary tables alike, and two
      # first-time initialisations at once failed on each other's files ("Unknown table 'mysql.tmp_user_sys'").
      mkdir -p "$DIR/tmp"
      if [ ! -d "$DIR/data/mysql" ]; then
        say "初始化 MariaDB 数据目录"
        mariadb-install-db --no-defaults --user=root --datadir="$DIR/data" --tmpdir="$DIR/tmp" \
          --auth-root-authentication-method=normal --skip-test-db >"$DIR/install.log" 2>&1 \
          || { cat "$DIR/install.log" >&2; die "MariaDB 初始化失败"; }
      fi
      say "启动 MariaDB（127.0.0.1:$PORT）"
      nohup mariadbd --no-defaults --user=root --datadir="$DIR/data" --socket="$SOCK" --pid-file="$PIDFILE" --tmpdir="$DIR/tmp" \
        --port="$PORT" --bind-address=127.0.0.1 --skip-name-resolve --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_unicode_ci --innodb-flush-log-at-trx-commit=2 --max-connections=500 "${BINLOG[@]}" \
        >"$DIR/server.log" 2>&1 &
      for _ in $(seq 1 100); do
        client -e "select 1" >/dev/null 2>&1 && break
        sleep 0.2
      done
      client -e "select 1" >/dev/null 2>&1 || { tail -20 "$DIR/server.log" >&2; die "MariaDB 未能启动"; }
    fi
    client -e "CREATE DATABASE IF NOT EXISTS \`$DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    echo "$URL"
    ;;
  reset)
    client -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    echo "$URL"
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then
      pid="$(cat "$PIDFILE")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$PIDFILE"
      say "MariaDB 已停止"
    fi
    ;;
  url) echo "$URL" ;;
  *) die "用法：scripts/mariadb.sh start|stop|reset|url" ;;
esac
