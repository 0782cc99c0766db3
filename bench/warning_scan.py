"""Benchmark (issue 14, acceptance 5): the periodic deadline work over 100,000 open project nodes and 100,000 open
cases on MariaDB — the case time-state refresh (正常/预警/逾期) and the warning scan (raise, end, escalate, announce)
— both jobs of the job list, timed apart and in total, twice: the first run raises the warnings, the second must
create nothing.

A private MariaDB (bench/harness.py) with the demo departments, items and staff;
1,000 active major projects of 100 nodes each, and 100,000 open cases, written with multi-row INSERTs. The clock
stands on Monday 12 October 2026, just after the National Day week. Node due dates are spread over the 60 days
before and the 120 after; cases were accepted over the 30 days before, with promised limits of 5–20 working days,
and 3 % of them are paused (补正, 特别程序) — so about a third of everything is late, the worst first run a centre
could have.

    .venv/bin/python bench/warning_scan.py                       (MariaDB, 100,000 + 100,000)
    .venv/bin/python bench/warning_scan.py --nodes 20000 --cases 20000
"""

import argparse
import random
from datetime import date, datetime, timedelta
from typing import Any

from harness import DATABASES, bench_environment, demo_applicant, timed

TODAY = datetime(2026, 10, 12, 9, 0)
BATCH = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=DATABASES, default="mariadb")
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with bench_environment(args.db, "warnings"):
        run(args)


def insert(table: Any, rows: list[dict[str, Any]]) -> None:
    """Multi-row INSERTs outside the audit (building the bench's data is not a business write)."""
    from sqlalchemy import insert as sql_insert

    from core.db import get_engine

    with get_engine().begin() as conn:
        conn.execution_options(tongban_audit=False)
        for start in range(0, len(rows), BATCH):
            conn.execute(sql_insert(table), rows[start : start + BATCH])


def seed(nodes: int, cases: int) -> None:
    """Departments, items and staff of the demo; projects with their nodes; open cases."""
    from core.audit.context import Actor, acting
    from core.calendar.service import add_working_days
    from core.cases.models import Case, Supplement, Suspension
    from core.db import session_scope
    from core.major_projects.models import MajorProject, ProjectNode
    from core.seed import demo

    rng = random.Random(14)
    with session_scope() as db, acting(Actor(id=None, name="bench", kind="system")):
        departments = list(demo.seed_departments(db).values())
        items = demo.seed_items(db, {d.code: d for d in departments})
        demo.ensure_roles(db)
        demo.seed_people(db, {d.code: d for d in departments}, items, random.Random(7))
        applicant_id = demo_applicant(db)
        item_rows = [(i.id, i.department_id) for i in items]
    department_ids = sorted({d for _, d in item_rows})
    now = TODAY
    projects = [
        {
            "code": f"ZD2026-{n:04d}",
            "name": f"重大产业项目{n:04d}",
            "category": "industry",
            "stage": "approval",
            "status": "active",
            "lead_department_id": department_ids[n % len(department_ids)],
            "project_code": "",
            "enterprise_name": "",
            "credit_code": "",
            "location": "",
            "investment": 10000,
            "description": "",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(max(nodes // 100, 1))
    ]
    insert(MajorProject.__table__, projects)
    from sqlalchemy import select

    with session_scope() as db:
        project_ids = list(db.scalars(select(MajorProject.id).order_by(MajorProject.id)))
    insert(
        ProjectNode.__table__,
        [
            {
                "major_project_id": project_ids[n // 100 % len(project_ids)],
                "approval_code": f"N{n}",
                "name": f"审批事项{n % 100:02d}",
                "stage": "",
                "stage_name": "",
                "department_id": department_ids[rng.randrange(len(department_ids))],
                "position": n % 100,
                "depends_on": [],
                "time_limit_days": 20,
                "planned_finish": TODAY.date() + timedelta(days=rng.randint(-60, 120)),
                "state": "in_progress" if rng.random() < 0.4 else "pending",
                "note": "",
                "updated_at": now,
            }
            for n in range(nodes)
        ],
    )
    case_rows, pauses = [], []
    limits_cache: dict[tuple[date, int], date] = {}
    for n in range(cases):
        item_id, department_id = item_rows[rng.randrange(len(item_rows))]
        accepted = datetime.combine(TODAY.date() - timedelta(days=rng.randint(0, 30)), datetime.min.time()).replace(
            hour=10
        )
        limit = rng.randint(5, 20)
        key = (accepted.date(), limit)
        if key not in limits_cache:
            limits_cache[key] = add_working_days(accepted.date(), limit)
        roll = rng.random()
        status = "supplementing" if roll < 0.02 else "suspended" if roll < 0.03 else "processing"
        case_rows.append(
            {
                "case_no": f"KF{n:012d}",
                "service_item_id": item_id,
                "department_id": department_id,
                "applicant_id": applicant_id,
                "project_name": "",
                "case_type": 2,
                "submit_channel": 1,
                "status": status,
                "current_step": "review",
                "joint_stage": 0,
                "promised_limit": limit,
                "limit_unit": "工作日",
                "submitted_at": accepted,
                "accepted_at": accepted,
                "due_at": datetime.combine(limits_cache[key], datetime.max.time()).replace(microsecond=0),
                "time_state": "正常",
                "conclusion_reason": "",
                "version": 1,
                "created_at": accepted,
                "updated_at": accepted,
            }
        )
        if status != "processing":
            pauses.append((n, status, accepted + timedelta(days=rng.randint(1, 5))))
    insert(Case.__table__, case_rows)
    with session_scope() as db:
        ids = dict(db.execute(select(Case.case_no, Case.id)).all())
    supplements = [
        {
            "case_id": ids[f"KF{n:012d}"],
            "reason": "材料需补正",
            "materials": ["申请表"],
            "notified_at": at,
            "resupply_note": "",
            "resume_status": "processing",
        }
        for n, status, at in pauses
        if status == "supplementing"
    ]
    suspensions = [
        {"case_id": ids[f"KF{n:012d}"], "kind": "专家评审", "reason": "需组织专家论证", "started_at": at, "result": ""}
        for n, status, at in pauses
        if status == "suspended"
    ]
    insert(Supplement.__table__, supplements)
    insert(Suspension.__table__, suspensions)


def run(args: argparse.Namespace) -> None:
    """Seeds, then runs both jobs twice and prints the figures."""
    from sqlalchemy import func, select

    from core import clock
    from core.cases.scheduled import refresh_open_cases
    from core.db import get_sessionmaker, session_scope
    from core.early_warnings import scheduled
    from core.early_warnings.models import EarlyWarning
    from core.events.models import DomainEvent
    from core.migrate import upgrade

    upgrade()
    _, seconds = timed(lambda: seed(args.nodes, args.cases))
    print(
        f"数据库：{args.db}；准备数据 {args.nodes} 个未完成审批节点、{args.cases} 件在办办件：{seconds:.1f} 秒",
        flush=True,
    )
    clock.freeze(TODAY)

    def refresh() -> int:
        with get_sessionmaker()() as db:
            return refresh_open_cases(db, TODAY)

    print(
        f"{'轮次':<6}{'时限刷新 秒':>12}{'状态变化':>10}{'预警扫描 秒':>12}{'新增预警':>10}{'解除':>8}{'升级':>8}{'推送事件':>10}{'合计 秒':>10}"
    )
    for round_no in (1, 2):
        changed, refresh_seconds = timed(refresh)
        done, scan_seconds = timed(lambda: scheduled.scan(TODAY))
        print(
            f"第{round_no}次  {refresh_seconds:>12.2f}{changed:>10}{scan_seconds:>12.2f}{done.raised:>10}{done.ended:>8}"
            f"{done.escalated:>8}{done.announced:>10}{refresh_seconds + scan_seconds:>10.2f}",
            flush=True,
        )
    with session_scope() as db:
        by_level = dict(db.execute(select(EarlyWarning.level, func.count()).group_by(EarlyWarning.level)).all())
        events = db.scalar(select(func.count()).select_from(DomainEvent)) or 0
    print(f"预警合计：红色 {by_level.get('red', 0)} 条，黄色 {by_level.get('yellow', 0)} 条；业务事件 {events} 条")


if __name__ == "__main__":
    main()
