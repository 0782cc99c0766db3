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

# ensure_venv — the app's virtual environment, rebuilt only when requirements.lock or pyproject.toml change.
ensure_venv() {
  local stamp="$VENV/.lock-sha256" want
  want="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/tongban" ]; then
    return 0
  fi
  local py
  py="$(find_python 3.11)" || die "找不到 Python 3.11：请安装（例如 pyenv install 3.11）后重试。"
  say "创建虚拟环境 .venv（$py）"
  [ -d "$VENV" ] || "$py" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip 2>&1 | grep -v "^WARNING" || true
  say "安装依赖（requirements.lock）"
  "$VENV/bin/pip" install -q -r "$ROOT/requirements.lock" 2>&1 | grep -v "^WARNING" || true
  "$VENV/bin/pip" install -q --no-deps -e "$ROOT" 2>&1 | grep -v "^WARNING" || true
  "$VENV/bin/python" -c "import fastapi, sqlalchemy, weasyprint, chinese_calendar" || die "依赖安装失败"
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
