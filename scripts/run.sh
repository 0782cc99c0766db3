#!/usr/bin/env bash
# Sets up and runs the whole platform on the embedded defaults (SQLite, in-process tasks) with demo data.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT="${TONGBAN_PORT:-8000}"
# The demo logs in its admin with a password only; production keeps two-factor required (core/settings.py).
export TONGBAN_REQUIRE_TWO_FACTOR="${TONGBAN_REQUIRE_TWO_FACTOR:-false}"
ensure_app_runtime
ensure_venv
ensure_npm
ensure_env_file
export PATH="$VENV/bin:$PATH"
mkdir -p var

say "数据库迁移"
tongban migrate
say "演示数据（首次运行约需一分钟）"
tongban seed --if-empty

say "智能客服机器人（Rasa：首次运行需安装约 2 分钟、训练约 1.5 分钟；之后复用）"
export TONGBAN_PORT="$PORT"
# Rasa moved to another port (TONGBAN_RASA_PORT): the app talks to it there (unless told otherwise)
if [ -n "${TONGBAN_RASA_PORT:-}" ] && [ -z "${TONGBAN_RASA_URL:-}" ]; then
  export TONGBAN_RASA_URL="http://127.0.0.1:$TONGBAN_RASA_PORT/webhooks/rest/webhook"
fi
TONGBAN_BOT_TOKEN="$(tongban issue-token bot --name action-server --hours 24)"
export TONGBAN_BOT_TOKEN
bash scripts/bot.sh setup
trap 'bash scripts/bot.sh stop >/dev/null 2>&1 || true' EXIT
bash scripts/bot.sh run

cat <<INFO

  通办 Tongban 已就绪
  门户网站     http://127.0.0.1:$PORT/          （每页右下角“在线咨询”即网页聊天）
  管理端       http://127.0.0.1:$PORT/admin
  接口文档     http://127.0.0.1:$PORT/api/v1/docs
  机器人       http://127.0.0.1:5005/webhooks/rest/webhook（Rasa），动作服务器 http://127.0.0.1:5055
  微信公众号   http://127.0.0.1:$PORT/channels/wechat （在 .env 设置 TONGBAN_WECHAT_* 后启用）
  注册验证码   演示环境不发短信，验证码写在 var/sms_outbox.log（TONGBAN_SMS_PROVIDER 配置真实短信通道）
INFO
tongban demo-logins
echo
tongban serve --host 127.0.0.1 --port "$PORT"
