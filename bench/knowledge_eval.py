"""Prints search accuracy (top-1, top-3) and every top-1 miss on the labelled question sets: the older set
(tests/knowledge/eval_questions.json, the regression floor) and the colloquial set of issue 15
(tests/knowledge/colloquial_questions.json), its dev split (tuned on) and, with --test, its test split (report it
once, at the end of a piece of work: it is not for tuning).

.venv/bin/python bench/knowledge_eval.py [--test]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test", action="store_true", help="also the test split of the colloquial set")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tongban-eval-"))
    os.environ.update(
        TONGBAN_SECRET_KEY="bench-secret-key-0123456789abcdef0123456789",
        TONGBAN_DATA_DIR=str(workdir),
        TONGBAN_DATABASE_URL=f"sqlite:///{workdir}/eval.db",
    )
    sys.path.insert(0, str(ROOT))
    from core.db import session_scope
    from core.migrate import upgrade
    from core.seed import demo
    from knowledge.plugin import seed
    from knowledge.search import service
    from knowledge.search.evaluation import evaluate, load

    upgrade()
    colloquial = ROOT / "tests/knowledge/colloquial_questions.json"
    sets = [
        ("原有标注集", load(ROOT / "tests/knowledge/eval_questions.json")),
        ("口语化标注集·调优集（dev）", load(colloquial, "dev")),
    ]
    if args.test:
        sets.append(("口语化标注集·测试集（test）", load(colloquial, "test")))
    with session_scope() as db:
        demo.ensure_roles(db)
        demo.seed_items(db, demo.seed_departments(db))
        db.commit()
        seed(db)
        reports = [(name, evaluate(lambda q: service.search(db, q, limit=3), questions)) for name, questions in sets]
    for name, report in reports:
        print(
            f"{name} {report.total} 条：top-1 {report.top1_rate:.1%}（{report.top1}），"
            f"top-3 {report.top3_rate:.1%}（{report.top3}）"
        )
    for name, report in reports:
        print(f"\n{name}未排第一的 {len(report.misses)} 条：")
        for q, want, got in report.misses:
            print(f"  {q}\n      应为 {want}\n      实为 {' | '.join(got)}")


if __name__ == "__main__":
    main()
