#!/usr/bin/env bash
# Does the test command hold up on a busy machine? Runs it ROUNDS times in a row (default 3) on a fresh clone
# of HEAD while stress-ng keeps every core busy (scripts/stress.sh) and a second fresh clone runs the test
# command beside it, again and again, until the rounds are over (its last run is then interrupted, as with
# Ctrl-C). Prints every run's result and time. Everything is stopped at the end, also on Ctrl-C.
#
#   bash scripts/test-under-load.sh [ROUNDS] [REVISION]     (default: 3 rounds of HEAD)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ROUNDS="${1:-3}"
REVISION="$(git rev-parse "${2:-HEAD}")"
run_scope_begin load
SUMMARY="$RUN_DIR/summary.txt"

say "两份全新克隆（${REVISION:0:7}）：$RUN_DIR/main 与 $RUN_DIR/beside"
for copy in main beside; do
  git clone -q "$ROOT" "$RUN_DIR/$copy"
  git -C "$RUN_DIR/$copy" checkout -q "$REVISION"
done
bash scripts/stress.sh start
trap 'bash "$ROOT/scripts/stress.sh" stop; run_scope_end $?' EXIT

# The runs beside: a process of their own (not a function in a subshell, whose children would ignore Ctrl-C).
scope_job bash -c '
  n=0
  while [ ! -f "$1/stop-beside" ]; do
    n=$((n + 1)); started=$SECONDS; status=0
    (cd "$1/beside" && bash scripts/test.sh) >"$1/beside-$n.log" 2>&1 || status=$?
    echo "旁路运行 #$n：退出码 $status，$((SECONDS - started)) 秒" >> "$2"
  done' beside "$RUN_DIR" "$SUMMARY"
BESIDE_PID=$SCOPE_PID

FAILED=0
for round in $(seq 1 "$ROUNDS"); do
  say "第 $round/$ROUNDS 轮（机器满载，旁边另有一份测试在跑）"
  started=$SECONDS; status=0
  scope_run bash -c 'cd "$1" && exec bash scripts/test.sh' main "$RUN_DIR/main" >"$RUN_DIR/main-$round.log" 2>&1 \
    || status=$?
  echo "主运行 第 $round 轮：退出码 $status，$((SECONDS - started)) 秒" | tee -a "$SUMMARY"
  [ "$status" -eq 0 ] || { FAILED=1; tail -40 "$RUN_DIR/main-$round.log"; }
done

say "停止旁路运行（中断，检验 Ctrl-C 的清理）"
touch "$RUN_DIR/stop-beside"
kill -INT -- "-$BESIDE_PID" 2>/dev/null || true
scope_wait "$BESIDE_PID" || true
cat "$SUMMARY"
cp "$SUMMARY" "$ROOT/var/test-under-load-summary.txt" 2>/dev/null || true
exit "$FAILED"
