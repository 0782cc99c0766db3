#!/usr/bin/env bash
# Sets up and runs the whole platform on the embedded defaults (SQLite, in-process tasks) with demo data.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT="${TONGBAN_PORT:-8000}"
ensure_apt fonts-wqy-microhei graphviz
ensure_venv
ensure_env_file
export PATH="$VENV/bin:$PATH"
mkdir -p var

say "数据库迁移"
tongban migrate
say "演示数据（首次运行约需一分钟）"
tongban seed --if-empty

cat <<INFO

  通办 Tongban 已就绪
  门户网站     http://127.0.0.1:$PORT/
  管理端       http://127.0.0.1:$PORT/admin
  接口文档     http://127.0.0.1:$PORT/api/v1/docs
INFO
tongban demo-logins
echo
exec tongban serve --host 127.0.0.1 --port "$PORT"
