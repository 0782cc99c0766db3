"""Benchmark (issue 11): every window registers the first case of a morning at the same instant.

A private MariaDB (default; or SQLite) with the demo departments, items and staff. Each morning, N windows
(default 20), each with its own HTTP client and the same clerk's token, post a window registration at once
through the whole app (the request is the unit of work that is retried after a deadlock). Repeated for M
mornings (default 50), first with the day's counter made the evening before (the periodic job), then without
it (the upsert path). Prints failures, the retries the database forced, distinct consecutive numbers and the
time per morning.

    .venv/bin/python bench/first_case_of_the_day.py                     (MariaDB, 20 windows, 50 mornings)
    .venv/bin/python bench/first_case_of_the_day.py --db sqlite --mornings 10
"""

import argparse
import logging
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from harness import DATABASES, bench_environment

FIRST_MORNING = datetime(2027, 3, 1, 8, 30)


class RetryCounter(logging.Handler):
    """Counts the whole-transaction retries core/retry.py logs."""

    def __init__(self) -> None:
        super().__init__()
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "重试" in record.getMessage():
            self.retries += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=DATABASES, default="mariadb")
    parser.add_argument("--windows", type=int, default=20)
    parser.add_argument("--mornings", type=int, default=50)
    args = parser.parse_args()
    with bench_environment(args.db, "first-case"):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Seeds, then registers the mornings and prints the figures."""
    from fastapi.testclient import TestClient

    from core import clock
    from core.audit.context import Actor, acting
    from core.db import session_scope
    from core.jobs import prepare_case_numbers
    from core.migrate import upgrade
    from core.org import service as org_service
    from core.org.models import User
    from core.seed import demo
    from tongban.asgi import create_app

    upgrade()
    with session_scope() as db, acting(Actor(id=None, name="bench", kind="system")):
        departments = demo.seed_departments(db)
        items = demo.seed_items(db, departments)
        demo.ensure_roles(db)
        demo.seed_people(db, departments, items, random.Random(7))
        clerk = db.query(User).filter(User.username.like("clerk_%")).order_by(User.username).first()
        assert clerk is not None
        item = next(i for i in items if i.department_id == clerk.department_id)
        token = org_service.issue_token(db=db, user=clerk, name="bench", ttl_hours=0)  # no expiry: the clock moves
        body = {
            "service_item_id": item.id,
            "materials": [{"item_material_id": m.id, "paper": True} for m in item.materials],
        }
    counter = RetryCounter()
    logging.getLogger("tongban").addHandler(counter)
    app = create_app()
    headers = {"Authorization": f"Bearer {token}"}
    clients = [TestClient(app) for _ in range(args.windows)]
    for client in clients:
        client.__enter__()
    print(f"数据库：{args.db}；{args.windows} 个窗口同时登记当天第一件，{args.mornings} 个早晨 × 2 种情形")
    print(f"{'情形':<22}{'早晨':>6}{'登记':>8}{'失败':>6}{'重试':>6}{'编号连续':>8}{'中位 ms':>10}{'最长 ms':>10}")
    serial = 0
    for prepared in (True, False):
        failures, numbers_ok, seconds = 0, 0, []
        retries_before = counter.retries
        for n in range(args.mornings):
            morning = FIRST_MORNING + timedelta(days=n + (0 if prepared else args.mornings + 30))
            if prepared:
                clock.freeze(morning - timedelta(hours=14))
                prepare_case_numbers()
            clock.freeze(morning)
            start = threading.Barrier(args.windows)

            def window(k: int, base: int = serial, start: threading.Barrier = start) -> Any:
                applicant = {
                    "kind": "personal",
                    "name": f"申请人{base + k}",
                    "id_number": demo.random_id_number(random.Random(base + k)),
                    "phone": f"139{(base + k) % 10**8:08d}",
                }
                start.wait(60)
                return clients[k].post("/api/v1/cases/window", json={**body, "applicant": applicant}, headers=headers)

            began = time.perf_counter()
            with ThreadPoolExecutor(args.windows) as pool:
                responses = list(pool.map(window, range(args.windows)))
            seconds.append(time.perf_counter() - began)
            serial += args.windows
            failures += sum(r.status_code != 201 for r in responses)
            for r in responses:
                if r.status_code != 201:
                    print("  失败：", r.status_code, r.text[:200])
            got = sorted(r.json()["case_no"] for r in responses if r.status_code == 201)
            numbers_ok += got == [f"KF{morning:%Y%m%d}{seq:04d}" for seq in range(1, args.windows + 1)]
        label = "计数器已于前一晚生成" if prepared else "当天无计数器（插入）"
        print(
            f"{label:<20}{args.mornings:>6}{args.mornings * args.windows:>8}{failures:>6}"
            f"{counter.retries - retries_before:>6}{numbers_ok:>6}/{args.mornings:<2}"
            f"{statistics.median(seconds) * 1000:>10.0f}{max(seconds) * 1000:>10.0f}"
        )
    for client in clients:
        client.__exit__(None, None, None)


if __name__ == "__main__":
    main()
