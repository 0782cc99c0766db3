"""Prints search accuracy (top-1, top-3) and every top-1 miss on the labelled question sets: the older set
(tests/knowledge/eval_questions.json, the regression floor) and the colloquial set of issue 15
(tests/knowledge/colloquial_questions.json), its dev split (tuned on) and, with --test, its test split (report it
once, at the end of a piece of work: it is not for tuning).

.venv/bin/python bench/knowledge_eval.py [--test]
"""

import argparse

from harness import ROOT, bench_environment

KIND_NAMES = {"faq": "问答", "law": "法条", "policy": "政策", "item": "事项指南", "glossary": "百科"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test", action="store_true", help="also the test split of the colloquial set")
    args = parser.parse_args()
    with bench_environment("sqlite", "eval"):
        evaluate_search(with_test=args.test)


def evaluate_search(*, with_test: bool) -> None:
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
    if with_test:
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
        kinds = sorted(report.by_kind.items(), key=lambda kv: -kv[1][0])
        print("  按应答类型 top-1：" + "，".join(f"{KIND_NAMES.get(k, k)} {r}/{n}" for k, (n, r) in kinds))
    for name, report in reports:
        print(f"\n{name}未排第一的 {len(report.misses)} 条：")
        for q, want, got in report.misses:
            print(f"  {q}\n      应为 {want}\n      实为 {' | '.join(got)}")


if __name__ == "__main__":
    main()
