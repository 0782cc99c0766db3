"""Benchmark: the major project register at scale — a page of the list, the statistics and the Excel export over
every project, the project page's data, and planning a long flow in working days.

Fills a fresh database with P projects (default 1,000) of N nodes each (default 15, half of them done) and two
milestones, then prints the median of R runs (default 5) of each, in milliseconds.

    .venv/bin/python bench/major_projects.py --db sqlite
    .venv/bin/python bench/major_projects.py --db mariadb     (starts a private MariaDB via scripts/mariadb.sh)
"""

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from harness import DATABASES, bench_environment


def fill(projects: int, nodes: int) -> None:
    """Departments and roles from the demo seed, a tracker, then bulk-inserted projects, nodes and milestones."""
    from sqlalchemy import insert

    from core.audit.context import Actor, acting
    from core.db import session_scope
    from core.major_projects.models import MajorProject, Milestone, ProjectNode
    from core.migrate import upgrade
    from core.org import service as org_service
    from core.seed import demo

    upgrade()
    with session_scope() as db, acting(Actor(id=None, name="基准测试", kind="system")):
        demo.ensure_roles(db)
        departments = list(demo.seed_departments(db).values())
        org_service.create_user(
            db=db, username="tracker", name="钱专员", password=demo.DEMO_PASSWORD, role_codes=["tracker"]
        )
        db.flush()
        start = date(2026, 3, 2)
        rows = [
            {
                "code": f"ZD2026-{n:05d}",
                "name": f"基准项目{n}",
                "category": ("industry", "livelihood", "infrastructure", "other")[n % 4],
                "stage": ("preparation", "approval", "construction", "completed", "operating")[n % 5],
                "status": "active",
                "project_code": "",
                "enterprise_name": f"基准企业{n}",
                "credit_code": "",
                "location": "",
                "investment": Decimal(1000 + n),
                "description": "",
                "lead_department_id": departments[n % len(departments)].id,
                "version": 1,
            }
            for n in range(1, projects + 1)
        ]
        db.execute(insert(MajorProject), rows)
        ids = [p.id for p in db.query(MajorProject.id).order_by(MajorProject.id)]
        node_rows, milestone_rows = [], []
        for pid in ids:
            for k in range(nodes):
                first = start + timedelta(days=7 * k + pid % 30)
                done = k < nodes // 2
                node_rows.append(
                    {
                        "major_project_id": pid,
                        "approval_code": f"n{k}",
                        "name": f"审批节点{k}",
                        "stage": "land_planning",
                        "stage_name": "立项用地规划许可",
                        "department_id": departments[(pid + k) % len(departments)].id,
                        "position": k,
                        "depends_on": [f"n{k - 1}"] if k else [],
                        "time_limit_days": 5,
                        "planned_start": first,
                        "planned_finish": first + timedelta(days=6),
                        "planned_fixed": False,
                        "actual_start": first if done else None,
                        "actual_finish": first + timedelta(days=5 + k % 3) if done else None,
                        "state": "done" if done else "pending",
                        "note": "",
                    }
                )
            for kind, offset in (("land", 20), ("groundbreaking", 200)):
                milestone_rows.append(
                    {"major_project_id": pid, "kind": kind, "name": kind, "position": 0, "note": "",
                     "planned_finish": start + timedelta(days=offset)}
                )  # fmt: skip
        db.execute(insert(ProjectNode), node_rows)
        db.execute(insert(Milestone), milestone_rows)


def timed(runs: int, work: Callable[[], object]) -> float:
    spent = []
    for _ in range(runs):
        begun = time.perf_counter()
        work()
        spent.append((time.perf_counter() - begun) * 1000)
    return statistics.median(spent)


def measure(runs: int) -> None:
    from core.db import session_scope
    from core.major_projects import export, planning, service, shapes, stats
    from core.major_projects.models import ProjectNode
    from core.org import service as org_service

    with session_scope() as db:
        tracker = org_service.get_user_by_username(db=db, username="tracker")
        found = service.ProjectFilter()

        def page() -> None:
            rows, _ = service.list_projects(db, tracker, found, page=1, page_size=20)
            [shapes.summary(p) for p in rows]
            db.expire_all()

        def figures() -> None:
            stats.statistics(db, tracker, found)
            db.expire_all()

        def workbook() -> None:
            rows, _ = service.list_projects(db, tracker, found, page=1, page_size=500)
            export.workbook([shapes.summary(p) for p in rows], stats.statistics(db, tracker, found), "基准")
            db.expire_all()

        def project_page() -> None:
            shapes.project_out(db, tracker, service.get(db, 1))
            db.expire_all()

        chain = [ProjectNode(approval_code=f"n{k}", name="", time_limit_days=5, depends_on=[f"n{k - 1}"] if k else [],
                             state="pending", position=k, planned_fixed=False) for k in range(1000)]  # fmt: skip

        print(f"register page (20 rows)          {timed(runs, page):8.1f} ms")
        print(f"statistics over every project   {timed(runs, figures):8.1f} ms")
        print(f"Excel export (500 rows + stats) {timed(runs, workbook):8.1f} ms")
        print(f"project page data                {timed(runs, project_page):8.1f} ms")
        print(
            f"planning a 1,000-node chain      {timed(runs, lambda: planning.schedule(chain, date(2026, 9, 18))):8.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=15)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with bench_environment(args.db, "major-projects"):
        fill(args.projects, args.nodes)
        print(f"{args.db}: {args.projects} projects × {args.nodes} nodes, median of {args.runs} runs")
        measure(args.runs)


if __name__ == "__main__":
    main()
