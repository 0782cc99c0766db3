"""Prints search accuracy on the labelled question set (top-1, top-3) and every miss.

.venv/bin/python bench/knowledge_eval.py
"""

from harness import ROOT, bench_environment


def main() -> None:
    with bench_environment("sqlite", "eval"):
        evaluate_search()


def evaluate_search() -> None:
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
