#!/usr/bin/env bash
# The Rasa bot (bot/): its own Python 3.10 venv, training only when the training data changed, the bot's
# tests, and the Rasa server + action server on 127.0.0.1.
#
#   bash scripts/bot.sh setup      create/refresh bot/.venv (only when bot/requirements.lock changed)
#   bash scripts/bot.sh train      train when config/domain/data changed (else reuse bot/models/tongban.tar.gz)
#   bash scripts/bot.sh validate   rasa data validate
#   bash scripts/bot.sh test       validate + held-out NLU evaluation + end-to-end stories + action tests
#   bash scripts/bot.sh run        start the Rasa server (:5005) and the action server (:5055) in the
#                                  background, wait until both answer, return (logs in var/log/)
#   bash scripts/bot.sh stop       stop both servers started by `run`
#   bash scripts/bot.sh status     are they up?
#
# Or source it (after scripts/lib.sh) and call bot_setup, bot_train, bot_test, bot_run, bot_stop.
# The action server reads TONGBAN_API_URL, TONGBAN_BOT_TOKEN and TONGBAN_PUBLIC_URL from the environment,
# or from the repository's .env when they are not set. TONGBAN_RASA_TOKEN, when set, guards Rasa's HTTP API
# (tracker, model endpoints; the REST webhook stays open on 127.0.0.1 for the gateway).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BOT="$ROOT/bot"
BOT_VENV="$BOT/.venv"
BOT_MODEL="$BOT/models/tongban.tar.gz"
# Ports, logs, pid files and the conversation store can be moved (the end-to-end test runs a second bot beside
# a developer's): TONGBAN_RASA_PORT, TONGBAN_ACTIONS_PORT, TONGBAN_BOT_RUN_DIR, TONGBAN_BOT_TRACKER_DB.
BOT_RASA_PORT="${TONGBAN_RASA_PORT:-5005}"
BOT_ACTIONS_PORT="${TONGBAN_ACTIONS_PORT:-5055}"
BOT_LOGS="${TONGBAN_BOT_RUN_DIR:-$ROOT/var}/log"
BOT_PIDS="${TONGBAN_BOT_RUN_DIR:-$ROOT/var}/run"
export BOT_ACTIONS_URL="http://127.0.0.1:$BOT_ACTIONS_PORT/webhook"   # read by bot/endpoints.yml
export BOT_TRACKER_DB="${TONGBAN_BOT_TRACKER_DB:-$ROOT/var/bot-tracker.db}"

_bot_env() {
  export RASA_TELEMETRY_ENABLED=false          # no calls home (there is no internet here anyway)
  export SQLALCHEMY_SILENCE_UBER_WARNING=1     # Rasa 3.6 pins SQLAlchemy 1.4
  export TF_CPP_MIN_LOG_LEVEL=2                # TensorFlow start-up chatter
  export PYTHONWARNINGS="ignore"
}

# _bot_up URL — true when the URL answers 2xx (with the venv's Python: curl may not be installed).
_bot_up() {
  "$BOT_VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" \
    >/dev/null 2>&1
}

# Shows training progress: each component as it starts, the final epoch line of DIET and TED.
_bot_progress() {
  { stdbuf -oL tr '\r' '\n' \
      | grep --line-buffered -E "Starting to train component|Epochs: 100%.*(loss|acc)=|trained and saved" \
      | sed -u -E -e "s/.*Starting to train component '([A-Za-z]+)'.*/  训练 \\1/" \
                  -e 's/.*Epochs: 100%[^|]*[|][^|]*[|] *([0-9]+)\/[0-9]+.*[ _]acc=([0-9.]+).*/    已完成 \1 轮，训练集准确率 \2/' \
                  -e 's/.*trained and saved.*/  模型已写出/' \
      | stdbuf -oL uniq; } || true
}

bot_setup() {
  local stamp="$BOT_VENV/.lock-sha256" want py
  want="$(sha256sum "$BOT/requirements.lock" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$BOT_VENV/bin/rasa" ]; then
    return 0
  fi
  py="$(find_python 3.10)" || die "找不到 Python 3.10（Rasa 3.6 需要）：请安装（例如 pyenv install 3.10），或把 python3.10 放到 PATH 中后重试。"
  say "创建机器人虚拟环境 bot/.venv（$py）"
  [ -d "$BOT_VENV" ] || "$py" -m venv "$BOT_VENV"
  "$BOT_VENV/bin/pip" install -q --upgrade pip 2>&1 | grep -v "^WARNING" || true
  say "安装 Rasa 及依赖（bot/requirements.lock，约 2 分钟，2.7 GB）"
  "$BOT_VENV/bin/pip" install -q --progress-bar off -r "$BOT/requirements.lock" 2>&1 | grep -v "^WARNING" || true
  "$BOT_VENV/bin/python" -c "import rasa, rasa_sdk, cn2an, jieba, aiohttp, pytest, pymysql" 2>/dev/null \
    || die "机器人依赖安装失败（bot/requirements.lock）"
  echo "$want" > "$stamp"
}

# The fingerprint of everything a model is trained from (and of the Rasa version that trains it).
_bot_training_hash() {
  (cd "$BOT" && find config.yml domain data dict requirements.lock -type f | LC_ALL=C sort | xargs sha256sum) \
    | sha256sum | cut -d' ' -f1
}

bot_train() {
  bot_setup
  _bot_env
  local stamp="$BOT/models/.training-sha256" want
  want="$(_bot_training_hash)"
  if [ -f "$BOT_MODEL" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "机器人模型未变化，沿用 bot/models/tongban.tar.gz"
    return 0
  fi
  mkdir -p "$BOT/models" "$BOT_LOGS"
  say "训练机器人模型（训练数据有变化，约 1.5 分钟）"
  local started=$SECONDS
  (cd "$BOT" && "$BOT_VENV/bin/rasa" train --domain domain --data data --config config.yml \
      --out models --fixed-model-name tongban-next --augmentation 0 2>&1) \
    | tee "$BOT_LOGS/bot-train.log" | _bot_progress \
    || die "训练失败，详见 var/log/bot-train.log"
  [ -f "$BOT/models/tongban-next.tar.gz" ] || die "训练没有产出模型，详见 var/log/bot-train.log"
  mv -f "$BOT/models/tongban-next.tar.gz" "$BOT_MODEL"
  find "$BOT/models" -maxdepth 1 -name '*.tar.gz' ! -name 'tongban.tar.gz' -delete  # keep only the latest
  echo "$want" > "$stamp"
  say "模型已保存：bot/models/tongban.tar.gz（$((SECONDS - started)) 秒）"
}

bot_validate() {
  bot_setup
  _bot_env
  mkdir -p "$BOT_LOGS"
  say "rasa data validate"
  # Rasa exits non-zero on errors; its warnings that utter_ask_* are "not used in any story" are false alarms
  # (forms use them), so warnings do not fail the run.
  if ! (cd "$BOT" && "$BOT_VENV/bin/rasa" data validate --domain domain --data data --config config.yml \
        > "$BOT_LOGS/bot-validate.log" 2>&1); then
    grep -iE "error|conflict" "$BOT_LOGS/bot-validate.log" | head -20 >&2 || true
    die "rasa data validate 发现错误，详见 var/log/bot-validate.log"
  fi
  say "训练数据校验通过（无错误，无故事冲突）"
}

bot_test() {
  mkdir -p "$BOT_LOGS"
  bot_setup
  bot_validate
  bot_train
  _bot_env
  local started=$SECONDS
  say "NLU 留出集评估（bot/tests/eval/nlu_heldout.yml，未参与训练）"
  rm -rf "$BOT/results/nlu"
  (cd "$BOT" && "$BOT_VENV/bin/rasa" test nlu -m models/tongban.tar.gz -u tests/eval/nlu_heldout.yml \
      --out results/nlu --no-plot --successes > "$BOT_LOGS/bot-test-nlu.log" 2>&1) \
    || die "rasa test nlu 失败，详见 var/log/bot-test-nlu.log"
  (cd "$BOT" && "$BOT_VENV/bin/python" tests/eval_nlu.py results/nlu tests/eval/nlu_heldout.yml) \
    || die "NLU 评估未达标"

  say "端到端对话测试（bot/tests/test_stories.yml）"
  rm -rf "$BOT/results/core"
  (cd "$BOT" && "$BOT_VENV/bin/rasa" test core -m models/tongban.tar.gz --stories tests/test_stories.yml \
      --out results/core --no-plot --e2e > "$BOT_LOGS/bot-test-core.log" 2>&1) \
    || die "rasa test core 失败，详见 var/log/bot-test-core.log"
  "$BOT_VENV/bin/python" - "$BOT/results/core" <<'PY' || die "端到端对话测试未通过（bot/results/core/failed_test_stories.yml）"
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))
stories = report.get("conversation_accuracy") or {}
correct, total = stories.get("correct", 0), stories.get("total", 0)
actions = report.get("accuracy")
print(f"  stories: {correct}/{total} correct" + (f", action accuracy {actions:.1%}" if actions is not None else ""))
if "story:" in failed or correct != total or total == 0:
    print(failed)
    sys.exit(1)
PY

  say "动作测试（pytest，假的 /api/v1 运行在 127.0.0.1）"
  (cd "$BOT" && "$BOT_VENV/bin/python" -m pytest tests) || die "机器人动作测试失败"
  say "机器人测试全部通过（$((SECONDS - started)) 秒，不含训练）"
}

# Variables the action server needs, from .env when the environment does not have them.
_bot_api_env() {
  local key value
  if [ -f "$ROOT/.env" ]; then
    for key in TONGBAN_API_URL TONGBAN_BOT_TOKEN TONGBAN_PUBLIC_URL TONGBAN_RASA_TOKEN; do
      if [ -z "${!key:-}" ]; then
        value="$(grep -E "^$key=" "$ROOT/.env" | tail -1 | cut -d= -f2- || true)"
        [ -n "$value" ] && export "$key=$value"
      fi
    done
  fi
  export TONGBAN_API_URL="${TONGBAN_API_URL:-http://127.0.0.1:${TONGBAN_PORT:-8000}/api/v1}"
  export TONGBAN_PUBLIC_URL="${TONGBAN_PUBLIC_URL:-http://127.0.0.1:${TONGBAN_PORT:-8000}}"
  [ -n "${TONGBAN_BOT_TOKEN:-}" ] || say "提示：未设置 TONGBAN_BOT_TOKEN，动作服务器将以匿名身份调用接口"
}

_bot_pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

_bot_wait() {  # URL SECONDS NAME LOG
  local i
  for ((i = 0; i < $2 * 2; i++)); do
    _bot_up "$1" && return 0
    sleep 0.5
  done
  tail -20 "$4" >&2 || true
  die "$3 没有在 $2 秒内启动，详见 $4"
}

bot_run() {
  bot_train
  _bot_env
  _bot_api_env
  mkdir -p "$BOT_LOGS" "$BOT_PIDS" "$ROOT/var"
  bot_stop >/dev/null 2>&1 || true
  say "启动动作服务器 127.0.0.1:$BOT_ACTIONS_PORT（日志 $BOT_LOGS/bot-actions.log）"
  (cd "$BOT" && SANIC_HOST=127.0.0.1 exec nohup "$BOT_VENV/bin/rasa" run actions --actions actions \
      -p "$BOT_ACTIONS_PORT") > "$BOT_LOGS/bot-actions.log" 2>&1 < /dev/null &
  echo $! > "$BOT_PIDS/bot-actions.pid"
  # The conversation store in WAL mode (a setting kept in the file): Rasa commits several times per turn, and
  # SQLite's default journal spent 14% of the Rasa server's CPU on it under 20 concurrent conversations.
  "$BOT_VENV/bin/python" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' \
    "$BOT_TRACKER_DB"
  say "启动 Rasa 服务器 127.0.0.1:$BOT_RASA_PORT（日志 $BOT_LOGS/bot-rasa.log，约 30 秒）"
  local auth=()
  [ -n "${TONGBAN_RASA_TOKEN:-}" ] && auth=(--auth-token "$TONGBAN_RASA_TOKEN")  # guards Rasa's HTTP API (not the webhook)
  (cd "$BOT" && exec nohup "$BOT_VENV/bin/python" serve.py run --enable-api -i 127.0.0.1 -p "$BOT_RASA_PORT" "${auth[@]}" \
      -m models/tongban.tar.gz --endpoints endpoints.yml --credentials credentials.yml) \
    > "$BOT_LOGS/bot-rasa.log" 2>&1 < /dev/null &
  echo $! > "$BOT_PIDS/bot-rasa.pid"
  _bot_wait "http://127.0.0.1:$BOT_ACTIONS_PORT/health" 60 "动作服务器" "$BOT_LOGS/bot-actions.log"
  _bot_wait "http://127.0.0.1:$BOT_RASA_PORT/" 120 "Rasa 服务器" "$BOT_LOGS/bot-rasa.log"
  # The first turn after a start builds TensorFlow's graphs (several seconds): take it here, not on a person's
  # first message, which would miss WeChat's reply window.
  "$BOT_VENV/bin/python" - "http://127.0.0.1:$BOT_RASA_PORT/webhooks/rest/webhook" <<'PY' >/dev/null 2>&1 || true
import json, sys, urllib.request
for text in ("你好", "施工许可证要什么材料"):
    body = json.dumps({"sender": "__warm_up__", "message": text}).encode()
    request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=60).read()
PY
  say "机器人已就绪：Rasa http://127.0.0.1:$BOT_RASA_PORT/webhooks/rest/webhook ，动作服务器 http://127.0.0.1:$BOT_ACTIONS_PORT"
}

bot_stop() {
  local name pidfile pid
  for name in bot-rasa bot-actions; do
    pidfile="$BOT_PIDS/$name.pid"
    if _bot_pid_alive "$pidfile"; then
      pid="$(cat "$pidfile")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      say "已停止 $name（pid $pid）"
    fi
    rm -f "$pidfile"
  done
}

bot_status() {
  local ok=0
  if _bot_up "http://127.0.0.1:$BOT_RASA_PORT/"; then say "Rasa 服务器：运行中"; else say "Rasa 服务器：未运行"; ok=1; fi
  if _bot_up "http://127.0.0.1:$BOT_ACTIONS_PORT/health"; then say "动作服务器：运行中"; else say "动作服务器：未运行"; ok=1; fi
  return $ok
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    setup) bot_setup; say "bot/.venv 已就绪" ;;
    train) bot_train ;;
    validate) mkdir -p "$BOT_LOGS"; bot_validate ;;
    test) bot_test ;;
    run) bot_run ;;
    stop) bot_stop ;;
    status) bot_status ;;
    *) echo "用法：bash scripts/bot.sh setup|train|validate|test|run|stop|status" >&2; exit 2 ;;
  esac
fi
