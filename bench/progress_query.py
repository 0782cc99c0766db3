"""Benchmark: the public progress query (case number + query password) over HTTP, beside /healthz.

Fills a database with N cases (default 10,000), starts the real app with uvicorn on 127.0.0.1, and
drives both endpoints with C concurrent clients; prints median, p95 and requests/second for each and the
ratio, which is our overhead over a trivial endpoint of the same app.

    .venv/bin/python bench/progress_query.py --db sqlite
    .venv/bin/python bench/progress_query.py --db mariadb     (starts the test MariaDB via scripts/mariadb.sh)
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

import httpx
from harness import DATABASES, bench_environment

from tests.processes import spawn, stop

PORT = 8765


def fill(cases: int) -> list[tuple[str, str]]:
    """Seeds departments and items, then bulk-inserts cases with steps; returns (case_no, query_code) pairs."""
    from sqlalchemy import insert, select

    from core.audit.context import Actor, acting
    from core.cases.models import Applicant, Case, CaseStep
    from core.db import session_scope
    from core.items.models import ServiceItem
    from core.migrate import upgrade
    from core.security import encrypt, keyed_hash
    from core.seed import demo

    upgrade()
    rng = random.Random(7)
    with session_scope() as db, acting(Actor(id=None, name="bench", kind="system")):
        demo.seed_all(db, cases=0)
        items = list(db.scalars(select(ServiceItem)))
        applicant_rows = [
            {
                "kind": "personal",
                "name": f"申请人{i}",
                "id_number": encrypt(demo.random_id_number(rng)),
                "id_index": keyed_hash(f"bench{i}"),
                "phone": encrypt("13800000000"),
                "address": "",
                "legal_representative": "",
                "contact_name": "",
                "created_at": datetime.now(),
                "updated_at": datetime.now(),
            }
            for i in range(1000)
        ]
        db.execute(insert(Applicant), applicant_rows)
        applicant_ids = list(db.scalars(select(Applicant.id)))
        code_hash = keyed_hash("123456")
        pairs: list[tuple[str, str]] = []
        start = datetime(2025, 12, 1, 9)
        for batch in range(0, cases, 1000):
            case_rows, numbers = [], []
            for n in range(batch, min(batch + 1000, cases)):
                item = rng.choice(items)
                at = start + timedelta(minutes=50 * n)
                case_no = f"KF{at:%Y%m%d}{n % 10000:04d}B{n // 10000}"[:20]
                numbers.append(case_no)
                case_rows.append(
                    {
                        "case_no": case_no,
                        "query_code_hash": code_hash,
                        "service_item_id": item.id,
                        "department_id": item.department_id,
                        "applicant_id": rng.choice(applicant_ids),
                        "project_name": "",
                        "case_type": item.case_type,
                        "submit_channel": 0,
                        "status": "processing",
                        "current_step": "decide",
                        "joint_stage": 0,
                        "promised_limit": item.promised_limit,
                        "limit_unit": item.promised_unit,
                        "submitted_at": at,
                        "accepted_at": at + timedelta(hours=1),
                        "conclusion_reason": "",
                        "version": 1,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
            db.execute(insert(Case), case_rows)
            ids = {row[0]: row[1] for row in db.execute(select(Case.case_no, Case.id).where(Case.case_no.in_(numbers)))}
            step_rows = [
                {
                    "case_id": ids[no],
                    "step": step,
                    "action": action,
                    "result_code": code,
                    "opinion": opinion,
                    "opinion_public": True,
                    "handler_name": "张三",
                    "department_name": "城市管理局",
                    "created_at": start,
                }
                for no in numbers
                for step, action, code, opinion in (
                    ("accept", "register", None, ""),
                    ("accept", "accept", 4, "材料齐全，予以受理"),
                    ("review", "review", 1, "符合条件"),
                )
            ]
            db.execute(insert(CaseStep), step_rows)
            pairs += [(no, "123456") for no in numbers]
            print(f"[bench] 办件 {len(pairs)}/{cases}", flush=True)
    return pairs


async def drive(path: str, bodies: list[dict[str, str]] | None, requests: int, concurrency: int) -> dict[str, float]:
    """Sends ``requests`` requests with ``concurrency`` clients; returns latency figures in ms and rps."""
    latencies: list[float] = []
    queue = list(range(requests))
    errors = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while queue:
            n = queue.pop()
            began = time.perf_counter()
            if bodies is None:
                response = await client.get(path)
            else:
                response = await client.post(path, json=bodies[n % len(bodies)])
            latencies.append((time.perf_counter() - began) * 1000)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", limits=limits, timeout=30) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "median": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "rps": requests / elapsed,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()

    rates = {"TONGBAN_PROGRESS_QUERY_RATE": "1000000/minute", "TONGBAN_PROGRESS_CASE_RATE": "1000000/hour"}
    with bench_environment(args.db, "progress", **rates):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Fills the database, serves it, drives both endpoints and prints the figures."""
    pairs = fill(args.cases)
    command = [sys.executable, "-m", "uvicorn", "tongban.asgi:create_app", "--factory", "--host", "127.0.0.1"]
    server = spawn(
        [*command, "--no-server-header", "--port", str(PORT), "--log-level", "warning"], env=dict(os.environ)
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{PORT}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        rng = random.Random(1)
        bodies = [{"case_no": no, "query_code": code} for no, code in rng.sample(pairs, min(len(pairs), args.requests))]
        asyncio.run(drive("/healthz", None, 200, args.concurrency))  # warm-up
        asyncio.run(drive("/api/v1/progress", bodies[:200], 200, args.concurrency))
        trivial = asyncio.run(drive("/healthz", None, args.requests, args.concurrency))
        progress = asyncio.run(drive("/api/v1/progress", bodies, args.requests, args.concurrency))
    finally:
        stop(server)
    print(
        f"\n进度查询基准（{args.db}，{args.cases} 件办件，{args.requests} 次请求，"
        f"并发 {args.concurrency}，单个 uvicorn 进程）"
    )
    print(f"{'endpoint':<22}{'median ms':>11}{'p95 ms':>10}{'req/s':>10}{'errors':>8}")
    for name, figures in (("GET /healthz", trivial), ("POST /api/v1/progress", progress)):
        print(
            f"{name:<22}{figures['median']:>11.1f}{figures['p95']:>10.1f}{figures['rps']:>10.0f}{figures['errors']:>8.0f}"
        )
    print(
        f"ratio progress/healthz: median ×{progress['median'] / trivial['median']:.1f}, "
        f"throughput {progress['rps'] / trivial['rps']:.0%}"
    )


if __name__ == "__main__":
    main()
