"""Benchmark (issue 6, acceptance 2): 5,000 WeCom notifications for 500 staff through a real Redis and real
Celery workers, against the fake WeCom API failing 10% of the calls (HTTP 500 / errcode 45009); the worker is
killed with SIGKILL part-way and a new one started. 50 of the staff get 40 notifications each, beyond WeCom's
30 a minute, so the per-member limit has to queue them.

Prints the time taken, deliveries per second, retries, the repeats WeCom's duplicate check dropped and the
rate violations (a member's 31st message in 60 s, which WeCom would drop silently).

    .venv/bin/python bench/notification_delivery.py               (SQLite; starts the test Redis)
    .venv/bin/python bench/notification_delivery.py --db mariadb  (starts the test MariaDB too)
"""

import argparse
import sys

from harness import DATABASES, bench_environment

from tests.processes import private_service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--busy", type=int, default=50, help="members who get --busy-load notifications each")
    parser.add_argument("--busy-load", type=int, default=40)
    parser.add_argument("--fail-share", type=float, default=0.1)
    args = parser.parse_args()

    with bench_environment(args.db, "notify") as env:  # private servers, stopped at the end
        redis_url = env.services.enter_context(private_service("redis.sh")) + "/3"
        measure(args, redis_url)


def measure(args: argparse.Namespace, redis_url: str) -> None:
    """Runs the reliability run against the given servers (bench/harness.py set them up) and prints its report."""
    from core.migrate import upgrade
    from tests.notifications.reliability import run

    upgrade()
    print(f"database: {args.db}; redis: {redis_url}; workers: celery -A tongban.celery worker -B -P threads -c 8")
    report = run(
        redis_url=redis_url,
        count=args.count,
        members=args.members,
        busy=args.busy,
        busy_load=args.busy_load,
        fail_share=args.fail_share,
        timeout=1200,
    )
    print("\n".join(report.lines()))
    if not report.exactly_once or report.violations:
        sys.exit(1)


if __name__ == "__main__":
    main()
