"""The test command leaves nothing running: the run scope it uses (scripts/lib.sh, run through
scripts/scoped.sh here) stops what a run started — also when the run is interrupted — and fails a run that
left a process behind, naming it."""

import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.processes import ROOT

# runs the real scripts (Redis, a Celery worker and beat, strays to stop), on their own database: once per test command
pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]


def marked(outer: str, run_dir: str = "") -> list[str]:
    """The command lines of running processes that carry the mark of a scope started under ``outer``, or
    that work inside its directory ``run_dir`` (Redis rewrites its process title over its environment)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cwd = os.readlink(f"/proc/{pid}/cwd")
            ours = re.search(rb"(^|\0)TONGBAN_TEST_RUN=([^\0]*:)?" + re.escape(outer.encode()) + rb":", environ)
            if ours or (run_dir and cwd.startswith(run_dir)):
                found.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def scoped(outer: str, *command: str) -> "subprocess.Popen[str]":
    chain = os.environ.get("TONGBAN_TEST_RUN")  # the test command's own mark stays: it checks these too
    env = dict(os.environ, TONGBAN_TEST_RUN=f"{chain}:{outer}" if chain else outer)
    return subprocess.Popen(
        ["bash", "scripts/scoped.sh", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_run_that_leaves_a_process_behind_fails_and_names_it() -> None:
    outer = f"leak-{uuid.uuid4().hex[:8]}"
    run = scoped(outer, "bash", "-c", "setsid sleep 321 & echo started")
    out, err = run.communicate(timeout=120)
    assert "started" in out
    assert run.returncode == 1, (out, err)
    assert "仍在运行" in err and "sleep 321" in err
    assert marked(outer) == []


def test_a_clean_run_passes_and_says_so() -> None:
    outer = f"clean-{uuid.uuid4().hex[:8]}"
    run = scoped(outer, "bash", "-c", "sleep 0.2 & wait")
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, (out, err)
    assert "均已停止" in out
    assert marked(outer) == []


def test_an_interrupted_run_stops_its_redis_its_celery_worker_and_beat_and_strays() -> None:
    outer = f"ctrl-c-{uuid.uuid4().hex[:8]}"
    run = scoped(outer, "python", "-m", "tests.scope_child")
    try:
        assert run.stdout is not None
        lines = []
        for line in run.stdout:  # the scope's own lines, then the child's "ready"
            lines.append(line)
            if line.strip() == "ready":
                break
        else:
            raise AssertionError(f"没有准备好：{lines} {run.stderr.read() if run.stderr else ''}")
        port = re.search(r"Redis 端口 (\d+)", "".join(lines))
        run_dir = re.search(r"临时目录 ([^；]+)；", "".join(lines))
        assert port and run_dir, lines
        running = marked(outer, os.path.realpath(run_dir.group(1)))
        assert any("redis-server" in c for c in running), running
        assert sum("celery" in c and "worker" in c for c in running) >= 2, running  # the worker and its beat
        assert any(c.startswith("sleep 600") for c in running), running

        run.send_signal(signal.SIGINT)  # as Ctrl-C reaches the command
        _, err = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, err
    assert "sleep 600" in err  # the stray, named
    assert marked(outer, os.path.realpath(run_dir.group(1))) == []
    redis = subprocess.run(["redis-cli", "-p", port.group(1), "ping"], capture_output=True, text=True, check=False)
    assert redis.stdout.strip() != "PONG"
