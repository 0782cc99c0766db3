"""What the benchmarks set up alike: the repository on the import path, a throw-away data directory, a fresh
database of the chosen kind (SQLite in that directory, or a private MariaDB started by scripts/mariadb.sh on a free
port and stopped at the end) and the app's settings pointing at them. Import it before anything of the app:

    from harness import bench_environment, timed   (bench/ is a script's own folder, so it is on the path)

    with bench_environment("mariadb", "warnings") as env:
        ...   # env.workdir, env.database_url; env.services takes further servers (a private Redis)

The settings are a benchmark's, not the developer's: a fixed secret key, no embedded scheduler (its start-up scan
would compete with the measurement) and cheap password hashing (benchmarks create staff by the dozen, and none of
them times a login). A benchmark adds settings of its own as keyword arguments.
"""

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.processes import private_service  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DATABASES = ("sqlite", "mariadb")
"""The choices of a benchmark's ``--db``."""

BENCH_SETTINGS = {
    "TONGBAN_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
    "TONGBAN_SCHEDULER_ENABLED": "false",
    "TONGBAN_ARGON2_TIME_COST": "1",
    "TONGBAN_ARGON2_MEMORY_COST_KIB": "8",
    "TONGBAN_ARGON2_PARALLELISM": "1",
}
T = TypeVar("T")


@dataclass(frozen=True)
class BenchEnvironment:
    """Where a benchmark's data lives; ``services`` stops what is entered into it when the benchmark ends."""

    workdir: Path
    database_url: str
    services: ExitStack


@contextmanager
def bench_environment(database: str, name: str, **settings: str) -> Iterator[BenchEnvironment]:
    """A fresh ``database`` ("sqlite" or "mariadb") and data directory, set in this process's environment (and so
    in the servers and workers it starts); everything is stopped and removed at the end, however it ends."""
    if database not in DATABASES:
        raise ValueError(f"unknown database {database!r}: one of {', '.join(DATABASES)}")
    with ExitStack() as services:
        workdir = Path(tempfile.mkdtemp(prefix=f"tongban-bench-{name}-"))
        services.callback(shutil.rmtree, workdir, ignore_errors=True)
        if database == "sqlite":
            url = f"sqlite:///{workdir}/bench.db"
        else:
            url = services.enter_context(private_service("mariadb.sh", database="tongban_bench"))
        os.environ.pop("TONGBAN_REDIS_URL", None)  # a developer's Redis is not the benchmark's
        os.environ.update(BENCH_SETTINGS, TONGBAN_DATABASE_URL=url, TONGBAN_DATA_DIR=str(workdir), **settings)
        yield BenchEnvironment(workdir, url, services)


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """What ``work`` returns and the seconds it took (wall time)."""
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


DEMO_ENTERPRISE = "91350100M000100Y43"
"""The credit code of the one applicant a benchmark files its cases for (a valid code, of nobody real)."""


def demo_applicant(db: "Session") -> int:
    """The enterprise applicant a benchmark's cases are filed for (their applicant is not what they measure), added
    in ``db``; returns its id. Imports the app itself, so it is called inside :func:`bench_environment`."""
    from core.cases.models import Applicant
    from core.security import keyed_hash

    applicant = Applicant(
        kind="enterprise",
        name="某某新能源科技有限公司",
        id_number=DEMO_ENTERPRISE,
        id_index=keyed_hash(DEMO_ENTERPRISE),
        phone="0512-57861234",
    )
    db.add(applicant)
    db.flush()
    return applicant.id
