#!/usr/bin/env bash
# Starts or stops a private Redis on 127.0.0.1 for the tests: scripts/redis.sh start|stop|url
# Installs redis-server when missing. No persistence; its files live in var/redis (throw-away), or where
# TONGBAN_REDIS_DIR says (a test run's own, with its own TONGBAN_REDIS_PORT: scripts/lib.sh, run_scope_begin).
# A port that something else already listens on is refused, never shared.
source "$(dirname "$0")/lib.sh"

PORT="${TONGBAN_REDIS_PORT:-6399}"
DIR="${TONGBAN_REDIS_DIR:-$ROOT/var/redis}"
PIDFILE="$DIR/redis.pid"
URL="redis://127.0.0.1:$PORT"
# _ours — our Redis (by its pid file) is running.
_ours() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

case "${1:-start}" in
  start)
    ensure_apt redis-server
    mkdir -p "$DIR"
    if _ours; then
      say "Redis 已在 127.0.0.1:$PORT 运行"
    else
      port_taken "$PORT" && die "127.0.0.1:$PORT 已被其他程序占用（不是本目录 $DIR 的 Redis）：请换一个端口（TONGBAN_REDIS_PORT）"
      say "启动 Redis（127.0.0.1:$PORT）"
      redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
        --dir "$DIR" --pidfile "$PIDFILE" --logfile "$DIR/redis.log"
      for _ in $(seq 1 50); do
        redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
      done
      redis-cli -p "$PORT" ping >/dev/null 2>&1 || { tail -20 "$DIR/redis.log" >&2; die "Redis 未能启动"; }
    fi
    echo "$URL"
    ;;
  stop)
    if _ours; then
      pid="$(cat "$PIDFILE")"
      redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$PIDFILE"
      say "Redis 已停止"
    fi
    ;;
  url) echo "$URL" ;;
  *) die "用法：scripts/redis.sh start|stop|url" ;;
esac
