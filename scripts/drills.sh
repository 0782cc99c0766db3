#!/usr/bin/env bash
# The fault drills (tests/drills/): a cluster of their own (scripts/cluster.sh, without the demo data) on free
# ports in a run scope, each drill breaking one part, then everything stopped. Needs bot/.venv and the trained
# model (bash scripts/bot.sh train). The test command runs this once, after the bot's tests.
#
#   bash scripts/drills.sh [pytest args]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ -x "$ROOT/bot/.venv/bin/rasa" ] && [ -f "$ROOT/bot/models/tongban.tar.gz" ] \
  || die "故障演练需要机器人环境和模型：先运行 bash scripts/bot.sh train"
ensure_apt mariadb-server redis-server nginx curl
ensure_app_runtime
export PATH="$VENV/bin:$PATH"
run_scope_begin drills

# thirty-one ports from a base where none is taken (the cluster uses base … base+30)
for _ in $(seq 1 50); do
  base=$((20000 + RANDOM % 40000))
  taken=0
  for offset in 0 1 2 3 10 11 12 15 20 21 30; do port_taken $((base + offset)) && { taken=1; break; }; done
  [ $taken -eq 0 ] && break
done
chmod o+x "$RUN_DIR"  # nginx's workers (another user under root) go through it to their cache (scripts/cluster.sh)
export TONGBAN_TEST_CLUSTER_PORT_BASE=$base TONGBAN_TEST_CLUSTER_DIR="$RUN_DIR/cluster" TONGBAN_TEST_DRILLS=1
say "故障演练（集群端口 $base 起，目录 $TONGBAN_TEST_CLUSTER_DIR）"
scope_run pytest -p no:cacheprovider -s tests/drills "$@"
