#!/usr/bin/env bash
# The production shape (deploy/) on one machine, for tests, drills and benchmarks:
#
#   bash scripts/cluster.sh start [PART...]    start everything (or only the named parts), migrate, demo data
#   bash scripts/cluster.sh stop [PART...]     stop everything (or the named parts); nothing is left running
#   bash scripts/cluster.sh kill PART...       SIGKILL to the named parts (the fault drills)
#   bash scripts/cluster.sh status             each part: running or not, its address, replication lag
#   bash scripts/cluster.sh env                the environment file the app processes read
#   bash scripts/cluster.sh run CMD...         CMD with that environment (e.g. run tongban issue-token admin)
#
# Parts: primary replica redis app1..appN worker beat actions rasa1 rasa2 nginx. Each runs from the project's
# own files: MariaDB with deploy/mariadb/*.cnf (two mariadbd, GTID replication), Redis with
# deploy/redis/tongban.conf, nginx (Debian's) with deploy/nginx/ (the site file with only its listen addresses
# and paths changed), the app as `tongban serve`, Celery worker and one beat, two Rasa servers with
# deploy/rasa/endpoints.yml (SQL tracker store on the primary, Redis lock store) and the action server.
#
# Ports (TONGBAN_CLUSTER_PORT_BASE, default 18800 = B): nginx B, apps B+1…B+N, Rasa balancer B+10, Rasa B+11 and
# B+12, action server B+15, MariaDB primary B+20 and replica B+21, Redis B+30. Files, logs and data in
# TONGBAN_CLUSTER_DIR (default var/cluster). TONGBAN_CLUSTER_APPS app processes (2), TONGBAN_CLUSTER_CASES demo
# cases (400), TONGBAN_CLUSTER_SEED=0 skips the demo data, TONGBAN_CLUSTER_BOT=0 leaves the Rasa servers out, TONGBAN_CLUSTER_EXTRA_ENV names a file of
# TONGBAN_* lines added to the app's environment (the drills point WeChat and WeCom at fakes with it).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

B="${TONGBAN_CLUSTER_PORT_BASE:-18800}"
DIR="$(mkdir -p "${TONGBAN_CLUSTER_DIR:-$ROOT/var/cluster}" && cd "${TONGBAN_CLUSTER_DIR:-$ROOT/var/cluster}" && pwd)"
APPS="${TONGBAN_CLUSTER_APPS:-2}"
CASES="${TONGBAN_CLUSTER_CASES:-400}"
WITH_BOT="${TONGBAN_CLUSTER_BOT:-1}"
NGINX_PORT=$B RASA_LB_PORT=$((B + 10)) ACTIONS_PORT=$((B + 15))
PRIMARY_PORT=$((B + 20)) REPLICA_PORT=$((B + 21)) REDIS_PORT=$((B + 30))
RUN="$DIR/run" LOGS="$DIR/log" ENV_FILE="$DIR/tongban.env" SECRETS="$DIR/secrets"
BOT_VENV="$ROOT/bot/.venv"
mkdir -p "$RUN" "$LOGS" "$DIR/data"

app_port() { echo $((B + ${1#app})); }
rasa_port() { echo $((B + 10 + ${1#rasa})); }
all_parts() {
  echo primary replica redis
  for i in $(seq 1 "$APPS"); do echo "app$i"; done
  echo worker beat
  [ "$WITH_BOT" = 1 ] && echo actions rasa1 rasa2
  echo nginx
}

# ---------------------------------------------------------------- processes by pid file
# running: not gone, and not a zombie (a killed server whose parent exited may wait for a reaper that never comes)
running() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
alive() { [ -f "$RUN/$1.pid" ] && running "$(cat "$RUN/$1.pid")"; }

# launch NAME CMD... — in the background from the cluster's directory, output to log/NAME.log, pid in run/.
launch() {
  local name="$1"; shift
  if [ "$(type -t "$1")" = function ]; then  # with_env: it execs env itself
    (cd "$DIR" && _EXEC=1 "$@") >>"$LOGS/$name.log" 2>&1 </dev/null &
  else
    (cd "$DIR" && exec "$@") >>"$LOGS/$name.log" 2>&1 </dev/null &
  fi
  echo $! >"$RUN/$name.pid"
}

stop_part() {  # NAME [SIGNAL]: the signal (TERM), 15 s to go, then SIGKILL
  local name="$1" pid
  alive "$name" || { rm -f "$RUN/$name.pid"; return 0; }
  pid="$(cat "$RUN/$name.pid")"
  case "$name" in
    nginx) kill -QUIT "$pid" 2>/dev/null || true ;;
    redis) redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true ;;
    *) kill "${2:--TERM}" "$pid" 2>/dev/null || true ;;
  esac
  for _ in $(seq 1 75); do running "$pid" || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
}

wait_for() {  # WHAT SECONDS CHECK... — runs CHECK until it succeeds
  local what="$1" seconds="$2"; shift 2
  for _ in $(seq 1 $((seconds * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  local newest
  newest="$(ls -t "$LOGS" | head -1)"
  [ -n "$newest" ] && { echo "== $LOGS/$newest" >&2; tail -n 20 "$LOGS/$newest" >&2; }
  die "$what 没有在 $seconds 秒内就绪（日志：$LOGS）"
}

http_ok() { curl -fsS -o /dev/null --max-time 3 "$1"; }
sql() { local port="$1"; shift; mariadb --no-defaults -uroot -h127.0.0.1 -P"$port" --protocol=tcp "$@"; }

secret() {  # NAME — a random value kept in secrets/NAME across restarts
  mkdir -p "$SECRETS" && chmod 700 "$SECRETS"
  [ -f "$SECRETS/$1" ] || python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$SECRETS/$1"
  cat "$SECRETS/$1"
}

# ---------------------------------------------------------------- MariaDB primary + replica
mariadb_cnf() {  # ROLE PORT — the role's file from deploy/mariadb plus this machine's paths and port
  local role="$1" port="$2" dir="$DIR/$1"
  mkdir -p "$dir/data" "$dir/tmp"
  cat >"$dir/my.cnf" <<CNF
!include $ROOT/deploy/mariadb/tongban-$role.cnf
[mariadbd]
user = root
datadir = $dir/data
tmpdir = $dir/tmp
socket = $dir/mariadb.sock
pid-file = $dir/mariadb.pid
port = $port
bind-address = 127.0.0.1
log-error = $LOGS/$role.log
CNF
}

start_mariadb() {  # ROLE PORT
  local role="$1" port="$2" dir="$DIR/$1"
  alive "$role" && return 0
  port_taken "$port" && die "127.0.0.1:$port 已被占用（$role）：换一个 TONGBAN_CLUSTER_PORT_BASE"
  mariadb_cnf "$role" "$port"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --defaults-file="$dir/my.cnf" --auth-root-authentication-method=normal --skip-test-db \
      >"$LOGS/$role-install.log" 2>&1 || { cat "$LOGS/$role-install.log" >&2; die "$role 初始化失败"; }
  fi
  launch "$role" mariadbd --defaults-file="$dir/my.cnf"
  wait_for "MariaDB $role（127.0.0.1:$port）" 180 sql "$port" -e "select 1"
}

setup_primary() {  # the databases and accounts, once (they reach the replica through the binary log)
  sql "$PRIMARY_PORT" <<SQL
CREATE DATABASE IF NOT EXISTS tongban CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS tongban_bot CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'tongban'@'127.0.0.1' IDENTIFIED BY '$(secret db)';
GRANT ALL ON tongban.* TO 'tongban'@'127.0.0.1';
CREATE USER IF NOT EXISTS 'tongban_bot'@'127.0.0.1' IDENTIFIED BY '$(secret bot-db)';
GRANT ALL ON tongban_bot.* TO 'tongban_bot'@'127.0.0.1';
CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY '$(secret repl)';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
SQL
}

setup_replica() {  # replication from the primary by GTID, when not set up yet
  local state
  state="$(sql "$REPLICA_PORT" -N -e "SHOW SLAVE STATUS" | wc -l)"
  [ "$state" -gt 0 ] && { sql "$REPLICA_PORT" -e "START SLAVE" 2>/dev/null || true; return 0; }
  sql "$REPLICA_PORT" -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PRIMARY_PORT, MASTER_USER='repl',
    MASTER_PASSWORD='$(secret repl)', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE;"
}

replication_line() {
  sql "$REPLICA_PORT" -e "SHOW SLAVE STATUS\G" 2>/dev/null | awk -F': ' '
    /Slave_IO_Running:/ {io=$2} /Slave_SQL_Running:/ {s=$2} /Seconds_Behind_Master:/ {lag=$2}
    END {printf "复制 IO=%s SQL=%s 延迟=%s 秒", io, s, lag}'
}

# ---------------------------------------------------------------- Redis
start_redis() {
  alive redis && return 0
  port_taken "$REDIS_PORT" && die "127.0.0.1:$REDIS_PORT 已被占用（redis）"
  mkdir -p "$DIR/redis"
  launch redis redis-server "$ROOT/deploy/redis/tongban.conf" --port "$REDIS_PORT" --dir "$DIR/redis" \
    --daemonize no --logfile "$LOGS/redis.log"
  wait_for "Redis（127.0.0.1:$REDIS_PORT）" 20 redis-cli -p "$REDIS_PORT" ping
}

# ---------------------------------------------------------------- the app's environment, migrate, demo data
write_env() {
  local secret_key
  mkdir -p "$SECRETS" && chmod 700 "$SECRETS"
  [ -f "$SECRETS/secret-key" ] || python3 -c 'import secrets; print(secrets.token_urlsafe(48))' >"$SECRETS/secret-key"
  secret_key="$(cat "$SECRETS/secret-key")"
  cat >"$ENV_FILE" <<ENV
TONGBAN_SECRET_KEY=$secret_key
TONGBAN_BASE_URL=http://127.0.0.1:$NGINX_PORT
TONGBAN_DATABASE_URL=mysql+mysqldb://tongban:$(secret db)@127.0.0.1:$PRIMARY_PORT/tongban?charset=utf8mb4
TONGBAN_DATABASE_REPLICA_URL=mysql+mysqldb://tongban:$(secret db)@127.0.0.1:$REPLICA_PORT/tongban?charset=utf8mb4
TONGBAN_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
TONGBAN_SCHEDULER_ENABLED=false
TONGBAN_TRUSTED_PROXIES=127.0.0.1
TONGBAN_DATA_DIR=$DIR/data
TONGBAN_RASA_URL=http://127.0.0.1:$RASA_LB_PORT/webhooks/rest/webhook
TONGBAN_RASA_TOKEN=$(secret rasa-token)
TONGBAN_REQUIRE_TWO_FACTOR=false
ENV
  if [ -n "${TONGBAN_CLUSTER_EXTRA_ENV:-}" ]; then cat "$TONGBAN_CLUSTER_EXTRA_ENV" >>"$ENV_FILE"; fi
  chmod 600 "$ENV_FILE"
}

# with_env CMD... — CMD with the cluster's settings (and nothing of the caller's TONGBAN_* but the run mark)
with_env() {
  local unset=() settings=() name
  for name in $(env | grep -o '^TONGBAN_[A-Z0-9_]*' | grep -v '^TONGBAN_TEST_RUN$'); do unset+=(-u "$name"); done
  mapfile -t settings < <(grep -v '^#' "$ENV_FILE" | grep .)
  if [ -n "${_EXEC:-}" ]; then  # in launch's subshell: become the server, so that its pid is the server's
    exec env "${unset[@]}" -u _EXEC "${settings[@]}" PATH="$VENV/bin:$PATH" "$@"
  fi
  env "${unset[@]}" "${settings[@]}" PATH="$VENV/bin:$PATH" "$@"
}

migrate_and_seed() {
  say "数据库迁移与演示数据（$CASES 件办件，首次约需一分钟）"
  with_env tongban migrate >>"$LOGS/migrate.log" 2>&1 || { tail -20 "$LOGS/migrate.log" >&2; die "迁移失败"; }
  if [ "${TONGBAN_CLUSTER_SEED:-1}" = 1 ]; then
    with_env tongban seed --if-empty --cases "$CASES" >>"$LOGS/migrate.log" 2>&1 \
      || { tail -20 "$LOGS/migrate.log" >&2; die "演示数据失败"; }
  else  # the drills bring their own few rows; the bot's service account is all the cluster needs
    with_env python -c 'from core.audit.context import SYSTEM, acting
from core.db import session_scope
from core.seed.demo import ensure_bot_user, ensure_roles
with session_scope() as db, acting(SYSTEM):
    ensure_roles(db)
    ensure_bot_user(db)' >>"$LOGS/migrate.log" 2>&1 || die "机器人服务账号创建失败（$LOGS/migrate.log）"
  fi
  if [ ! -s "$SECRETS/bot-token" ]; then
    with_env tongban issue-token bot --name cluster-actions --hours 0 >"$SECRETS/bot-token.out" 2>>"$LOGS/migrate.log" \
      || die "动作服务器的令牌签发失败（$LOGS/migrate.log）"
    tail -1 "$SECRETS/bot-token.out" >"$SECRETS/bot-token" && rm -f "$SECRETS/bot-token.out"
  fi
}

# ---------------------------------------------------------------- app, Celery
start_app() {
  local name="$1" port
  port="$(app_port "$1")"
  alive "$name" && return 0
  port_taken "$port" && die "127.0.0.1:$port 已被占用（$name）"
  launch "$name" with_env "$VENV/bin/tongban" serve --host 127.0.0.1 --port "$port"
}

start_worker() {
  alive worker && return 0
  launch worker with_env "$VENV/bin/celery" -A tongban.celery worker -P threads -c 8 \
    -n "worker@cluster-$B" --without-gossip --without-mingle --loglevel INFO
}

start_beat() {
  alive beat && return 0
  launch beat with_env "$VENV/bin/celery" -A tongban.celery beat \
    -s "$DIR/celerybeat-schedule" --loglevel INFO
}

# ---------------------------------------------------------------- the bot
bot_env() {  # the Rasa servers' and the action server's variables (deploy/rasa.env.example)
  echo RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore \
    BOT_ACTIONS_URL="http://127.0.0.1:$ACTIONS_PORT/webhook" BOT_TRACKER_HOST=127.0.0.1 BOT_TRACKER_PORT="$PRIMARY_PORT" \
    BOT_TRACKER_DB=tongban_bot BOT_TRACKER_USER=tongban_bot BOT_TRACKER_PASSWORD="$(secret bot-db)" \
    BOT_REDIS_HOST=127.0.0.1 BOT_REDIS_PORT="$REDIS_PORT" BOT_REDIS_DB=3 \
    TONGBAN_API_URL="http://127.0.0.1:$NGINX_PORT/api/v1" TONGBAN_PUBLIC_URL="http://127.0.0.1:$NGINX_PORT" \
    TONGBAN_BOT_TOKEN="$(cat "$SECRETS/bot-token")"
}

start_actions() {
  alive actions && return 0
  launch actions bash -c "cd '$ROOT/bot' && exec env $(bot_env) SANIC_HOST=127.0.0.1 '$BOT_VENV/bin/rasa' run actions \
    --actions actions -p $ACTIONS_PORT"
}

start_rasa() {
  local name="$1" port
  port="$(rasa_port "$1")"
  alive "$name" && return 0
  "$BOT_VENV/bin/python" -c "import pymysql" 2>/dev/null \
    || die "机器人环境缺少 MySQL 驱动（bot/requirements.lock 里的 PyMySQL）：先运行 bash scripts/bot.sh setup"
  [ -f "$ROOT/bot/models/tongban.tar.gz" ] || die "没有训练好的机器人模型 bot/models/tongban.tar.gz：先运行 bash scripts/bot.sh train"
  # the first Rasa server makes the conversation tables; two making them at once would collide
  [ "$name" = rasa1 ] || wait_for "Rasa 会话表（由 rasa1 建立）" 180 tracker_tables_exist
  launch "$name" bash -c "cd '$ROOT/bot' && exec env $(bot_env) '$BOT_VENV/bin/python' serve.py run --enable-api \
    -i 127.0.0.1 -p $port --auth-token '$(secret rasa-token)' -m models/tongban.tar.gz \
    --endpoints '$ROOT/deploy/rasa/endpoints.yml' --credentials credentials.yml"
}

tracker_tables_exist() { [ -n "$(sql "$PRIMARY_PORT" -N -e "SHOW TABLES FROM tongban_bot LIKE 'events'")" ]; }

warm_rasa() {  # PORT — the first turn builds TensorFlow's graphs: take it here, not on a person's message
  curl -fsS -o /dev/null --max-time 90 -H 'Content-Type: application/json' \
    -d '{"sender": "__warm_up__", "message": "你好"}' "http://127.0.0.1:$1/webhooks/rest/webhook" || true
}

# ---------------------------------------------------------------- nginx
start_nginx() {
  alive nginx && return 0
  port_taken "$NGINX_PORT" && die "127.0.0.1:$NGINX_PORT 已被占用（nginx）"
  local conf="$DIR/nginx" i
  mkdir -p "$conf/temp" "$conf/logs"
  {
    echo "upstream tongban_app {"
    echo "    zone tongban_app 64k;"
    for i in $(seq 1 "$APPS"); do echo "    server 127.0.0.1:$((B + i)) max_fails=3 fail_timeout=10s;"; done
    echo "    keepalive 64;"
    echo "    keepalive_timeout 60s;"
    echo "}"
    echo "upstream tongban_rasa {"
    echo "    zone tongban_rasa 64k;"
    for i in 1 2; do echo "    server 127.0.0.1:$((B + 10 + i)) max_fails=3 fail_timeout=10s;"; done
    echo "}"
  } >"$conf/upstreams.conf"
  cp "$ROOT/deploy/nginx/proxy.conf" "$ROOT/deploy/nginx/cache.conf" "$conf/"
  mkdir -p "$conf/cache"
  # Started as root, nginx's workers run as another user, and they write the cache and the temporary files: every
  # directory above them must let that user in (a private mktemp directory does not; each page would be nginx's 500).
  if [ "$(id -u)" = 0 ]; then
    local above="$conf"
    while [ "$above" != / ]; do
      case "$(stat -c %A "$above")" in
        *[xt]) ;;
        *) die "nginx 的工作进程（非 root 用户）进不了 $above：请执行 chmod o+x $above，或换一个集群目录（TONGBAN_CLUSTER_DIR）" ;;
      esac
      above="$(dirname "$above")"
    done
  fi
  # The production site file, with this machine's addresses and paths.
  sed -e "s|listen 80;|listen 127.0.0.1:$NGINX_PORT;|" -e '/listen \[::\]:80;/d' -e '/tls.conf;/d' \
      -e "s|listen 10.0.0.10:5005;|listen 127.0.0.1:$RASA_LB_PORT;|" \
      -e "s|/etc/nginx/tongban/|$conf/|g" -e "s|/opt/tongban/|$ROOT/|g" -e "s|/var/log/nginx/|$LOGS/nginx-|g" \
      -e "s|/var/cache/nginx/tongban|$conf/cache|g" \
      "$ROOT/deploy/nginx/tongban.conf" >"$conf/site.conf"
  cat >"$conf/nginx.conf" <<NGINX
daemon off;
worker_processes 2;
pid $conf/nginx.pid;
error_log $LOGS/nginx-error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path $conf/temp/body;
    proxy_temp_path $conf/temp/proxy;
    fastcgi_temp_path $conf/temp/fastcgi;
    uwsgi_temp_path $conf/temp/uwsgi;
    scgi_temp_path $conf/temp/scgi;
    include $conf/site.conf;
}
NGINX
  nginx -t -p "$conf" -c "$conf/nginx.conf" >"$LOGS/nginx-check.log" 2>&1 || { cat "$LOGS/nginx-check.log" >&2; die "nginx 配置有误"; }
  launch nginx nginx -p "$conf" -c "$conf/nginx.conf"
  wait_for "nginx（127.0.0.1:$NGINX_PORT）" 20 port_taken "$NGINX_PORT"  # (the apps behind it may still be starting)
}

# ---------------------------------------------------------------- commands
start_parts() {  # PART... — each one not running yet, in this order; wait until each answers
  local part
  for part in "$@"; do
    case "$part" in
      primary) start_mariadb primary "$PRIMARY_PORT"; setup_primary ;;
      replica) start_mariadb replica "$REPLICA_PORT"; setup_replica ;;
      redis) start_redis ;;
      app*) start_app "$part" ;;
      worker) start_worker ;;
      beat) start_beat ;;
      actions) start_actions ;;
      rasa*) start_rasa "$part" ;;
      nginx) start_nginx ;;
      *) die "未知的组成部分：$part（可选：$(all_parts | tr '\n' ' ')）" ;;
    esac
  done
  for part in "$@"; do  # the slow starters were started side by side; now wait for each
    case "$part" in
      app*) wait_for "$part" 240 http_ok "http://127.0.0.1:$(app_port "$part")/readyz" ;;
      actions) wait_for "动作服务器" 90 http_ok "http://127.0.0.1:$ACTIONS_PORT/health" ;;
      rasa*) wait_for "Rasa $part" 480 http_ok "http://127.0.0.1:$(rasa_port "$part")/"; warm_rasa "$(rasa_port "$part")" ;;
    esac
  done
}

cmd_start() {
  ensure_apt mariadb-server redis-server nginx curl
  ensure_app_runtime
  ensure_venv
  ensure_npm
  local started=$SECONDS
  if [ $# -gt 0 ]; then
    [ -f "$ENV_FILE" ] || write_env
    start_parts "$@"
    return 0
  fi
  say "集群启动（目录 $DIR，端口 $B 起）"
  start_parts primary replica redis
  write_env
  migrate_and_seed
  local apps=() i
  for i in $(seq 1 "$APPS"); do apps+=("app$i"); done
  if [ "$WITH_BOT" = 1 ]; then
    start_parts actions
    start_rasa rasa1  # (loading its model takes a while: the rest starts meanwhile)
    start_parts "${apps[@]}" worker beat rasa2 rasa1 nginx
  else
    start_parts "${apps[@]}" worker beat nginx
  fi
  say "集群已就绪（$((SECONDS - started)) 秒）"
  cmd_status
}

cmd_stop() {
  local parts=("$@") part
  [ ${#parts[@]} -gt 0 ] || mapfile -t parts < <(all_parts | tr ' ' '\n' | tac)
  # also what a smaller TONGBAN_CLUSTER_APPS or TONGBAN_CLUSTER_BOT=0 would not name
  if [ $# -eq 0 ]; then
    for part in "$RUN"/*.pid; do [ -e "$part" ] && parts=("$(basename "$part" .pid)" "${parts[@]}"); done
  fi
  for part in "${parts[@]}"; do
    if alive "$part"; then stop_part "$part"; say "已停止 $part"; fi
  done
}

cmd_status() {
  local part address state bad=0
  for part in $(all_parts); do
    case "$part" in
      primary) address="127.0.0.1:$PRIMARY_PORT" ;;
      replica) address="127.0.0.1:$REPLICA_PORT" ;;
      redis) address="127.0.0.1:$REDIS_PORT" ;;
      app*) address="http://127.0.0.1:$(app_port "$part")" ;;
      rasa*) address="http://127.0.0.1:$(rasa_port "$part")" ;;
      actions) address="http://127.0.0.1:$ACTIONS_PORT" ;;
      nginx) address="http://127.0.0.1:$NGINX_PORT（Rasa 负载均衡 :$RASA_LB_PORT）" ;;
      *) address="" ;;
    esac
    if alive "$part"; then state="运行中 pid $(cat "$RUN/$part.pid")"; else state="未运行"; bad=1; fi
    [ "$part" = replica ] && alive replica && state="$state，$(replication_line)"
    case "$part" in app*) alive "$part" && state="$state，就绪：$(curl -s --max-time 5 "$address/readyz" | head -c 200)" ;; esac
    printf '  %-8s %-46s %s\n' "$part" "$address" "$state"
  done
  return $bad
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  kill) shift; for part in "$@"; do alive "$part" && kill -9 "$(cat "$RUN/$part.pid")"; rm -f "$RUN/$part.pid"; done ;;
  status) cmd_status ;;
  env) echo "$ENV_FILE" ;;
  run) shift; with_env "$@" ;;
  *) echo "用法：bash scripts/cluster.sh start|stop [组成部分...] | status | env" >&2; exit 2 ;;
esac
