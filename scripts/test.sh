#!/usr/bin/env bash
# Sets up and runs every test: lint and types, the core suite on SQLite and on a real MariaDB.
# Installs what it needs (Debian packages, the venv) and starts/stops its own servers.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_apt fonts-wqy-microhei graphviz poppler-utils mariadb-server chromium
ensure_venv
export PATH="$VENV/bin:$PATH"

say "ruff"
ruff check . && ruff format --check .
say "mypy"
mypy

say "测试（SQLite）"
pytest -p no:cacheprovider

trap 'bash scripts/mariadb.sh stop >/dev/null 2>&1 || true' EXIT
MARIADB_URL="$(bash scripts/mariadb.sh start | tail -1)"
bash scripts/mariadb.sh reset >/dev/null
say "测试（MariaDB：${MARIADB_URL%%\?*}）"
TONGBAN_TEST_DATABASE_URL="$MARIADB_URL" pytest -p no:cacheprovider
