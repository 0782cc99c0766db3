#!/usr/bin/env bash
# The inner loop: lint, types, import contracts and the core suite on SQLite (no MariaDB, no bot), in a run
# scope that leaves nothing running. It leaves out the tests marked slow (real Celery workers, the run scope's own
# scripts, Chromium on the served app, the property-based OpenAPI pass: several minutes between them) and says
# which at the end; scripts/test.sh runs everything.
#
#   bash scripts/check.sh                        everything quick, the suite in two halves side by side
#   bash scripts/check.sh tests/test_case_numbers.py -x   extra arguments go to one pytest (slow ones left out)
#   bash scripts/check.sh -m slow                only the slow tests (a later -m replaces the default one)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
ensure_npm
export PATH="$VENV/bin:$PATH"
run_scope_begin check
scope_run ruff check .
scope_run ruff format --check .
scope_run mypy
scope_run lint-imports --no-cache  # the import contracts (.importlinter)
REDIS_URL="$(bash scripts/redis.sh start | tail -1)"
if [ $# -gt 0 ]; then
  TONGBAN_TEST_REDIS_URL="$REDIS_URL/1" scope_run pytest -p no:cacheprovider -m "not slow" "$@"
  exit 0
fi
# Two halves of the suite, one per core: each pytest has its own temporary SQLite database (tests/conftest.py)
# and its own Redis database number; the first half's output is shown after the second's.
FIRST_LOG="$RUN_DIR/sqlite-1.log"
say "测试（SQLite，分两半并行；前一半的输出见结束时）"
TONGBAN_TEST_SHARD=1/2 TONGBAN_TEST_REDIS_URL="$REDIS_URL/1" scope_job pytest -p no:cacheprovider -m "not slow" \
  >"$FIRST_LOG" 2>&1
FIRST_PID=$SCOPE_PID
SECOND_STATUS=0
TONGBAN_TEST_SHARD=2/2 TONGBAN_TEST_REDIS_URL="$REDIS_URL/3" scope_run pytest -p no:cacheprovider -m "not slow" \
  || SECOND_STATUS=$?
FIRST_STATUS=0
scope_wait "$FIRST_PID" || FIRST_STATUS=$?
say "测试（SQLite，前一半）结果"
cat "$FIRST_LOG"
if [ "$FIRST_STATUS" -ne 0 ] || [ "$SECOND_STATUS" -ne 0 ]; then
  say "失败：前一半退出码 $FIRST_STATUS，后一半退出码 $SECOND_STATUS"
  exit 1
fi
say "检查通过（$SECONDS 秒）"
