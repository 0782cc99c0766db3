"""Scoring search against a labelled question set: top-1 and top-3 accuracy and the misses.

Targets are "faq:<exact question>" or "law:<law title>|<article number>"; a hit matches a target when
it is that FAQ or that article.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.search.engine import Hit


@dataclass(frozen=True)
class Question:
    """A labelled question."""

    q: str
    targets: tuple[str, ...]


@dataclass
class Report:
    """How search did on a question set."""

    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)
    """(question, expected, what came first instead) for every question not answered at rank 1."""
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per kind of expected answer (faq, law, policy, item, glossary): (questions, right at rank 1)."""

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def load(path: Path, split: str | None = None) -> list[Question]:
    """Reads a question set, or only its "dev" or "test" part (a set without splits has only one part)."""
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return [
        Question(r["q"], (r["expect"], *r.get("alt", []))) for r in rows if split is None or r.get("split") == split
    ]


def target_of(hit: Hit) -> str:
    """The label a hit answers to."""
    doc = hit.document
    if doc.kind == "faq":
        return f"faq:{doc.title}"
    if doc.kind == "law":
        title = doc.title.split("》")[0].lstrip("《")
        return f"law:{title}|{doc.meta.get('article', '')}"
    return f"{doc.kind}:{doc.title}"


def evaluate(search: Callable[[str], list[Hit]], questions: list[Question]) -> Report:
    """Runs every question through ``search`` and counts where the expected answer lands."""
    report = Report()
    for question in questions:
        labels = [target_of(h) for h in search(question.q)[:3]]
        report.total += 1
        first = bool(labels) and labels[0] in question.targets
        kind = question.targets[0].split(":", 1)[0]
        asked, right = report.by_kind.get(kind, (0, 0))
        report.by_kind[kind] = (asked + 1, right + first)
        if first:
            report.top1 += 1
        else:
            report.misses.append((question.q, question.targets[0], labels))
        if any(label in question.targets for label in labels):
            report.top3 += 1
    return report
