"""The storage under the search engine (knowledge/search/engine.py): documents by key and slot, postings by
term, and per-slot arrays of what the ranking reads (kind, facets, aspects, the law and its successor, the items
a document belongs to); add, replace and remove one document at a time. Pure and free of I/O.

Postings are kept as dictionaries for cheap updates and compiled per term into numpy arrays of (document slot,
normalised term frequency) on first use, so a query adds a few vectors instead of looping over thousands of
postings in Python. A term's arrays are recompiled when its postings change or when the average document length
has drifted by more than 5% since they were compiled.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from knowledge.search import ranking, tokens
from knowledge.search.colloquial import COLLOQUIAL
from knowledge.search.facets import FACETS
from knowledge.search.types import Document

K1 = 1.2
B = 0.75
BIGRAM_WEIGHT = 0.7
SYNONYM_WEIGHT = 1.0
KINDS = ("faq", "law", "policy", "glossary", "item")
REMOVED = len(KINDS) + 1
_FACET_BITS = {name: 1 << n for n, name in enumerate(FACETS)}


def facet_bits(names: frozenset[str]) -> int:
    """The facets as bits (FAQ facets are stored and matched as integers)."""
    return sum(_FACET_BITS[name] for name in names if name in _FACET_BITS)


@dataclass
class _Entry:
    document: Document
    slot: int
    tf: dict[str, float]
    length: float


class Store:
    """The indexed documents and their postings (see the module's docstring)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._compiled: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        self._slots: list[_Entry | None] = []
        self._lengths: list[float] = []
        self._kinds: list[int] = []
        self._facets: list[int] = []
        self._standing: list[float] = []
        self._arrays: dict[str, np.ndarray] = {}
        self._laws: list[int] = []
        self._successors: list[int] = []
        self._total_length = 0.0
        self._synonyms: dict[str, list[str]] = {}
        self._aspects: list[int] = []
        self._articles: list[str] = []
        self._owned: list[bool] = []
        self._ties: defaultdict[int, set[int]] = defaultdict(set)
        self._law_ties: defaultdict[int, set[int]] = defaultdict(set)
        self._aspect_cache: frozenset[str] | None = None
        self._title_words: dict[int, frozenset[str]] = {}

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
        self._aspect_cache = None

    def add(self, document: Document) -> None:
        """Adds or replaces a document."""
        self.remove(document.key)
        tf: defaultdict[str, float] = defaultdict(float)
        for text, weight in document.fields:
            for term in tokens.words(text):
                tf[term] += weight
            for term in tokens.bigrams(text):
                tf[term] += weight * BIGRAM_WEIGHT
        slot = len(self._slots)
        entry = _Entry(document, slot, dict(tf), sum(tf.values()) or 1.0)
        self._entries[document.key] = entry
        self._slots.append(entry)
        self._lengths.append(entry.length)
        self._kinds.append(KINDS.index(document.kind) if document.kind in KINDS else len(KINDS))
        self._facets.append(facet_bits(document.facets))
        self._standing.append(document.standing)
        self._arrays.clear()
        self._laws.append(document.law)
        self._successors.append(document.successor)
        self._aspects.append(ranking.aspect_bits(document.aspects))
        self._articles.append(document.meta.get("article", "") if document.kind == "law" else "")
        self._owned.append(bool(document.items))
        for item_id in document.items:
            self._ties[item_id].add(slot)
        for item_id in document.law_items:
            self._law_ties[item_id].add(slot)
        self._total_length += entry.length
        for term, freq in entry.tf.items():
            self._postings[term][slot] = freq
            self._compiled.pop(term, None)

    def remove(self, key: str) -> None:
        """Removes a document if present (its slot stays empty)."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self._total_length -= entry.length
        self._arrays.clear()
        self._slots[entry.slot] = None
        self._title_words.pop(entry.slot, None)
        self._kinds[entry.slot] = REMOVED
        self._laws[entry.slot] = self._successors[entry.slot] = self._aspects[entry.slot] = 0
        self._articles[entry.slot] = ""
        self._owned[entry.slot] = False
        for item_id in entry.document.items:
            self._ties[item_id].discard(entry.slot)
        for item_id in entry.document.law_items:
            self._law_ties[item_id].discard(entry.slot)
        for term in entry.tf:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(entry.slot, None)
                self._compiled.pop(term, None)
                if not posting:
                    del self._postings[term]

    def _array(self, name: str, dtype: type) -> np.ndarray:
        """A per-slot list as a numpy array, kept until the next add or remove."""
        cached = self._arrays.get(name)
        if cached is None:
            cached = self._arrays[name] = np.asarray(getattr(self, name), dtype=dtype)
        return cached

    def _idf(self, term: str) -> float:
        df = len(self._postings.get(term, ()))
        n = len(self._entries)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _compiled_term(self, term: str, average: float) -> tuple[np.ndarray, np.ndarray]:
        cached = self._compiled.get(term)
        if cached is not None and abs(cached[2] - average) <= 0.05 * average:
            return cached[0], cached[1]
        posting = self._postings[term]
        slots = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
        freqs = np.fromiter(posting.values(), dtype=np.float64, count=len(posting))
        lengths = self._array("_lengths", np.float64)[slots]
        normalised = freqs * (K1 + 1) / (freqs + K1 * (1 - B + B * lengths / average))
        self._compiled[term] = (slots, normalised, average)
        return slots, normalised

    def query_terms(self, query: str) -> dict[str, float]:
        """Weighted terms of a query: words, the official words of phrases it contains, bigrams."""
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

    def _aspect_words(self) -> frozenset[str]:
        """Words that ask about an aspect (多久, 材料, 收费…), with the official words they search for, and bigrams
        inside them."""
        if self._aspect_cache is None:
            words: set[str] = set()
            for cues in FACETS.values():
                for cue in cues:
                    words.add(cue)
                    words.update(self._synonyms.get(tokens.normalize(cue), []))
            words |= {w[i : i + 2] for w in list(words) for i in range(len(w) - 1)}
            self._aspect_cache = frozenset(words)
        return self._aspect_cache
