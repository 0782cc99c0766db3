#!/usr/bin/env bash
# Sets up and runs every test: lint, types and import contracts, the core suite on SQLite and on a real MariaDB,
# and the bot (Rasa data validation, held-out NLU evaluation, end-to-end stories, action tests) in its own venv.
# The notification delivery tests run real Celery workers on a private Redis (scripts/redis.sh).
# Installs what it needs (Debian packages, the venv) and starts/stops its own servers.
#
# The run is a scope (scripts/lib.sh): its Redis and MariaDB get ports, directories and a database name of
# their own, so two runs, or a run beside `scripts/run.sh`, never see each other; at the end — passed, failed,
# or stopped with Ctrl-C — everything it started is stopped, and a process still running fails the run.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_apt fonts-wqy-microhei graphviz poppler-utils mariadb-server chromium chromium-l10n redis-server
ensure_venv
ensure_npm
export PATH="$VENV/bin:$PATH"
run_scope_begin test

# The bot's setup, training and tests run beside everything else (mostly downloads and one training); once its
# model exists, the fault drills follow on a cluster of their own (scripts/drills.sh, tests/drills/), still beside
# the database passes: the drills mostly wait (servers starting, leases running out), as the passes do.
BOT_LOG="$RUN_DIR/bot.log" DRILLS_LOG="$RUN_DIR/drills.log"
say "机器人测试，然后故障演练（后台运行，输出见结束时）"
scope_job bash -c 'bash scripts/bot.sh test >"$1" 2>&1 || exit 101; exec bash scripts/drills.sh >"$2" 2>&1' \
  bot-then-drills "$BOT_LOG" "$DRILLS_LOG"
BOT_PID=$SCOPE_PID

say "ruff"
scope_run ruff check .
scope_run ruff format --check .
say "mypy"
scope_run mypy
say "import-linter（.importlinter：依赖方向）"
scope_run lint-imports --no-cache

# The two database passes are independent processes (own temp dirs, own database): run them side by side
# on the two cores, SQLite's output kept in a file and shown when it ends. Tests marked one_pass run in one of
# them only (tests/conftest.py): most browser walks and the scripts' own tests on SQLite; the OpenAPI fuzzing, the
# 10,000-case exchange and the security and clerk walks on MariaDB (so that the two passes end together).
MARIADB_URL="$(TONGBAN_MARIADB_BINLOG=1 bash scripts/mariadb.sh start | tail -1)"  # a binary log: the restore drill
# One Redis, a database number per pass, so that the two passes' queues and rate counts stay apart.
REDIS_URL="$(bash scripts/redis.sh start | tail -1)"
SQLITE_LOG="$RUN_DIR/sqlite.log"
say "测试（SQLite，后台运行，输出见结束时）"
TONGBAN_TEST_PASS=sqlite TONGBAN_TEST_REDIS_URL="$REDIS_URL/1" scope_job pytest -p no:cacheprovider >"$SQLITE_LOG" 2>&1
SQLITE_PID=$SCOPE_PID
say "测试（MariaDB：${MARIADB_URL%%\?*}）"
MARIADB_STATUS=0
TONGBAN_TEST_PASS=mariadb TONGBAN_TEST_DATABASE_URL="$MARIADB_URL" TONGBAN_TEST_REDIS_URL="$REDIS_URL/2" \
  scope_run pytest -p no:cacheprovider \
  || MARIADB_STATUS=$?
SQLITE_STATUS=0
scope_wait "$SQLITE_PID" || SQLITE_STATUS=$?
say "测试（SQLite）结果"
cat "$SQLITE_LOG"
BOT_STATUS=0 DRILLS_STATUS=0
scope_wait "$BOT_PID" || DRILLS_STATUS=$?
if [ "$DRILLS_STATUS" -eq 101 ]; then BOT_STATUS=1 DRILLS_STATUS=0; fi  # the bot failed: no drills ran
say "机器人测试结果"
cat "$BOT_LOG"
if [ "$BOT_STATUS" -eq 0 ]; then
    say "故障演练结果"
    cat "$DRILLS_LOG"
fi
# End to end through the real pieces (app + Rasa + action server + a fake WeChat API), once the model is
# trained and the two database passes no longer load the cores (WeChat's reply window is timed).
E2E_STATUS=0
if [ "$BOT_STATUS" -eq 0 ]; then
    say "端到端：公众号（安全模式）→ 应用 → Rasa → 动作服务器 → /api/v1"
    TONGBAN_E2E_BOT=1 scope_run pytest -p no:cacheprovider -q tests/e2e || E2E_STATUS=$?
fi
if [ "$SQLITE_STATUS" -ne 0 ] || [ "$MARIADB_STATUS" -ne 0 ] || [ "$BOT_STATUS" -ne 0 ] || [ "$E2E_STATUS" -ne 0 ] \
   || [ "$DRILLS_STATUS" -ne 0 ]; then
    say "失败：SQLite 退出码 $SQLITE_STATUS，MariaDB 退出码 $MARIADB_STATUS，机器人 退出码 $BOT_STATUS，端到端 退出码 $E2E_STATUS，故障演练 退出码 $DRILLS_STATUS"
    exit 1
fi
say "全部测试通过（$SECONDS 秒）"
