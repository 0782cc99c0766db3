"""Soak: the people's mix of bench/load.py held for a long time against the cluster (scripts/cluster.sh), checking
that nothing fails, that no process grows, and that the notification outbox drains.

    bash scripts/cluster.sh run .venv/bin/python bench/soak.py --codes codes.csv --people 3000 --minutes 30

Run it through ``cluster.sh run`` so that it reads the cluster's database (the outbox) with the apps' settings.
It prepares the requests (bench/load_plan.py), warms up for ``--warmup`` minutes at the same number of people,
reads the resident memory of every process the cluster started (``run/*.pid`` under TONGBAN_CLUSTER_DIR, each
with its children: nginx's workers, Celery's pool), then runs wrk for ``--minutes`` in one piece, printing every
process's memory each ``--every`` minutes meanwhile; at the end: errors (must be 0), latency, each process's
growth since the warm-up (must stay under 10 %), and the outbox depth once the load stops (must reach 0 within
``--drain`` seconds: the workers send what the last requests queued). The exit status says whether all held.

A MariaDB server is judged by the memory it has allocated (its ``Memory_used`` status), printed beside its resident
memory. It reserves its buffer pool and caches at start and its resident memory then rises for as long as the
load first touches their pages (the 128 MiB buffer pool of a 600 MB database fills over most of an hour): a soak
of 30 minutes after a 3-minute warm-up saw the replica's resident memory rise 50 %, to what it had allocated,
while that stayed within 2 % of what it held at start. A leak shows in ``Memory_used``.
"""

import argparse
import csv
import os
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

from load import MIX, ensure_wrk, run_wrk, write_script
from load_plan import prepare
from procs import cpu, memory

ROOT = Path(__file__).resolve().parents[1]


def outbox_depth() -> int:
    """Notifications still waiting to be sent (the cluster's database, via the app's settings)."""
    from core.db import get_sessionmaker
    from notifications.backlog import backlog

    with get_sessionmaker()() as db:
        return int(backlog(db).depth)


def server_memory() -> dict[str, float]:
    """MiB each MariaDB server of the cluster has allocated (``Memory_used``: its buffer pool, caches and
    sessions), read through the apps' own engines."""
    from sqlalchemy import text

    from core.db import get_engine, get_replica_engine

    found = {}
    for part, engine in {"primary": get_engine(), "replica": get_replica_engine()}.items():
        if engine is not None and engine.dialect.name == "mysql":
            with engine.connect() as conn:
                found[part] = int(conn.execute(text("SHOW GLOBAL STATUS LIKE 'Memory_used'")).one()[1]) / 2**20
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default=os.environ.get("TONGBAN_BASE_URL", "http://127.0.0.1:18800"))
    parser.add_argument("--codes", type=Path, required=True, help="bench/seed_cases.py --codes 写出的 CSV")
    parser.add_argument("--cluster-dir", type=Path, default=Path(os.environ.get("TONGBAN_CLUSTER_DIR", "var/cluster")))
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3, help="预热分钟数（之后记下内存基线）")
    parser.add_argument("--every", type=float, default=5, help="每隔几分钟打印一次各进程内存")
    parser.add_argument("--think", type=float, default=10.0)
    parser.add_argument("--drain", type=int, default=180, help="负载停止后等待发件箱清空的秒数")
    args = parser.parse_args()

    ensure_wrk()
    run_dir = args.cluster_dir / "run"
    codes = [(row[0], row[1]) for row in csv.reader(args.codes.open())]
    workdir = Path(tempfile.mkdtemp(prefix="tongban-soak-"))
    try:
        plan = prepare(args.base_url, codes, random.Random(23))
        for note in plan.notes:
            print(f"[soak] {note}", flush=True)
        script = workdir / "people.lua"
        write_script(plan, script, MIX, int(args.think * 1000), 29)
        began = time.monotonic()
        warm = run_wrk(args.base_url, script, args.people, int(args.warmup * 60), 2)
        baseline, held_before = memory(run_dir), server_memory()
        print(
            f"[soak] 预热 {args.warmup:g} 分钟：{args.people} 人，{warm.rps:.1f} req/s，p95 {warm.p95:.0f} ms，"
            f"错误 {warm.errors}；负载 {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        print("[soak] 内存基线（MiB）：" + "，".join(f"{k} {v:.0f}" for k, v in baseline.items()), flush=True)

        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(args.every * 60):
                now = memory(run_dir)
                minute = (time.monotonic() - began) / 60
                print(
                    f"[soak] 第 {minute:.0f} 分钟，负载 {os.getloadavg()[0]:.1f}，内存（MiB）："
                    + "，".join(f"{k} {v:.0f}" for k, v in now.items()),
                    flush=True,
                )

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu_before = cpu(run_dir)
        result = run_wrk(args.base_url, script, args.people, int(args.minutes * 60), 2, warm.actions_used)
        stop.set()
        cpu_after = cpu(run_dir)
        final, held_after = memory(run_dir), server_memory()
        load = os.getloadavg()
        print(
            f"\n[soak] {args.minutes:g} 分钟 × {args.people} 人：{result.requests} 个请求，{result.rps:.1f} req/s，"
            f"p50 {result.p50:.0f} ms，p95 {result.p95:.0f} ms，p99 {result.p99:.0f} ms，错误 {result.errors}"
            + (f"（{result.detail}）" if result.detail else "")
            + f"；负载 {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
            flush=True,
        )
        print(f"\n{'process':<10}{'warm MiB':>10}{'end MiB':>10}{'growth':>9}{'CPU ms/req':>12}   MariaDB Memory_used")
        grown = []
        for name, before in baseline.items():
            after = final.get(name, 0.0)
            growth = (after - before) / before * 100 if before else 0.0
            spent = (cpu_after.get(name, 0.0) - cpu_before.get(name, 0.0)) * 1000 / max(result.requests, 1)
            line = f"{name:<10}{before:>10.0f}{after:>10.0f}{growth:>8.1f}%{spent:>12.2f}"
            judged = growth  # a MariaDB server by what it allocated (module docstring)
            if name in held_before and name in held_after:
                judged = (held_after[name] - held_before[name]) / held_before[name] * 100
                line += f"   {held_before[name]:.0f} → {held_after[name]:.0f} MiB, {judged:+.1f}%"
            if judged >= 10:
                grown.append(name)
            print(line)
        depth, waited = outbox_depth(), 0
        while depth and waited < args.drain:
            time.sleep(5)
            waited += 5
            depth = outbox_depth()
        print(f"\n[soak] 发件箱：负载停止后 {waited} 秒，待发 {depth} 条")
        held = result.errors == 0 and not grown and depth == 0
        print(
            "[soak] "
            + ("通过" if held else "未通过")
            + f"：错误 {result.errors}，内存增长 ≥ 10% 的进程 {grown or '无'}，发件箱 {depth}"
        )
        raise SystemExit(0 if held else 1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
