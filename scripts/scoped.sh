#!/usr/bin/env bash
# Runs one command in a run scope (scripts/lib.sh): its own Redis/MariaDB ports, directories and database
# name, every process it starts marked, all of them stopped at the end, and a leftover named and failed.
# The same scope the test command runs in; tests/test_run_scope.py checks it (a leak, an interruption).
#
#   bash scripts/scoped.sh COMMAND [ARG...]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ $# -gt 0 ] || die "用法：bash scripts/scoped.sh 命令 [参数...]"
[ -x "$VENV/bin/python" ] && export PATH="$VENV/bin:$PATH"
run_scope_begin scoped
scope_run "$@"
