"""A careless test run, for tests/test_run_scope.py: starts a private Redis (scripts/redis.sh, on the scope's
port), a Celery worker with its embedded beat (``worker -B``, started plainly, as the old tests did) and a
detached process of its own session; says ``ready`` once the beat's process exists, then waits to be stopped."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    work = Path(os.environ["RUN_DIR"])
    redis_url = subprocess.run(
        ["bash", "scripts/redis.sh", "start"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    env = dict(
        os.environ,
        TONGBAN_REDIS_URL=f"{redis_url}/0",
        TONGBAN_DATABASE_URL=f"sqlite:///{work}/child.db",
        TONGBAN_DATA_DIR=str(work),
        TONGBAN_SECRET_KEY="scope-child-secret-0123456789abcdef0123456789",
    )
    command = [sys.executable, "-m", "celery", "-A", "tongban.celery", "worker", "-B", "-P", "threads"]
    command += ["-c", "1", "--loglevel", "WARNING", "-s", str(work / "beat"), "--without-mingle", "--without-gossip"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env)
    subprocess.Popen(["setsid", "sleep", "600"])  # out of every group: only the scope's mark finds it
    deadline = time.monotonic() + 120
    while not _children(worker.pid):
        if worker.poll() is not None or time.monotonic() > deadline:
            sys.exit("worker 未能启动")
        time.sleep(0.2)
    print("ready", flush=True)
    time.sleep(600)


def _children(pid: int) -> list[str]:
    tasks = Path(f"/proc/{pid}/task")
    return [child for task in tasks.iterdir() for child in (task / "children").read_text().split()]


if __name__ == "__main__":
    main()
