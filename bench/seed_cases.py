"""Benchmark data: the demo's departments, items and staff, then N cases (default 100,000) bulk-inserted in
seconds rather than the hours the demo's real service calls would take. Bench-only: nothing here is a way to
create cases in a running centre (no events, no audit records, no notifications).

The cases look like a centre's year and a half: spread over every published item (and so its department),
submitted on working hours over 540 days, most concluded (certified, some not permitted, some late), some
refused or withdrawn, the recent ones still being handled or waiting at the window with their required
materials in (so staff can accept, review and decide them). Applicants are 20,000 people and enterprises
with their ID numbers and phones encrypted as the app stores them. Every case has its own query password;
``--codes FILE`` writes a sample of (case number, password) pairs that bench/load.py sends to the real
progress query.

    .venv/bin/python bench/seed_cases.py --database-url sqlite:///var/bench.db --cases 100000 --codes var/codes.csv

Without ``--database-url`` it uses the app's settings (TONGBAN_DATABASE_URL). Prints counted progress.
"""

import argparse
import csv
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCH = 2000
APPLICANTS = 20_000
DAYS = 540
STEP_OPINIONS = {
    "accept": "材料齐全，予以受理",
    "review": "经审查，符合条件",
    "decide": "同意",
    "conclude": "准予许可，已出证",
}


def _fate(rng: random.Random, age_days: int) -> str:
    """What became of a case submitted ``age_days`` ago: the recent ones are still open."""
    if age_days <= 1 and rng.random() < 0.6:
        return "submitted"
    if age_days <= 20 and rng.random() < 0.7:
        return "processing"
    roll = rng.random()
    if roll < 0.05:
        return "refused"
    if roll < 0.07:
        return "withdrawn"
    return "concluded"


def _working_moment(day: datetime, rng: random.Random) -> datetime:
    """A moment of office hours on ``day`` moved back to a weekday (no holiday calendar: speed over precision)."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day.replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)


def seed(cases: int, *, codes_file: Path | None = None, sample: int = 5000, seed_value: int = 17) -> None:
    """Seeds the demo's reference data (once) and ``cases`` cases; writes the query-code sample if asked."""
    from sqlalchemy import func, insert, select

    from core.audit.context import Actor, acting
    from core.cases.models import Applicant, Case, CaseMaterial, CaseNumberCounter, CaseStep
    from core.cases.scheduled import refresh_open_cases
    from core.db import session_scope
    from core.items.models import ServiceItem
    from core.migrate import upgrade
    from core.plugins import hooks as plugin_hooks
    from core.security import encrypt, keyed_hash
    from core.seed import demo
    from core.settings import get_settings

    began = time.perf_counter()
    upgrade()
    rng = random.Random(seed_value)
    prefix = get_settings().case_no_prefix
    with session_scope() as db, acting(Actor(id=None, name="基准数据", kind="system")):
        if not demo.has_demo_data(db):
            demo.seed_all(db, cases=0)
            for seed_plugin in plugin_hooks("seed"):  # the knowledge base: guides' FAQs, laws, policies
                seed_plugin(db, None)
            db.commit()
        print(f"[seed] 部门、事项、人员就绪 ({time.perf_counter() - began:.0f} s)", flush=True)
        items = list(db.scalars(select(ServiceItem).where(ServiceItem.is_published.is_(True))))
        required = {i.id: [(m.id, m.name) for m in i.materials if m.required] for i in items}
        names = demo.load("people.json")
        applicant_ids: list[int] = list(db.scalars(select(Applicant.id)))
        stamp = datetime.now()
        for start in range(len(applicant_ids), APPLICANTS, BATCH):
            rows = []
            for n in range(start, min(start + BATCH, APPLICANTS)):
                enterprise = rng.random() < 0.55
                name = (
                    rng.choice(names["enterprise_names"]) + f"（{n}）"
                    if enterprise
                    else rng.choice(names["surnames"]) + rng.choice(names["given_names"])
                )
                id_number = demo.random_credit_code(rng) if enterprise else demo.random_id_number(rng)
                rows.append(
                    {
                        "kind": "enterprise" if enterprise else "personal",
                        "name": name,
                        "id_number": encrypt(id_number),
                        "id_index": keyed_hash(id_number),
                        "phone": encrypt(f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"),
                        "address": f"{rng.choice(names['roads'])}{rng.randrange(1, 999)}号",
                        "legal_representative": "",
                        "contact_name": "",
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
            db.execute(insert(Applicant), rows)
            db.commit()
            print(f"[seed] 申请人 {min(start + BATCH, APPLICANTS)}/{APPLICANTS}", flush=True)
        applicant_ids = list(db.scalars(select(Applicant.id)))

        today = datetime.now()
        moments = sorted(
            _working_moment(today - timedelta(days=int(DAYS * rng.random() ** 1.2)), rng) for _ in range(cases)
        )
        moments = [min(m, today - timedelta(minutes=5)) for m in moments]
        counters: dict[str, int] = {
            day: last for day, last in db.execute(select(CaseNumberCounter.day, CaseNumberCounter.last))
        }
        already = db.scalar(select(func.count()).select_from(Case)) or 0
        pairs: list[tuple[str, str]] = []
        written = 0
        for start in range(0, cases, BATCH):
            case_rows: list[dict[str, Any]] = []
            plans: dict[str, tuple[str, ServiceItem, list[tuple[str, str, int | None, datetime]]]] = {}
            for at in moments[start : start + BATCH]:
                item = rng.choice(items)
                day = f"{at:%Y%m%d}"
                counters[day] = counters.get(day, 0) + 1
                case_no = f"{prefix}{day}{counters[day]:04d}"
                code = f"{rng.randrange(10**6):06d}"
                fate = _fate(rng, (today - at).days)
                if fate == "processing" and item.case_type == 3:  # a 联办件 in review needs its joint tasks
                    fate = "submitted"
                row, steps = _case_row(rng, item, at, fate, today)
                row.update(
                    case_no=case_no,
                    query_code_hash=keyed_hash(code),
                    applicant_id=rng.choice(applicant_ids),
                    submit_channel=rng.choice([0, 0, 1, 1, 1, 6]),
                    project_name=rng.choice(["", "", f"{rng.choice(names['roads'])}项目"]),
                )
                case_rows.append(row)
                plans[case_no] = (fate, item, steps)
                pairs.append((case_no, code))
            db.execute(insert(Case), case_rows)
            numbers = list(plans)
            ids = dict(db.execute(select(Case.case_no, Case.id).where(Case.case_no.in_(numbers))).all())
            step_rows, material_rows = [], []
            for case_no, (_fate_name, item, steps) in plans.items():
                case_id = ids[case_no]
                for step, action, code_value, when in steps:
                    step_rows.append(
                        {
                            "case_id": case_id,
                            "step": step,
                            "action": action,
                            "result_code": code_value,
                            "opinion": STEP_OPINIONS.get(action, ""),
                            "opinion_public": True,
                            "handler_name": "基准",
                            "department_id": item.department_id,
                            "department_name": item.department.name,
                            "created_at": when,
                        }
                    )
                for material_id, material_name in required[item.id]:
                    material_rows.append(
                        {
                            "case_id": case_id,
                            "item_material_id": material_id,
                            "name": material_name,
                            "source": "paper",
                            "trust_level": "C",
                            "created_at": steps[0][3],
                        }
                    )
            db.execute(insert(CaseStep), step_rows)
            if material_rows:
                db.execute(insert(CaseMaterial), material_rows)
            db.commit()
            written += len(case_rows)
            print(f"[seed] 办件 {written}/{cases} ({time.perf_counter() - began:.0f} s)", flush=True)
        for day, last in counters.items():  # new cases of a seeded day number on after the seeded ones
            db.merge(CaseNumberCounter(day=day, last=last))
        db.commit()
        changed = refresh_open_cases(db)
        db.commit()
        print(f"[seed] 在办办件时限状态已刷新：{changed} 件", flush=True)
        total = db.scalar(select(func.count()).select_from(Case)) or 0
    if codes_file is not None:
        codes_file.parent.mkdir(parents=True, exist_ok=True)
        with codes_file.open("w", newline="") as out:
            csv.writer(out).writerows(rng.sample(pairs, min(sample, len(pairs))))
        print(f"[seed] 查询密码样本 → {codes_file}", flush=True)
    print(f"[seed] 完成：库中共 {total} 件（本次 {cases}，原有 {already}），用时 {time.perf_counter() - began:.0f} s")


def _case_row(
    rng: random.Random, item: Any, at: datetime, fate: str, today: datetime
) -> tuple[dict[str, Any], list[tuple[str, str, int | None, datetime]]]:
    """A case's columns and its recorded steps (step, action, result code, moment) for ``fate``."""
    row: dict[str, Any] = {
        "service_item_id": item.id,
        "department_id": item.department_id,
        "case_type": item.case_type,
        "status": fate,
        "current_step": "accept",
        "joint_stage": 0,
        "promised_limit": item.promised_limit,
        "limit_unit": item.promised_unit,
        "submitted_at": at,
        "conclusion_reason": "",
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }
    steps: list[tuple[str, str, int | None, datetime]] = [("accept", "register", None, at)]
    if fate in ("submitted", "withdrawn"):
        if fate == "withdrawn":
            row["withdrawn_at"] = at + timedelta(hours=2)
            steps.append(("accept", "withdraw", None, row["withdrawn_at"]))
        return row, steps
    if fate == "refused":
        done = at + timedelta(hours=rng.randint(1, 30))
        row.update(concluded_at=done, conclusion_result=6, conclusion_reason="不属于本部门职权范围")
        steps.append(("accept", "refuse", 3, done))
        return row, steps
    accepted = at + timedelta(minutes=rng.randint(10, 240))
    limit_days = max(1, item.promised_limit) * 7 // 5  # working days to calendar days, roughly
    row.update(accepted_at=accepted, due_at=accepted + timedelta(days=limit_days))
    steps.append(("accept", "accept", 4, accepted))
    if fate == "processing":
        row["current_step"] = rng.choice(["review", "review", "decide"])
        if row["current_step"] == "decide":
            steps.append(("review", "review", 1, accepted + timedelta(days=1)))
        return row, steps
    late = rng.random() < 0.08
    span = timedelta(days=limit_days * (1.4 if late else rng.uniform(0.1, 0.9)))
    done = min(accepted + span, today - timedelta(minutes=1))
    certified = rng.random() > 0.06
    row.update(
        current_step="conclude",
        decision=1 if certified else 0,
        concluded_at=done,
        conclusion_result=0 if certified else 1,
        conclusion_reason="" if certified else "不符合许可条件",
        time_state="逾期" if late else "正常",
        first_overdue_at=row["due_at"] if late and done > row["due_at"] else None,
    )
    steps += [
        ("review", "review", 1, accepted + span / 3),
        ("decide", "decide", 1 if certified else 0, accepted + span * 2 / 3),
        ("conclude", "conclude", None, done),
    ]
    return row, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="默认用应用设置（TONGBAN_DATABASE_URL）")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--codes", type=Path, help="写出（办件编号, 查询密码）样本的 CSV 文件")
    parser.add_argument("--sample", type=int, default=5000)
    args = parser.parse_args()
    if args.database_url:
        os.environ["TONGBAN_DATABASE_URL"] = args.database_url
    seed(args.cases, codes_file=args.codes, sample=args.sample)


if __name__ == "__main__":
    main()
