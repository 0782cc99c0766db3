"""Benchmark (issue 19): data exchange with the city and provincial platforms, against the fake platforms of
tests/fakes/exchange_platform.py on 127.0.0.1 (signed requests checked, standard fields checked, 10% of posts failing —
half of them after filing with the answer lost —, slow answers, double acknowledgements, queued records acknowledged
later).

Prints:
- the nightly batch: seconds to stage every record of ``--cases`` cases (100,000 by default) for every connected
  counterpart (市政务服务平台: case, step, result; 投资建设, 一书三证, 户外广告: their kinds; 智慧城市, 城市大脑: the
  monthly feeds), and the records it staged;
- out: records per second delivered and confirmed (two drains side by side, the platform awkward) over
  ``--out-records`` records, with missing and duplicate records counted on the platform's side;
- in: records per second received, checked field by field and used (city approvals filling a major project's node,
  10% of them malformed and quarantined).

    .venv/bin/python bench/exchange.py                 (SQLite)
    .venv/bin/python bench/exchange.py --db mariadb    (starts the test MariaDB)
"""

import argparse
import json
from datetime import datetime, timedelta

from harness import DATABASES, bench_environment, timed

from tests.fakes.exchange_platform import APP_ID, SECRET, FakeExchange


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--out-records", type=int, default=20_000)
    parser.add_argument("--in-records", type=int, default=5_000)
    args = parser.parse_args()
    fake = FakeExchange(fail_share=0.10, slow_share=0.02, double_ack_share=0.10, queued_share=0.10).start()
    counterparts = {
        code: {"base_url": fake.url(code), "app_id": APP_ID, "secret": SECRET, "timeout_seconds": 10, "batch_size": 200}
        for code in ("gov_service", "investment", "four_certs", "smart_city", "city_brain", "outdoor_ads")
    }
    settings = {
        "TONGBAN_EXCHANGE_COUNTERPARTS": json.dumps(counterparts),
        "TONGBAN_EXCHANGE_RETRY_BASE_SECONDS": "1",
        "TONGBAN_EXCHANGE_MAX_ATTEMPTS": "50",
    }
    try:
        with bench_environment(args.db, "exchange", **settings):
            measure(args, fake)
    finally:
        fake.close()


def world() -> int:
    """A department, an item and a major project with one node; returns the item's id."""
    from decimal import Decimal

    from core.db import session_scope
    from core.items import service as item_service
    from core.items.schemas import ItemIn, MaterialSpec
    from core.major_projects.models import MajorProject, ProjectNode
    from core.org.models import Department
    from core.seed.demo import ensure_roles

    with session_scope() as db:
        ensure_roles(db)
        department = Department(code="DA", name="城市管理局", short_name="城管")
        db.add(department)
        db.flush()
        item = item_service.save(
            db,
            None,
            ItemIn(
                code="BENCH-DA-1",
                name="建筑工程施工许可证核发",
                item_type="行政许可",
                category="投资建设",
                department_id=department.id,
                legal_basis="《建筑工程施工许可管理办法》",
                scope="开发区内的建筑工程",
                conditions="已取得规划许可",
                process_steps=[{"name": "受理", "description": "窗口受理"}],
                location="便民服务中心",
                office_hours="工作日",
                consult_phone="0512-57860001",
                complaint_phone="0512-57860002",
                statutory_limit=15,
                promised_limit=5,
                case_type=2,
                fee="不收费",
                result_name="建筑工程施工许可证",
                delivery_method="窗口领取",
                issues_licence=True,
                materials=[MaterialSpec(name="申请表")],
            ),
        )
        project = MajorProject(
            code="ZD2026-001",
            name="基准测试项目",
            category="industry",
            stage="approval",
            status="active",
            project_code="2026-511602-47-01-000123",
            investment=Decimal(10000),
            lead_department_id=department.id,
        )
        db.add(project)
        db.flush()
        db.add(
            ProjectNode(
                major_project_id=project.id,
                approval_code="SGXK",
                name="施工许可",
                department_id=department.id,
                depends_on=[],
                state="pending",
            )
        )
        return item.id


def measure(args: argparse.Namespace, fake: FakeExchange) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from channels.exchange import pull, worker
    from core import clock
    from core.db import get_sessionmaker, session_scope
    from core.exchange.models import ExchangeRecord
    from core.exchange.scheduled import nightly
    from core.items.models import ServiceItem
    from core.migrate import upgrade
    from tests.exchange.bulk import make_cases

    upgrade()
    # What the nightly batch stages is handed to the delivery threads when it commits (real time); here delivery is
    # measured on its own, after the batch, so the hand-over is left out.
    from channels.exchange import tasks

    tasks.enqueue = lambda _counterparts: None
    item_id = world()
    print(f"database: {args.db}; fake platforms at {fake.base_url}")
    with get_sessionmaker()() as db:
        item = db.get(ServiceItem, item_id)
        assert item is not None
        (_, made) = timed(lambda: [make_cases(db, item, 10_000) for _ in range(args.cases // 10_000)])
        rest = args.cases % 10_000
        if rest:
            make_cases(db, item, rest)
    print(f"cases made (not timed work of the exchange): {args.cases:,} in {made:.1f} s")

    clock.freeze(datetime(2026, 9, 22, 2, 0))
    report, seconds = timed(lambda: nightly(force=True))
    staged = sum(report.staged.values())
    print(
        f"nightly batch: {args.cases:,} cases → {staged:,} records staged in {seconds:.1f} s ({staged / seconds:,.0f} records/s)"
    )
    for code, count in sorted(report.staged.items()):
        print(f"  {code}: {count:,}")

    def deliver() -> int:
        confirmed = 0
        while confirmed < args.out_records:
            with ThreadPoolExecutor(2) as pool:
                done = list(pool.map(lambda _: worker.drain("gov_service", max_batches=20), range(2)))
            step = sum(d.confirmed + d.sent for d in done)
            if not step and not any(d.retrying for d in done):
                break
            confirmed += step
            if not step:
                clock.freeze(clock.now() + timedelta(minutes=31))
        return confirmed

    delivered, seconds = timed(deliver)
    print(
        f"out: {delivered:,} records delivered in {seconds:.1f} s ({delivered / seconds:,.0f} records/s; platform failing 10%)"
    )
    with session_scope() as db:
        confirmed_ids = set(
            db.scalars(
                select(ExchangeRecord.local_id).where(
                    ExchangeRecord.counterpart == "gov_service",
                    ExchangeRecord.kind == "case",
                    ExchangeRecord.status.in_(["confirmed", "sent"]),
                )
            )
        )
    held = fake.ids("gov_service", "case")
    print(
        f"  platform side: missing {len(confirmed_ids - held)}, duplicates {len(fake.duplicates())}, refused {len(fake.refusals)}"
    )

    for n in range(args.in_records):
        bad = n % 10 == 0
        fake.plant(
            "investment",
            "approval",
            f"CITY-{n}",
            {
                "XMDM": "2026-5116-47" if bad else "2026-511602-47-01-000123",
                "XMMC": "基准测试项目",
                "SPSXBM": "SGXK",
                "SPSXMC": "施工许可",
                "SPBM": "市住建局",
                "SLSJ": "2026-09-10 09:30:00",
            },
        )
    pulled, seconds = timed(lambda: pull.pull("investment"))
    total = pulled.used + pulled.quarantined
    print(
        f"in: {total:,} records received in {seconds:.1f} s ({total / seconds:,.0f} records/s); "
        f"used {pulled.used:,}, quarantined {pulled.quarantined:,}"
    )
    with session_scope() as db:
        print(f"exchange log: {db.scalar(select(func.count()).select_from(ExchangeRecord)):,} rows")


if __name__ == "__main__":
    main()
