"""Prints search accuracy on the labelled question set (top-1, top-3) and every miss.

.venv/bin/python bench/knowledge_eval.py
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
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
    with session_scope() as db:
        demo.ensure_roles(db)
        demo.seed_items(db, demo.seed_departments(db))
        db.commit()
        seed(db)
        questions = load(ROOT / "tests/knowledge/eval_questions.json")
        report = evaluate(lambda q: service.search(db, q, limit=3), questions)
    print(
        f"问题 {report.total} 条：top-1 {report.top1_rate:.1%}（{report.top1}），top-3 {report.top3_rate:.1%}（{report.top3}）"
    )
    print(f"未排第一的 {len(report.misses)} 条：")
    for q, want, got in report.misses:
        print(f"  {q}\n      应为 {want}\n      实为 {' | '.join(got)}")


if __name__ == "__main__":
    main()
