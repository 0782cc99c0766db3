"""Benchmark: progress assessment (进度考核) of 36 departments over a year of 200,000 cases.

Fills a fresh database with 36 departments and a year of cases (December 2025 – November 2026: on time, late,
still open), plus warnings, project nodes, supervision pushes and bad ratings for every department, then computes
with the service the 12 monthly assessments of that year and its 4 quarterly ones (all eight indicators, each
period a draft with 36 results × 8 scores, written and committed), and prints the time of each and the totals.
The goal (issue 14): the year's assessments in under 5 s.

    .venv/bin/python bench/assessment.py --db sqlite
    .venv/bin/python bench/assessment.py --db mariadb     (starts a private MariaDB via scripts/mariadb.sh)
"""

import argparse
import random
import statistics
import time
from datetime import date, datetime, timedelta

from harness import DATABASES, bench_environment

DEPARTMENTS = 36
YEAR_START = datetime(2025, 12, 1)
NOW = datetime(2026, 12, 5, 10, 0)


def _moment(rng: random.Random) -> datetime:
    return YEAR_START + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))


def fill(cases: int) -> int:
    """The demo's 36 departments and items, an admin, and the year's rows, inserted in bulk without audit records;
    the admin's id."""
    from sqlalchemy import insert, select

    from core.cases.models import Applicant, Case
    from core.db import get_engine, session_scope
    from core.early_warnings.models import EarlyWarning
    from core.evaluation.models import Evaluation
    from core.items.models import ServiceItem
    from core.major_projects.models import MajorProject, ProjectNode
    from core.migrate import upgrade
    from core.org import service as org_service
    from core.org.models import Department
    from core.security import encrypt, keyed_hash
    from core.seed import demo
    from core.supervision.models import SupervisionPush

    upgrade()
    rng = random.Random(14)
    with session_scope() as db:
        demo.ensure_roles(db)
        demo.seed_items(db, demo.seed_departments(db))
        admin = org_service.create_user(
            db=db, username="admin", name="管理员", password=demo.DEMO_PASSWORD, role_codes=["admin"]
        )
        admin_id = admin.id
    engine = get_engine()
    with engine.begin() as conn:
        conn = conn.execution_options(tongban_audit=False)  # filling the bench is no write to audit
        item_id = conn.execute(select(ServiceItem.id).limit(1)).scalar_one()
        department_ids = list(conn.execute(select(Department.id)).scalars())
        assert len(department_ids) == DEPARTMENTS, len(department_ids)
        conn.execute(
            insert(Applicant),
            [
                {
                    "kind": "personal",
                    "name": "申请人",
                    "id_number": encrypt("110105194912310029"),
                    "id_index": keyed_hash("bench"),
                    "phone": encrypt("13800000000"),
                    "address": "",
                    "legal_representative": "",
                    "contact_name": "",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
        applicant_id = conn.execute(select(Applicant.id)).scalar_one()
        made = 0
        while made < cases:
            rows = []
            for n in range(made, min(made + 5000, cases)):
                accepted = _moment(rng)
                due = accepted + timedelta(days=rng.randint(3, 20))
                fate = rng.random()
                if fate < 0.80:
                    concluded: datetime | None = accepted + (due - accepted) * rng.uniform(0.2, 1.0)
                elif fate < 0.93:
                    concluded = due + timedelta(days=rng.randint(1, 10))
                else:
                    concluded = None
                if concluded is not None and concluded > NOW:
                    concluded = None
                rows.append(
                    {
                        "case_no": f"BA{n:010d}",
                        "service_item_id": item_id,
                        "department_id": department_ids[n % DEPARTMENTS],
                        "applicant_id": applicant_id,
                        "project_name": "",
                        "case_type": 2,
                        "submit_channel": 0,
                        "status": "concluded" if concluded else "processing",
                        "current_step": "conclude" if concluded else "review",
                        "joint_stage": 0,
                        "promised_limit": 5,
                        "limit_unit": "工作日",
                        "submitted_at": accepted,
                        "accepted_at": accepted,
                        "due_at": due,
                        "concluded_at": concluded,
                        "conclusion_reason": "",
                        "version": 1,
                        "created_at": accepted,
                        "updated_at": accepted,
                    }
                )
            conn.execute(insert(Case), rows)
            made += len(rows)
            print(f"[bench] 办件 {made}/{cases}", flush=True)
        case_ids = list(conn.execute(select(Case.id).where(Case.concluded_at.is_not(None)).limit(8000)).scalars())
        warnings = []
        for n in range(6000):
            raised = _moment(rng)
            signed = raised + timedelta(hours=rng.randint(1, 60)) if rng.random() < 0.9 else None
            warnings.append(
                {
                    "subject_kind": "case",
                    "subject_id": n,
                    "level": "yellow",
                    "state": "signed" if signed else "open",
                    "department_id": department_ids[n % DEPARTMENTS],
                    "title": f"预警{n}",
                    "due_on": raised.date(),
                    "raised_at": raised,
                    "signed_at": signed,
                    "signed_by_name": "",
                    "closed_at": signed + timedelta(days=rng.randint(1, 20)) if signed and rng.random() < 0.7 else None,
                    "handling_reason": "",
                    "handling_plan": "",
                    "closing_note": "",
                    "end_reason": "",
                    "created_at": raised,
                    "updated_at": raised,
                }
            )
        conn.execute(insert(EarlyWarning), warnings)
        conn.execute(
            insert(MajorProject),
            [
                {
                    "code": f"ZD{p:03d}",
                    "name": f"重大项目{p}",
                    "category": "industry",
                    "stage": "approval",
                    "status": "active",
                    "project_code": "",
                    "enterprise_name": "",
                    "credit_code": "",
                    "location": "",
                    "investment": 0,
                    "description": "",
                    "lead_department_id": department_ids[p % DEPARTMENTS],
                    "version": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for p in range(100)
            ],
        )
        project_ids = list(conn.execute(select(MajorProject.id)).scalars())
        nodes = []
        for n in range(3000):
            planned = (YEAR_START + timedelta(days=rng.randrange(365))).date()
            actual = planned + timedelta(days=rng.randint(-5, 8)) if rng.random() < 0.8 else None
            nodes.append(
                {
                    "major_project_id": project_ids[n % len(project_ids)],
                    "approval_code": f"A{n}",
                    "name": f"审批节点{n}",
                    "stage": "",
                    "stage_name": "",
                    "department_id": department_ids[n % DEPARTMENTS],
                    "position": 0,
                    "depends_on": [],
                    "time_limit_days": 10,
                    "planned_finish": planned,
                    "actual_finish": actual if actual is None or actual <= date(2026, 12, 5) else None,
                    "state": "done" if actual else "in_progress",
                    "note": "",
                    "updated_at": NOW,
                }
            )
        conn.execute(insert(ProjectNode), nodes)
        pushes, ratings = [], []
        for n, case_id in enumerate(case_ids):
            pushed = _moment(rng)
            claim_due = pushed + timedelta(days=3)
            feedback_due = claim_due + timedelta(days=20) if rng.random() < 0.85 else None
            fed_back = (
                feedback_due - timedelta(days=rng.randint(-5, 15)) if feedback_due and rng.random() < 0.8 else None
            )
            pushes.append(
                {
                    "case_id": case_id,
                    "service_item_id": item_id,
                    "approving_department_id": department_ids[0],
                    "department_id": department_ids[n % DEPARTMENTS],
                    "case_no": f"BA{case_id}",
                    "licence_no": "",
                    "holder_name": "某公司",
                    "result": [],
                    "note": "",
                    "status": "fed_back" if fed_back else "claimed" if feedback_due else "pushed",
                    "pushed_at": pushed,
                    "claim_days": 3,
                    "feedback_days": 20,
                    "claim_due_at": claim_due,
                    "claimed_by_name": "",
                    "feedback_due_at": feedback_due,
                    "fed_back_at": fed_back,
                    "escalation_level": 0,
                    "created_at": pushed,
                    "updated_at": pushed,
                }
            )
            if n % 3 == 0:
                due = _moment(rng)
                answered = due - timedelta(days=rng.randint(-3, 4)) if rng.random() < 0.85 else None
                ratings.append(
                    {
                        "case_id": case_id,
                        "level": 1,
                        "comment": "",
                        "channel": "web",
                        "department_id": department_ids[n % DEPARTMENTS],
                        "follow_up_status": "answered" if answered else "pending",
                        "follow_up_due_at": due,
                        "follow_up_answer": "",
                        "follow_up_at": answered,
                        "created_at": due,
                    }
                )
        conn.execute(insert(SupervisionPush), pushes)
        conn.execute(insert(Evaluation), ratings)
    print(
        f"[bench] 预警 {len(warnings)}，项目节点 {len(nodes)}，审批推送 {len(pushes)}，差评 {len(ratings)}", flush=True
    )
    return admin_id


def measure(admin_id: int) -> None:
    """Computes the year's 12 monthly and 4 quarterly assessments; prints each time and the totals."""
    from core import clock
    from core.assessment import periods, service
    from core.assessment.schemas import ComputeIn, SchemeIn, SchemeIndicatorIn
    from core.assessment.schemes import save_scheme
    from core.db import session_scope
    from core.org.models import User

    clock.freeze(NOW)
    weights = [30, 10, 10, 10, 10, 10, 10, 10]
    codes = [
        "case_on_time_rate",
        "handling_time_ratio",
        "overdue_count",
        "warning_sign_rate",
        "warning_close_rate",
        "node_on_time_rate",
        "supervision_feedback_rate",
        "bad_rating_follow_up_rate",
    ]
    indicators = [SchemeIndicatorIn(code=c, weight=w) for c, w in zip(codes, weights, strict=True)]
    schemes = {}
    with session_scope() as db:
        admin = db.get(User, admin_id)
        for kind, name in (("month", "月度考核"), ("quarter", "季度考核")):
            schemes[kind] = save_scheme(
                db, admin, None, SchemeIn(name=name, period_kind=kind, indicators=indicators)
            ).id
    figures: dict[str, list[float]] = {"month": [], "quarter": []}
    for kind, labels in (
        ("month", [periods.month(2025, 12).code] + [periods.month(2026, m).code for m in range(1, 12)]),
        ("quarter", ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]),
    ):
        for label in labels:
            began = time.perf_counter()
            with session_scope() as db:
                found = service.compute(db, db.get(User, admin_id), ComputeIn(scheme_id=schemes[kind], period=label))
                ranked = sum(1 for r in found.results if r.rank is not None)
                top = max(found.results, key=lambda r: r.total or 0)
                line = f"{found.period_label}: {ranked} 个部门排名，最高 {top.total}"
            elapsed = time.perf_counter() - began
            figures[kind].append(elapsed)
            print(f"[bench] {line}，用时 {elapsed:.3f} s", flush=True)
    months, quarters = figures["month"], figures["quarter"]
    print(
        f"\n[bench] 36 个部门 × 8 项指标：12 个月度考核共 {sum(months):.2f} s"
        f"（每期中位数 {statistics.median(months):.3f} s，最长 {max(months):.3f} s）；"
        f"4 个季度考核共 {sum(quarters):.2f} s；合计 {sum(months) + sum(quarters):.2f} s（目标 < 5 s）",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--cases", type=int, default=200_000)
    args = parser.parse_args()
    with bench_environment(args.db, "assessment"):  # the 200,000 cases' database goes at the end too
        started = time.perf_counter()
        admin_id = fill(args.cases)
        print(f"[bench] 数据准备 {time.perf_counter() - started:.1f} s（不计入考核用时）", flush=True)
        measure(admin_id)


if __name__ == "__main__":
    main()
