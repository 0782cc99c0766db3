"""Search answers real citizens' questions: on the labelled set (colloquial wording, typos, law questions;
none copied from the FAQs) the right entry comes first for ≥ 85% and within the first three for ≥ 94%
(issue 3); on the dev split of the colloquial set of issue 15 (items, penalties, policies, business opening) it
stays at what tuning reached. The test split is not checked here: it is measured once, by
bench/knowledge_eval.py --test, which prints the figures and every miss."""

from pathlib import Path

from sqlalchemy.orm import Session

from knowledge.search import service
from knowledge.search.evaluation import evaluate, load

QUESTIONS = Path(__file__).parent / "eval_questions.json"
COLLOQUIAL = Path(__file__).parent / "colloquial_questions.json"
TOP1_FLOOR = 0.85
TOP3_FLOOR = 0.94
DEV_TOP1_FLOOR = 0.79
DEV_TOP3_FLOOR = 0.92


def test_labelled_questions_find_their_answers(seeded: Session) -> None:
    questions = load(QUESTIONS)
    assert len(questions) >= 200
    report = evaluate(lambda q: service.search(seeded, q, limit=3), questions)
    misses = "\n".join(f"{q} → 应为 {want}，实为 {got[:1]}" for q, want, got in report.misses)
    assert report.top1_rate >= TOP1_FLOOR, f"top-1 {report.top1_rate:.1%}\n{misses}"
    assert report.top3_rate >= TOP3_FLOOR, f"top-3 {report.top3_rate:.1%}\n{misses}"


def test_colloquial_dev_questions_find_their_answers(seeded: Session) -> None:
    questions = load(COLLOQUIAL, "dev")
    assert len(questions) >= 200
    report = evaluate(lambda q: service.search(seeded, q, limit=3), questions)
    misses = "\n".join(f"{q} → 应为 {want}，实为 {got[:1]}" for q, want, got in report.misses)
    assert report.top1_rate >= DEV_TOP1_FLOOR, f"top-1 {report.top1_rate:.1%}\n{misses}"
    assert report.top3_rate >= DEV_TOP3_FLOOR, f"top-3 {report.top3_rate:.1%}\n{misses}"
    # the figures by kind of answer add up (bench/knowledge_eval.py prints them); FAQs are found best
    assert sum(n for n, _ in report.by_kind.values()) == report.total
    assert sum(r for _, r in report.by_kind.values()) == report.top1
    asked, right = report.by_kind["faq"]
    assert right / asked >= 0.9, f"FAQ top-1 {right}/{asked}"
