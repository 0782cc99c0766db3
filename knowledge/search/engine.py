"""An in-memory BM25 index with incremental updates; pure and free of I/O.

Each document has weighted fields (an FAQ's question counts more than its answer). Scores follow
BM25 (k1 = 1.2, b = 0.75) over field-weighted term frequencies; bigram terms weigh less than words;
query words that are glossary synonyms also search for their canonical term. ``confidence`` divides a
score by the best score the query's words could reach, so one threshold works for short and long queries.
"""

import heapq
import html
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.search import tokens
from knowledge.search.colloquial import COLLOQUIAL
from knowledge.search.facets import facets

K1 = 1.2
B = 0.75
BIGRAM_WEIGHT = 0.35
SYNONYM_WEIGHT = 0.8
FACET_MATCH = 1.2
FACET_MISMATCH = 0.9
# Across kinds, a question is more likely answered by an FAQ or an article than by a definition,
# unless it asks what something means.
KIND_PRIOR = {"faq": 1.0, "law": 0.95, "policy": 0.8, "glossary": 0.6}
KIND_PRIOR_DEFINITION = {"faq": 1.0, "law": 0.9, "policy": 0.8, "glossary": 1.2}
KIND_PRIOR_LAW = {"faq": 0.85, "law": 1.25, "policy": 0.8, "glossary": 0.5}
LAW_CUES = (
    "罚",
    "法律",
    "法规",
    "条例",
    "违法",
    "擅自",
    "未经",
    "没经过",
    "偷偷",
    "依法",
    "法定",
    "规定",
    "责任",
    "追究",
)
DEFINITION_CUES = ("什么意思", "是什么", "指什么", "啥意思", "含义", "什么叫", "啥叫", "是啥")


@dataclass(frozen=True)
class Document:
    """A searchable unit: an FAQ, one law article, one policy section or a glossary term."""

    key: str
    kind: str
    title: str
    link: str
    fields: tuple[tuple[str, float], ...]
    """(text, weight) pairs."""
    snippet_source: str
    """The text a snippet is cut from (an FAQ's answer, an article's text)."""
    meta: dict[str, str] = field(default_factory=dict)
    facets: frozenset[str] = frozenset()
    """What the document answers (knowledge/search/facets.py); empty when it is not about one aspect."""


@dataclass(frozen=True)
class Hit:
    """A ranked result."""

    document: Document
    score: float
    confidence: float
    snippet: str
    """HTML-escaped text with the matched words in <mark>."""


@dataclass
class _Entry:
    document: Document
    tf: dict[str, float]
    length: float


class Index:
    """Documents by key, postings by term; add, replace and remove one document at a time."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._postings: dict[str, dict[str, float]] = defaultdict(dict)
        self._total_length = 0.0
        self._synonyms: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def set_synonyms(self, groups: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Phrase → words of the official term it means, from glossary (term, synonyms) pairs and the
        built-in colloquial table; a phrase counts when it appears anywhere in the query's text."""
        mapping: dict[str, list[str]] = {}
        for colloquial, officials in COLLOQUIAL.items():
            for official in officials:
                mapping.setdefault(tokens.normalize(colloquial), []).extend(tokens.words(official))
        for term, synonyms in groups:
            for synonym in synonyms:
                if len(synonym) >= 2:
                    mapping.setdefault(tokens.normalize(synonym), []).extend(tokens.words(term))
        self._synonyms = {phrase: list(dict.fromkeys(words)) for phrase, words in mapping.items()}

    def add(self, document: Document) -> None:
        """Adds or replaces a document."""
        self.remove(document.key)
        tf: defaultdict[str, float] = defaultdict(float)
        for text, weight in document.fields:
            for term in tokens.words(text):
                tf[term] += weight
            for term in tokens.bigrams(text):
                tf[term] += weight * BIGRAM_WEIGHT
        entry = _Entry(document, dict(tf), sum(tf.values()) or 1.0)
        self._entries[document.key] = entry
        self._total_length += entry.length
        for term, freq in entry.tf.items():
            self._postings[term][document.key] = freq

    def remove(self, key: str) -> None:
        """Removes a document if present."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self._total_length -= entry.length
        for term in entry.tf:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(key, None)
                if not posting:
                    del self._postings[term]

    def _idf(self, term: str) -> float:
        df = len(self._postings.get(term, ()))
        n = len(self._entries)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def query_terms(self, query: str) -> dict[str, float]:
        """Weighted terms of a query: words, synonyms' canonical words, bigrams."""
        weights: dict[str, float] = {}
        for word in tokens.words(query):
            weights[word] = max(weights.get(word, 0.0), 1.0)
        text = tokens.normalize(query)
        for phrase, officials in self._synonyms.items():
            if phrase in text:
                for word in officials:
                    weights.setdefault(word, SYNONYM_WEIGHT)
        for bigram in tokens.bigrams(query):
            weights.setdefault(bigram, BIGRAM_WEIGHT)
        return weights

    def search(self, query: str, *, kinds: set[str] | None = None, limit: int = 10) -> list[Hit]:
        """The best documents for a query, optionally of some kinds only."""
        if not self._entries:
            return []
        weights = self.query_terms(query)
        average = self._total_length / len(self._entries)
        scores: dict[str, float] = defaultdict(float)
        ideal = 0.0
        for term, weight in weights.items():
            posting = self._postings.get(term)
            idf = self._idf(term)
            if not term.startswith(tokens.BIGRAM_PREFIX):
                ideal += weight * idf * (K1 + 1)
            if not posting:
                continue
            for key, freq in posting.items():
                length = self._entries[key].length
                scores[key] += weight * idf * freq * (K1 + 1) / (freq + K1 * (1 - B + B * length / average))
        asked = facets(query)
        if asked:
            scores = {k: s * _facet_factor(asked, self._entries[k].document.facets) for k, s in scores.items()}
        if kinds:
            scores = {k: s for k, s in scores.items() if self._entries[k].document.kind in kinds}
        else:
            priors = KIND_PRIOR
            if any(cue in query for cue in DEFINITION_CUES):
                priors = KIND_PRIOR_DEFINITION
            elif any(cue in query for cue in LAW_CUES):
                priors = KIND_PRIOR_LAW
            scores = {k: s * priors.get(self._entries[k].document.kind, 1.0) for k, s in scores.items()}
        best = heapq.nlargest(limit, scores.items(), key=lambda kv: kv[1])
        marks = [t for t in weights if not t.startswith(tokens.BIGRAM_PREFIX)]
        return [
            Hit(
                document=self._entries[key].document,
                score=round(score, 4),
                confidence=round(min(1.0, score / ideal) if ideal else 0.0, 4),
                snippet=snippet(self._entries[key].document.snippet_source, marks),
            )
            for key, score in best
        ]


def _facet_factor(asked: frozenset[str], answered: frozenset[str]) -> float:
    if not answered:
        return 1.0
    return FACET_MATCH if asked & answered else FACET_MISMATCH


def snippet(text: str, marks: list[str], width: int = 90) -> str:
    """About ``width`` characters around the densest run of matched words, escaped, words in <mark>."""
    plain = " ".join(text.split())
    lowered = tokens.normalize(plain)
    positions = sorted((lowered.find(word), word) for word in marks if len(word) >= 2)
    positions = [(p, w) for p, w in positions if p >= 0]
    start = 0
    if positions and len(plain) > width:
        best = max(positions, key=lambda pw: sum(1 for p, _ in positions if pw[0] <= p < pw[0] + width))
        start = max(0, best[0] - width // 4)
    window = plain[start : start + width]
    out = html.escape(window)
    for word in sorted({w for _, w in positions}, key=len, reverse=True):
        escaped = html.escape(word)
        out = _mark(out, escaped)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(plain) else ""
    return prefix + out + suffix


def _mark(text: str, word: str) -> str:
    """Wraps case-insensitive occurrences of ``word`` that are not already inside a mark."""
    result, i, lowered = [], 0, text.lower()
    while True:
        j = lowered.find(word, i)
        if j < 0:
            result.append(text[i:])
            return "".join(result)
        inside = text.rfind("<mark>", 0, j) > text.rfind("</mark>", 0, j)
        result.append(text[i:j])
        result.append(text[j : j + len(word)] if inside else f"<mark>{text[j : j + len(word)]}</mark>")
        i = j + len(word)
