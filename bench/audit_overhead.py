"""Benchmark (issue 12): what the statement-level audit and the audit hash chain cost in write throughput.

Window registrations (办件登记: a case, its applicant, materials, first step, the day's case number — about a dozen
writes and their audit records) posted through the whole app in-process, one after another, with the new audit
layer on and off (``core.audit.records.enable_layer``; off = the ORM hook writing its rows through the session as
before, no statement records, no chain). Short rounds alternate on/off so that a loaded machine's drift hits both
alike; prints each round, the medians, the totals and the ratio. The limit is 15 %.

    .venv/bin/python bench/audit_overhead.py                       (SQLite in a temporary directory)
    .venv/bin/python bench/audit_overhead.py --cases 50 --rounds 10
    TONGBAN_TEST_DATABASE_URL=mysql+mysqldb://… .venv/bin/python bench/audit_overhead.py   (an empty MariaDB)
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# the test set-up's isolated settings: a temporary SQLite (or TONGBAN_TEST_DATABASE_URL), a test secret
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from core import clock  # noqa: E402
from core.audit import records  # noqa: E402
from core.db import get_engine, get_sessionmaker  # noqa: E402
from core.items import service as item_service  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.org import service as org_service  # noqa: E402
from core.org.models import Department  # noqa: E402
from core.seed.demo import DEMO_PASSWORD, ensure_roles  # noqa: E402
from tests import conftest  # noqa: E402
from tests.helpers import valid_id_number  # noqa: E402


def world() -> tuple[str, int, list[int]]:
    """A department, a clerk with a token, an item; returns the token, the item and its material ids."""
    with get_sessionmaker()() as db:
        ensure_roles(db)
        department = Department(code="DA", name="城市管理局", short_name="城管")
        db.add(department)
        db.flush()
        clerk = org_service.create_user(
            db=db,
            username="clerk",
            name="张窗口",
            password=DEMO_PASSWORD,
            role_codes=["clerk"],
            department_id=department.id,
        )
        item = item_service.save(db, None, conftest.item_in(department, name="占用、挖掘城市道路审批"))
        token = org_service.issue_token(db=db, user=clerk, name="bench")
        materials = [m.id for m in item.materials]
        db.commit()
        return token, item.id, materials


def round_of(client: TestClient, token: str, item_id: int, materials: list[int], cases: int, start: int) -> float:
    """Registers ``cases`` cases; returns cases per second."""
    began = time.perf_counter()
    for n in range(cases):
        body = {
            "service_item_id": item_id,
            "applicant": {
                "kind": "personal",
                "name": "孙市民",
                "id_number": valid_id_number(start + n),
                "phone": "13800000001",
            },
            "materials": [{"item_material_id": m, "paper": True} for m in materials],
        }
        answer = client.post("/api/v1/cases/window", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 201, answer.text
    return cases / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="registrations per round")
    parser.add_argument("--rounds", type=int, default=15, help="rounds with the layer on, and as many off")
    args = parser.parse_args()
    upgrade()
    token, item_id, materials = world()
    from tongban.asgi import create_app

    clock.freeze(None)
    client = TestClient(create_app())
    round_of(client, token, item_id, materials, 10, 0)  # warm-up
    figures: dict[bool, list[float]] = {True: [], False: []}
    serial = 10
    for n in range(args.rounds * 2):
        enabled = n % 2 == 0
        records.enable_layer(enabled)
        if enabled:
            # the "off" rounds wrote unchained rows: the chain starts again after them (this database is the bench's)
            with get_engine().begin() as conn:
                conn.execution_options(tongban_audit=False)
                conn.execute(text("DELETE FROM audit_chain"))
        rate = round_of(client, token, item_id, materials, args.cases, serial)
        serial += args.cases
        figures[enabled].append(rate)
        print(f"第 {n + 1} 轮（审计语句层与哈希链{'开' if enabled else '关'}）：{rate:.1f} 件/秒", flush=True)
    records.enable_layer(True)
    on, off = statistics.median(figures[True]), statistics.median(figures[False])
    total_on = len(figures[True]) * args.cases / sum(args.cases / r for r in figures[True])
    total_off = len(figures[False]) * args.cases / sum(args.cases / r for r in figures[False])
    print(f"合计：开 {total_on:.1f} 件/秒，关 {total_off:.1f} 件/秒；开/关 = {total_on / total_off:.3f}")
    print(
        f"中位数：开 {on:.1f} 件/秒，关 {off:.1f} 件/秒；开/关 = {on / off:.3f}（开销 {(1 - on / off) * 100:.1f}%，上限 15%）"
    )


if __name__ == "__main__":
    main()
