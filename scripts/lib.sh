#!/usr/bin/env bash
# Shared helpers for the setup, run and test scripts. Source it; don't run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
say() { printf '\033[1;34m[tongban]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[tongban] %s\033[0m\n' "$*" >&2; exit 1; }

_apt_updated=0
# ensure_apt PACKAGE... — installs the Debian packages that are missing (root, no prompts).
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "缺少系统软件包：${missing[*]}，且本机没有 apt-get，请手动安装。"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ $_apt_updated -eq 0 ]; then
    say "apt-get update"
    $sudo apt-get update -qq
    _apt_updated=1
  fi
  say "安装系统软件包：${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# find_python VERSION — prints a python executable of that minor version (pyenv first, then PATH).
find_python() {
  local version="$1" candidate
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/"$version".*/bin/python"$version"; do
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  for candidate in "python$version" python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$version" ]; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

# ensure_app_runtime — the Debian packages the running app needs beside its venv: a CJK font for the guidance
# letters' PDFs (WeasyPrint) and Graphviz's `dot` for the derived flow charts (the demo data draws them at once, so
# a machine without it failed its first start). Every script that starts the app calls it.
ensure_app_runtime() {
  ensure_apt fonts-wqy-microhei graphviz
}

# ensure_venv — the app's virtual environment, rebuilt only when requirements.lock or pyproject.toml change.
ensure_venv() {
  local stamp="$VENV/.lock-sha256" want
  want="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/tongban" ]; then
    return 0
  fi
  local py
  py="$(find_python 3.11)" || die "找不到 Python 3.11：请安装（例如 pyenv install 3.11）后重试。"
  # mysqlclient (the MariaDB driver, core/mysql.py) has no Linux wheel: pip compiles it against MariaDB
  # Connector/C, found with pkg-config, which needs the interpreter's headers (Debian's own python3.11 has them
  # in python3.11-dev; a pyenv build carries its own).
  ensure_apt libmariadb-dev pkg-config gcc
  [ -f "$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ] || ensure_apt python3.11-dev
  say "创建虚拟环境 .venv（$py）"
  [ -d "$VENV" ] || "$py" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip 2>&1 | grep -v "^WARNING" || true
  say "安装依赖（requirements.lock）"
  "$VENV/bin/pip" install -q -r "$ROOT/requirements.lock" 2>&1 | grep -v "^WARNING" || true
  "$VENV/bin/pip" install -q --no-deps -e "$ROOT" 2>&1 | grep -v "^WARNING" || true
  "$VENV/bin/python" -c "import fastapi, sqlalchemy, weasyprint, chinese_calendar" || die "依赖安装失败"
  "$VENV/bin/python" -c "import MySQLdb" || die "MariaDB 驱动 mysqlclient 安装失败（需要 libmariadb-dev、pkg-config、gcc；见上面 pip 的输出）"
  echo "$want" > "$stamp"
}

# ensure_npm — the browser libraries pinned in package-lock.json (ECharts), installed into node_modules with
# `npm ci` and served by the app at /static/vendor/ (web/vendor.py; never a CDN); again only when the lock changes.
ensure_npm() {
  command -v npm >/dev/null 2>&1 || ensure_apt nodejs npm
  local stamp="$ROOT/node_modules/.lock-sha256" want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  say "安装前端依赖（npm ci：ECharts）"
  (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "前端依赖安装失败（npm ci）"
  echo "$want" > "$stamp"
}

# ensure_env_file — a .env with a random secret key for the embedded run (never committed).
ensure_env_file() {
  if [ ! -f "$ROOT/.env" ]; then
    say "生成 .env（随机密钥，仅本机使用）"
    {
      echo "TONGBAN_SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
      echo "TONGBAN_DATABASE_URL=sqlite:///var/tongban.db"
    } > "$ROOT/.env"
    chmod 600 "$ROOT/.env"
  fi
}

# free_port — prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# port_taken PORT — true when something listens on 127.0.0.1:PORT.
port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---------------------------------------------------------------- a run scope
# A test run (or a benchmark) marks every process it starts with TONGBAN_TEST_RUN (a chain of run ids, so a
# scope started inside another is seen by both), gives its servers ports, directories and database names of
# their own, and at its end stops all of them and checks that nothing it started is still running: a
# leftover is named, killed and fails the run. Ctrl-C, a kill or a failure end the scope the same way.
#
#   run_scope_begin NAME     start the scope (sets RUN_ID, RUN_DIR and the servers' TONGBAN_* variables)
#   scope_job CMD...         run CMD in the background in a process group of its own; its pid in SCOPE_PID
#   scope_wait PID           wait for a job (returns its exit status; a signal to the script interrupts it)
#   scope_run CMD...         run CMD and wait for it, interruptible (scope_job + scope_wait)

SCOPE_JOBS=()

run_scope_begin() {
  RUN_ID="$1-$(date +%H%M%S)-$$"
  export TONGBAN_TEST_RUN="${TONGBAN_TEST_RUN:+$TONGBAN_TEST_RUN:}$RUN_ID"
  RUN_DIR="$(mktemp -d -t "tongban-$1-XXXXXX")"
  export RUN_DIR
  export TONGBAN_REDIS_PORT="$(free_port)" TONGBAN_REDIS_DIR="$RUN_DIR/redis"
  export TONGBAN_MARIADB_PORT="$(free_port)" TONGBAN_MARIADB_DIR="$RUN_DIR/mariadb"
  export TONGBAN_MARIADB_DB="tongban_test_${RUN_ID//-/_}"
  set -m   # each background job in a process group of its own, which does not ignore SIGINT
  trap 'run_scope_end $?' EXIT
  trap 'say "收到中断信号，正在停止本次运行启动的全部进程"; exit 130' INT
  trap 'say "收到终止信号，正在停止本次运行启动的全部进程"; exit 143' TERM
  say "运行标识 $RUN_ID（临时目录 $RUN_DIR；Redis 端口 $TONGBAN_REDIS_PORT，MariaDB 端口 $TONGBAN_MARIADB_PORT）"
}

scope_job() {
  "$@" &
  SCOPE_PID=$!
  SCOPE_JOBS+=("$SCOPE_PID")
}

scope_wait() {
  local status=0
  wait "$1" || status=$?
  return $status
}

scope_run() {
  scope_job "$@"
  scope_wait "$SCOPE_PID"
}

# scope_processes — the pids of running processes that carry this scope's mark, or work inside its directory
# (a server that rewrites its process title, as Redis does, overwrites its environment and so the mark).
scope_processes() {
  python3 - "$RUN_ID" "$RUN_DIR" "$$" <<'PY'
import os, re, sys
run_id, run_dir, shell = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
mark = re.compile(rb"(?:^|\0)TONGBAN_TEST_RUN=(?:[^\0]*:)?" + re.escape(run_id.encode()) + rb"(?::[^\0]*)?(?:\0|$)")
for pid in filter(str.isdigit, os.listdir("/proc")):
    if pid in (shell, str(os.getpid()), str(os.getppid())):
        continue
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            ours = bool(mark.search(f.read()))
        cwd = os.readlink(f"/proc/{pid}/cwd")
        if ours or cwd == run_dir or cwd.startswith(run_dir + "/"):
            print(pid)
    except OSError:  # gone, or not ours to read
        pass
PY
}

_scope_signal_jobs() {  # SIGNAL — to each job's process group
  local pid
  for pid in "${SCOPE_JOBS[@]}"; do kill "-$1" -- "-$pid" 2>/dev/null || true; done
}

_ignores_sigint() {  # this shell ignores SIGINT (bit 2 of SigIgn), as a job started without job control does
  local mask
  mask="$(awk '/^SigIgn:/ {print $2}' "/proc/$$/status")"
  (( (16#$mask >> 1) & 1 ))
}

_scope_jobs_running() {
  local pid
  for pid in "${SCOPE_JOBS[@]}"; do kill -0 -- "-$pid" 2>/dev/null && return 0; done
  return 1
}

run_scope_end() {
  local status="$1" pid leftovers=() i
  trap - EXIT INT TERM
  set +e
  if _scope_jobs_running; then
    # Interrupted: SIGINT first (pytest then runs its finalizers, which stop the workers and apps it started),
    # unless this run was started with SIGINT ignored (its jobs inherit that); then SIGTERM, which the tests
    # and nested scopes also answer by cleaning up; SIGKILL for whatever still hangs on.
    if ! _ignores_sigint; then
      _scope_signal_jobs INT
      for i in $(seq 1 60); do _scope_jobs_running || break; sleep 0.5; done
    fi
    _scope_signal_jobs TERM
    for i in $(seq 1 60); do _scope_jobs_running || break; sleep 0.5; done
    _scope_signal_jobs KILL
  fi
  bash "$ROOT/scripts/mariadb.sh" stop >/dev/null 2>&1
  bash "$ROOT/scripts/redis.sh" stop >/dev/null 2>&1
  for i in $(seq 1 20); do
    mapfile -t leftovers < <(scope_processes)
    [ ${#leftovers[@]} -eq 0 ] && break
    sleep 0.5
  done
  if [ ${#leftovers[@]} -gt 0 ]; then
    printf '\033[1;31m[tongban] 本次运行启动的进程在结束时仍在运行（已强行停止）：\033[0m\n' >&2
    ps -o pid=,args= -p "$(IFS=,; echo "${leftovers[*]}")" >&2 || true
    for pid in "${leftovers[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    [ "$status" -eq 0 ] && status=1
  else
    say "检查：本次运行启动的进程均已停止"
  fi
  [ "${TONGBAN_KEEP_RUN_DIR:-}" = "1" ] || rm -rf "$RUN_DIR"
  exit "$status"
}
