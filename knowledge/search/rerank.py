"""A learned re-ranker over the engine's best candidates (issue 15).

Hand-tuned factors (knowledge/search/ranking.py) order the candidates well when the question's words say plainly
what it wants; they stopped improving when a rule or penalty question in everyday words has its law article behind
an FAQ or guide, or the right item's wrong FAQ comes first. The engine already computes, per candidate, what tells
these apart: its word score and rank, how much of the question the document's title covers, the named item's tie,
what the question asks against what the document answers, the document's kind and the law's status. The re-ranker
scores each of the first ``POOL`` candidates by a linear function of those signals (and of the document's kind
crossed with what the question asks), learned on the dev split of tests/knowledge/colloquial_questions.json by
bench/knowledge_ranker.py, which writes ``WEIGHTS`` (feature names, standardisation and weights).

The learned score is a softmax over the candidates: each hit's ``score`` is the model's probability that it is the
answer, and the first is clearly ahead when that probability leads the second's by ``CLEAR_MARGIN`` (log-odds).
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.search import ranking
from knowledge.search.types import Document

WEIGHTS = Path(__file__).with_name("ranker_weights.json")
POOL = 30
"""How many of the engine's best candidates the re-ranker reorders."""
KINDS = ("faq", "law", "policy", "glossary", "item")
QUESTION_FLAGS = (
    "law_cue",
    "rule_cue",
    "definition",
    "facets",
    "penalty",
    "conditions",
    "amounts",
    "procedure",
    "apply_who_deadline",
    "recognised",
    "wants_guide",
)
"""What the question asks or names; each is crossed with the document's kind."""
BASE = (
    "log_rel",
    "rel",
    "inv_rank",
    "first",
    "confidence",
    "bm25_rel",
    "title_cover",
    "matched",
    "tied",
    "law_tied",
    "elsewhere",
    "guide",
    "repealed",
    "overview",
    "article_named",
    "facet_match",
    "facet_mismatch",
    "aspect_match",
    "aspect_mismatch",
    "bigrams_matched",
    "title_bigrams",
    "law_mass",
    "item_mass",
)
"""Signals of the candidate against the question (see ``Candidate``)."""
FEATURES = (
    *BASE,
    *(f"kind_{k}" for k in KINDS),
    *(f"tied_{k}" for k in KINDS),
    *(f"{k}_x_{flag}" for k in KINDS for flag in QUESTION_FLAGS),
)


@dataclass(frozen=True)
class Question:
    """What the question asks and names (one value per QUESTION_FLAGS)."""

    flags: tuple[bool, ...]


@dataclass(frozen=True)
class Candidate:
    """One candidate's signals as the engine computed them."""

    document: Document
    score: float
    """The engine's final score (word score times its ranking factors)."""
    bm25: float
    """The word score alone."""
    confidence: float
    """Word score over the best the question's words could reach (ranking.confidence without ties)."""
    title_cover: float
    """Share of the question's (idf-weighted) words found in the document's title."""
    matched: float
    """Share of the question's (idf-weighted) words found anywhere in the document."""
    tied: bool
    law_tied: bool
    elsewhere: bool
    guide: bool
    facet_match: bool
    facet_mismatch: bool
    aspect_match: bool
    aspect_mismatch: bool
    article_named: bool
    bigrams_matched: float
    """Share of the question's (idf-weighted) character pairs found in the document."""
    title_bigrams: float
    """Share of the question's (idf-weighted) character pairs found in the document's title."""


def question_flags(query: str, *, asked_facets: frozenset[str], recognised: bool, wants_guide: bool) -> Question:
    """The question-level signals, from the same cue lists the engine's factors use."""
    from knowledge.search.engine import DEFINITION_CUES, RULE_CUES

    asked = ranking.asks(query)
    return Question(
        (
            any(c in query for c in ranking.LAW_CUES),
            not asked_facets and any(c in query for c in RULE_CUES),
            any(c in query for c in DEFINITION_CUES),
            bool(asked_facets),
            "penalty" in asked,
            "conditions" in asked or "conditions" in asked_facets,
            "amounts" in asked,
            "procedure" in asked,
            bool(asked & {"apply", "who", "deadline"}),
            recognised,
            wants_guide,
        )
    )


def features(question: Question, candidates: list[Candidate]) -> np.ndarray:
    """The feature matrix (candidates × FEATURES), candidates in the engine's order."""
    top = max((c.score for c in candidates), default=0.0) or 1.0
    best_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
    total = sum(c.score for c in candidates) or 1.0
    laws: dict[int, float] = {}
    items: dict[int, float] = {}
    for c in candidates:
        if c.document.law:
            laws[c.document.law] = laws.get(c.document.law, 0.0) + c.score
        for item in c.document.items:
            items[item] = items.get(item, 0.0) + c.score
    rows = []
    for rank, c in enumerate(candidates):
        kind = [float(c.document.kind == k) for k in KINDS]
        rel = c.score / top
        base = [
            math.log(max(rel, 1e-4)),
            rel,
            1.0 / (1 + rank),
            float(rank == 0),
            c.confidence,
            c.bm25 / best_bm25,
            c.title_cover,
            c.matched,
            float(c.tied),
            float(c.law_tied),
            float(c.elsewhere),
            float(c.guide),
            float(c.document.standing < 1.0),
            float(c.document.aspects == {ranking.OVERVIEW}),
            float(c.article_named),
            float(c.facet_match),
            float(c.facet_mismatch),
            float(c.aspect_match),
            float(c.aspect_mismatch),
            c.bigrams_matched,
            c.title_bigrams,
            laws.get(c.document.law, 0.0) / total if c.document.law else 0.0,
            max((items.get(i, 0.0) for i in c.document.items), default=0.0) / total,
        ]
        crossed = [k * float(flag) for k in kind for flag in question.flags]
        rows.append(base + kind + [k * float(c.tied) for k in kind] + crossed)
    return np.asarray(rows, dtype=np.float64).reshape(len(candidates), len(FEATURES))


@dataclass(frozen=True)
class Model:
    """A linear scorer over standardised features."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """Log-odds per candidate (rows of a ``features`` matrix)."""
        columns = [FEATURES.index(name) for name in self.names]
        scores: np.ndarray = ((matrix[:, columns] - self.mean) / self.scale) @ self.weights
        return scores

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(self.names),
            "mean": [round(float(x), 6) for x in self.mean],
            "scale": [round(float(x), 6) for x in self.scale],
            "weights": [round(float(x), 6) for x in self.weights],
        }

    @classmethod
    def from_json(cls, data: dict[str, list[float] | list[str]]) -> "Model":
        names = tuple(str(n) for n in data["features"])
        unknown = set(names) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown ranker features: {sorted(unknown)}")
        return cls(
            names,
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["weights"], dtype=np.float64),
        )


CLEAR_MARGIN = 0.0
"""Overwritten from WEIGHTS ("clear_margin"): the log-odds lead of the first over the second that makes it clear."""


def load(path: Path = WEIGHTS) -> tuple[Model, float] | None:
    """The learned model and its clear margin, or None when no weights were learned (the engine's order stays)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model.from_json(data["model"]), float(data.get("clear_margin", CLEAR_MARGIN))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from log-odds."""
    shifted: np.ndarray = np.exp(logits - logits.max())
    return shifted / float(shifted.sum())
