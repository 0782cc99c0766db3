#!/usr/bin/env bash
# Keeps the machine busy, to check that the tests hold up on a loaded server: stress-ng (from Debian) on every
# core, started in the background and stopped again.
#
#   bash scripts/stress.sh start [WORKERS]   start stress-ng --cpu WORKERS (default: one per core)
#   bash scripts/stress.sh stop              stop it
#   bash scripts/stress.sh status            is it running?
source "$(dirname "$0")/lib.sh"

DIR="$ROOT/var/stress"
PIDFILE="$DIR/stress-ng.pid"
_running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

case "${1:-}" in
  start)
    ensure_apt stress-ng
    mkdir -p "$DIR"
    if _running; then
      say "stress-ng 已在运行（pid $(cat "$PIDFILE")）"
    else
      workers="${2:-$(nproc)}"
      setsid stress-ng --cpu "$workers" --timeout 0 --quiet >"$DIR/stress-ng.log" 2>&1 < /dev/null &
      echo $! > "$PIDFILE"
      say "stress-ng 已启动：$workers 个 CPU 负载进程（pid $(cat "$PIDFILE")）；停止：bash scripts/stress.sh stop"
    fi
    ;;
  stop)
    if _running; then
      pid="$(cat "$PIDFILE")"
      kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 -- "-$pid" 2>/dev/null || true
      say "stress-ng 已停止"
    fi
    rm -f "$PIDFILE"
    ;;
  status)
    if _running; then say "stress-ng 运行中（pid $(cat "$PIDFILE")）"; else say "stress-ng 未运行"; exit 1; fi
    ;;
  *) echo "用法：bash scripts/stress.sh start [进程数]|stop|status" >&2; exit 2 ;;
esac
