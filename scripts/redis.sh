#!/usr/bin/env bash
# Starts or stops a private Redis on 127.0.0.1 for the tests: scripts/redis.sh start|stop|url
# Installs redis-server when missing. No persistence; its files live in var/redis (throw-away).
source "$(dirname "$0")/lib.sh"

PORT="${TONGBAN_REDIS_PORT:-6399}"
DIR="$ROOT/var/redis"
PIDFILE="$DIR/redis.pid"
URL="redis://127.0.0.1:$PORT"

case "${1:-start}" in
  start)
    ensure_apt redis-server
    mkdir -p "$DIR"
    if redis-cli -p "$PORT" ping >/dev/null 2>&1; then
      say "Redis 已在 127.0.0.1:$PORT 运行"
    else
      say "启动 Redis（127.0.0.1:$PORT）"
      redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
        --dir "$DIR" --pidfile "$PIDFILE" --logfile "$DIR/redis.log"
      for _ in $(seq 1 50); do
        redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
      done
      redis-cli -p "$PORT" ping >/dev/null 2>&1 || { tail -20 "$DIR/redis.log"; die "Redis 未能启动"; }
    fi
    echo "$URL"
    ;;
  stop)
    if redis-cli -p "$PORT" ping >/dev/null 2>&1; then
      redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
      say "Redis 已停止"
    fi
    ;;
  url) echo "$URL" ;;
  *) die "用法：scripts/redis.sh start|stop|url" ;;
esac
