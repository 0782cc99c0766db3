"""Processes that tests and benchmarks start, and that never outlive them.

Each process starts in a process group of its own, so that stopping it stops everything it started as well
(a Celery worker's embedded beat is a child process: killing the worker alone left the beat running against
the next run's database). The kernel also sends it SIGTERM if the test process itself dies first. Private
Redis and MariaDB servers get a free port and a throw-away directory each, and are stopped on the way out.
"""

import ctypes
import os
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    output: IO[Any] | int | None = None,
) -> "subprocess.Popen[bytes]":
    """Starts ``command`` in its own process group; it gets SIGTERM if this process dies."""
    return subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


def kill(process: "subprocess.Popen[bytes]") -> None:
    """SIGKILL to the whole group: no clean shutdown, as when a machine loses power."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def stop(process: "subprocess.Popen[bytes]", grace: float = 15) -> None:
    """SIGTERM to the whole group, then SIGKILL to whatever of it is still there after ``grace`` seconds."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(grace)
    kill(process)  # the group's other members (a worker's beat) may outlive its leader


@contextmanager
def private_service(script: str, database: str = "", **settings: str) -> Iterator[str]:
    """A private MariaDB (``mariadb.sh``) or Redis (``redis.sh``) on a free port with its own directory,
    started by the repository's script and stopped at the end; yields its URL. ``settings`` are the script's
    other variables without the prefix (``BINLOG="1"`` for ``TONGBAN_MARIADB_BINLOG``)."""
    name = script.removesuffix(".sh").upper()
    workdir = Path(tempfile.mkdtemp(prefix=f"tongban-{script.removesuffix('.sh')}-"))
    env = dict(os.environ)
    env[f"TONGBAN_{name}_PORT"] = str(free_port())
    env[f"TONGBAN_{name}_DIR"] = str(workdir)
    if database:
        env[f"TONGBAN_{name}_DB"] = database
    env.update({f"TONGBAN_{name}_{key}": value for key, value in settings.items()})

    def call(action: str) -> str:
        done = subprocess.run(
            ["bash", f"scripts/{script}", action], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    try:
        yield call("start")
    finally:
        call("stop")
        subprocess.run(["rm", "-rf", str(workdir)], check=False)
