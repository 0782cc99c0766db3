#!/usr/bin/env bash
# The inner loop: lint, types, import contracts and the core suite on SQLite (no MariaDB, no bot), in a run
# scope that leaves nothing running. Extra arguments go to pytest, e.g. `bash scripts/check.sh tests/test_case_numbers.py -x`.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
export PATH="$VENV/bin:$PATH"
run_scope_begin check
scope_run ruff check .
scope_run ruff format --check .
scope_run mypy
scope_run lint-imports --no-cache  # the import contracts (.importlinter)
REDIS_URL="$(bash scripts/redis.sh start | tail -1)"
TONGBAN_TEST_REDIS_URL="$REDIS_URL/1" scope_run pytest -p no:cacheprovider "$@"
