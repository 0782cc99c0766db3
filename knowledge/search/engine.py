"""Search over the in-memory index (the storage is knowledge/search/store.py); pure and free of I/O.

Each document has weighted fields (an FAQ's question counts more than its answer). Scores follow
BM25 (k1 = 1.2, b = 0.75) over field-weighted term frequencies; bigram terms weigh less than words;
query words that are glossary synonyms also search for their canonical term. ``confidence`` divides a
score by the best score the query's words could reach, so one threshold works for short and long queries.
The hand-tuned factors of knowledge/search/ranking.py order all documents; a search over all kinds then has its
first ``rerank.POOL`` candidates reordered by the learned re-ranker (knowledge/search/rerank.py), whose
probabilities become the hits' scores and whose log-odds lead decides whether the first is clearly ahead.
"""

import functools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from knowledge.search import ranking, rerank, tokens
from knowledge.search.facets import facets
from knowledge.search.ranking import LAW_CUES
from knowledge.search.recognise import Recognised, Recogniser
from knowledge.search.snippets import snippet
from knowledge.search.store import K1, KINDS, Store, facet_bits
from knowledge.search.types import Document, Found, Hit

__all__ = ["KINDS", "Document", "Found", "Hit", "Index"]

DIVERSITY_RATIO = 0.4
FACET_MATCH = 1.2
FACET_MISMATCH = 0.9
SUBJECT_SHARE = 0.7
"""An FAQ whose match on a question comes at least this much from the words asking about an aspect (多久, 材料…)
matches the aspect, not the subject: it gets no FACET_MATCH lift."""
FACET_SILENT = 1.0
"""An FAQ about one aspect (materials, time…) when the question asks about none: it is likely a question about a
rule, which an article answers."""
# Across kinds, a question is more likely answered by an FAQ or an article than by a definition,
# unless it asks what something means.
KIND_PRIOR = {"faq": 1.0, "law": 0.95, "policy": 0.8, "glossary": 0.6, "item": 0.9}
KIND_PRIOR_DEFINITION = {"faq": 1.0, "law": 0.9, "policy": 0.8, "glossary": 1.2, "item": 0.5}
KIND_PRIOR_LAW = {"faq": 0.85, "law": 1.25, "policy": 0.8, "glossary": 0.5, "item": 0.6}
CLEAR_RATIO = 0.8
"""Without the learned re-ranker (a search of some kinds only, or no weights), the top hit is clearly ahead when
the second scores below this share of it."""
RULE_CUES = ("吗", "能不能", "可不可以", "要不要", "必须", "谁", "为准", "有效", "随便", "算不算", "行不行", "不")
"""A yes/no question about a rule that asks about no aspect of a procedure (materials, time…) is often answered
by an article: such questions get KIND_PRIOR_RULE."""
KIND_PRIOR_RULE = {"faq": 0.9, "law": 1.15, "policy": 0.8, "glossary": 0.6, "item": 0.9}
DEFINITION_CUES = (
    "什么意思",
    "是什么",
    "指什么",
    "啥意思",
    "含义",
    "什么叫",
    "啥叫",
    "是啥",
    "什么是",
    "怎么理解",
    "指的是",
)


@dataclass(frozen=True)
class _Scored:
    """A query's scores over all slots and what the re-ranker reads besides them."""

    scores: np.ndarray
    kind_codes: np.ndarray
    raw: np.ndarray
    bm25: np.ndarray
    ideal: float
    weights: dict[str, float]
    words: dict[str, float]
    """The query's words (no bigrams, no generic words) and their weight times idf."""
    guide: list[int]
    recognised: Recognised | None
    asked_facets: frozenset[str]


class Index(Store):
    """Searches the stored documents (knowledge/search/store.py): BM25 with the ranking factors, the recogniser
    of the item a question names, and the learned re-ranker."""

    def __init__(self) -> None:
        super().__init__()
        self.recogniser = Recogniser()
        self.ranker: tuple[rerank.Model, float] | None = _default_ranker()

    def search(self, query: str, *, kinds: set[str] | None = None, limit: int = 10) -> list[Hit]:
        """The best documents for a query, optionally of some kinds only."""
        return self.find(query, kinds=kinds, limit=limit).hits

    def find(self, query: str, *, kinds: set[str] | None = None, limit: int = 10) -> Found:
        """The best documents for a query with the item it names and whether the first is clearly ahead."""
        recognised = self.recogniser.recognise(query) if len(self.recogniser) else None
        if not self._entries:
            return Found([], recognised, False)
        scored = self._scored(query, recognised, kinds)
        scores, kind_codes = scored.scores, scored.kind_codes
        learned = self.ranker if not kinds else None
        pool = max(limit, rerank.POOL) if learned is not None else limit
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > pool:
            top = candidates[np.argpartition(-scores[candidates], pool - 1)[:pool]]
        else:
            top = candidates
        ranked = sorted(top.tolist(), key=lambda slot: (-scores[slot], slot))
        logits: dict[int, float] = {}
        if learned is not None and ranked:
            model = learned[0]
            values = model.scores(rerank.features(*self._candidates(query, scored, ranked)))
            logits = dict(zip(ranked, values.tolist(), strict=True))
            ranked = sorted(ranked, key=lambda slot: -logits[slot])[:limit]
        if not kinds and ranked and not logits:  # the re-ranker learned the mix of kinds itself
            ranked = self._diversified(ranked, scores, kind_codes, limit)
        ranked = self._in_force_first(ranked, scores, limit)
        marks = [t for t in scored.weights if not t.startswith(tokens.BIGRAM_PREFIX)]
        tied = self._ties.get(recognised.item_id, set()) if recognised else set()
        shown = self._shown_scores(ranked, scores, logits)
        hits = []
        for slot in ranked:
            entry = self._slots[slot]
            assert entry is not None
            elsewhere = recognised is not None and self._owned[slot] and slot not in tied
            confidence = ranking.confidence(
                float(scored.raw[slot]), scored.ideal, tied=slot in tied, elsewhere=elsewhere
            )
            if slot in scored.guide and recognised is not None and recognised.exact:
                confidence = max(confidence, ranking.GUIDE_CONFIDENCE)
            hits.append(
                Hit(
                    document=entry.document,
                    score=round(shown[slot], 4),
                    confidence=round(confidence, 4),
                    snippet=snippet(entry.document.snippet_source, marks),
                )
            )
        if logits and learned is not None:
            first, second = (logits.get(s, -math.inf) for s in [*ranked, -1][:2])
            clear = bool(ranked) and first - second >= learned[1]
        else:
            runner_up = float(scores[ranked[1]]) if len(ranked) > 1 else 0.0
            clear = bool(ranked) and runner_up < CLEAR_RATIO * float(scores[ranked[0]])
        return Found(hits, recognised, clear, ranking.focused(query, recognised is not None))

    def candidates(self, query: str, pool: int = rerank.POOL) -> tuple[rerank.Question, list[rerank.Candidate]]:
        """The engine's best ``pool`` candidates for a query with the re-ranker's signals, in the engine's order
        (bench/knowledge_ranker.py learns from them)."""
        recognised = self.recogniser.recognise(query) if len(self.recogniser) else None
        if not self._entries:
            return rerank.question_flags(query, asked_facets=facets(query), recognised=False, wants_guide=False), []
        scored = self._scored(query, recognised, None)
        candidates = np.flatnonzero(scored.scores > 0)
        ranked = sorted(candidates.tolist(), key=lambda slot: (-scored.scores[slot], slot))[:pool]
        return self._candidates(query, scored, ranked)

    def _shown_scores(self, ranked: list[int], scores: np.ndarray, logits: dict[int, float]) -> dict[int, float]:
        """A hit's score: the re-ranker's probability among the candidates when it ranked them, else the engine's."""
        if not logits:
            return {slot: float(scores[slot]) for slot in ranked}
        probabilities = rerank.softmax(np.asarray(list(logits.values())))
        by_slot = dict(zip(logits, probabilities.tolist(), strict=True))
        return {slot: by_slot.get(slot, 0.0) for slot in ranked}

    def _scored(self, query: str, recognised: Recognised | None, kinds: set[str] | None) -> "_Scored":
        """Every document's score for a query: BM25 over the query's weighted terms, times the facet, kind and
        ranking factors, with the named item's guide put first when it is what the question asks for."""
        weights = self.query_terms(query)
        if recognised is not None:
            named = tokens.normalize(recognised.matched)
            for term in weights:
                if term.removeprefix(tokens.BIGRAM_PREFIX) in named:
                    weights[term] *= ranking.MATCHED_WEIGHT
        average = self._total_length / len(self._entries)
        scores = np.zeros(len(self._slots), dtype=np.float64)
        generic = np.zeros(len(self._slots), dtype=np.float64)
        aspect = np.zeros(len(self._slots), dtype=np.float64)
        aspect_words = self._aspect_words()
        ideal = 0.0
        words: dict[str, float] = {}
        for term, weight in weights.items():
            idf = self._idf(term)
            vague = ranking.is_generic(term.removeprefix(tokens.BIGRAM_PREFIX))
            if not term.startswith(tokens.BIGRAM_PREFIX) and not vague:
                ideal += weight * idf * (K1 + 1)
                words[term] = weight * idf
            if term in self._postings:
                slots, normalised = self._compiled_term(term, average)
                scores[slots] += weight * idf * normalised
                if vague:
                    generic[slots] += weight * idf * normalised
                if term.removeprefix(tokens.BIGRAM_PREFIX) in aspect_words:
                    aspect[slots] += weight * idf * normalised
        bm25 = scores.copy()
        kind_codes = self._array("_kinds", np.int64)
        scores *= self._array("_standing", np.float64)
        asked_facets = facets(query)
        asked = facet_bits(asked_facets)
        answered = self._array("_facets", np.int64)
        if asked:
            # an FAQ about the asked aspect of something the question does not mention (排水许可证有效期多久 for
            # 临时用地能用多久) matches on the aspect's words alone: it gets no lift for the aspect
            about = aspect < SUBJECT_SHARE * np.maximum(scores, 1e-9)
            lift = np.where(about, FACET_MATCH, 1.0)
            scores *= np.where(answered == 0, 1.0, np.where(answered & asked, lift, FACET_MISMATCH))
        elif FACET_SILENT != 1.0:
            scores *= np.where(answered == 0, 1.0, FACET_SILENT)
        if kinds:
            allowed = np.isin(kind_codes, [KINDS.index(k) for k in kinds if k in KINDS])
            scores = np.where(allowed, scores, 0.0)
        else:
            priors = KIND_PRIOR
            if any(cue in query for cue in DEFINITION_CUES):
                priors = KIND_PRIOR_DEFINITION
            elif any(cue in query for cue in LAW_CUES):
                priors = KIND_PRIOR_LAW
            elif not asked and any(cue in query for cue in RULE_CUES):
                priors = KIND_PRIOR_RULE
            prior_by_code = np.array([priors.get(k, 1.0) for k in KINDS] + [1.0, 0.0])
            scores *= prior_by_code[kind_codes]
        raw = scores * (1.0 - np.divide(generic, scores, out=np.zeros_like(scores), where=scores > 0))
        factors, guide = self._factors(query, recognised, kind_codes)
        scores *= factors
        guide = self._guide_first(query, recognised, scores, kind_codes, guide)
        return _Scored(scores, kind_codes, raw, bm25, ideal, weights, words, guide, recognised, asked_facets)

    def _candidates(
        self, query: str, scored: "_Scored", ranked: list[int]
    ) -> tuple[rerank.Question, list[rerank.Candidate]]:
        """The re-ranker's signals for the candidates ``ranked`` (knowledge/search/rerank.py)."""
        recognised = scored.recognised
        tied = self._ties.get(recognised.item_id, set()) if recognised else set()
        law_tied = self._law_ties.get(recognised.item_id, set()) if recognised else set()
        asked = facet_bits(scored.asked_facets)
        wanted = ranking.aspect_bits(ranking.asks(query) - ({"procedure"} if recognised is None else set()))
        named = ranking.article_numbers(query)
        total = sum(scored.words.values()) or 1.0
        pairs = {t: w * self._idf(t) for t, w in scored.weights.items() if t.startswith(tokens.BIGRAM_PREFIX)}
        pairs_total = sum(pairs.values()) or 1.0
        out = []
        for slot in ranked:
            entry = self._slots[slot]
            assert entry is not None
            title = self._title_words.get(slot)
            if title is None:
                text = entry.document.title
                title = self._title_words[slot] = frozenset([*tokens.words(text), *tokens.bigrams(text)])
            answered, answers = self._facets[slot], self._aspects[slot]
            out.append(
                rerank.Candidate(
                    document=entry.document,
                    score=float(scored.scores[slot]),
                    bm25=float(scored.bm25[slot]),
                    confidence=float(scored.raw[slot]) / scored.ideal if scored.ideal > 0 else 0.0,
                    title_cover=sum(w for t, w in scored.words.items() if t in title) / total,
                    matched=sum(w for t, w in scored.words.items() if t in entry.tf) / total,
                    tied=slot in tied,
                    law_tied=slot in law_tied,
                    elsewhere=recognised is not None and self._owned[slot] and slot not in tied,
                    guide=slot in scored.guide,
                    facet_match=bool(asked and answered & asked),
                    facet_mismatch=bool(asked and answered and not answered & asked),
                    aspect_match=bool(wanted and answers & wanted),
                    aspect_mismatch=bool(wanted and answers and not answers & wanted),
                    article_named=bool(named) and self._articles[slot] in named,
                    bigrams_matched=sum(w for t, w in pairs.items() if t in entry.tf) / pairs_total,
                    title_bigrams=sum(w for t, w in pairs.items() if t in title) / pairs_total,
                )
            )
        question = rerank.question_flags(
            query,
            asked_facets=scored.asked_facets,
            recognised=recognised is not None,
            wants_guide=ranking.wants_guide(query, scored.asked_facets),
        )
        return question, out

    def _factors(
        self, query: str, recognised: Recognised | None, kind_codes: np.ndarray
    ) -> tuple[np.ndarray, list[int]]:
        """Per-document factors of knowledge/search/ranking.py (the named item, what is asked, a named article),
        and the named item's guide when the question asks what to do."""
        factors = np.ones(len(self._slots), dtype=np.float64)
        guide: list[int] = []
        asked = ranking.asks(query)
        if recognised is not None and not any(cue in query for cue in DEFINITION_CUES):
            item_code = KINDS.index("item")
            others = kind_codes == item_code
            factors[others] = ranking.OTHER_ITEM
            # FAQs that belong to no item (the centre's hours, appointments) are not another item's
            owned = self._array("_owned", np.bool_)
            factors[(kind_codes == KINDS.index("faq")) & owned] = ranking.OTHER_ITEM_FAQ
            law_tied = list(self._law_ties.get(recognised.item_id, ()))
            factors[law_tied] = ranking.LAW_TIE
            tied = list(self._ties.get(recognised.item_id, ()))
            factors[tied] = ranking.ITEM_TIE
            narrower = facets(query) or asked - {"procedure"}
            bare = not tokens.words(query.replace(recognised.matched, " "))  # just the item's name: its guide
            if ("procedure" in asked or bare) and not narrower:
                guide = [s for s in tied if kind_codes[s] == item_code]
                factors[guide] *= ranking.PROCEDURE_GUIDE
        if facets(query) or asked - ranking.GUIDE_ASKS:
            factors[kind_codes == KINDS.index("item")] *= ranking.GUIDE_UNASKED
        bits = ranking.aspect_bits(asked - ({"procedure"} if recognised is None else set()))
        if bits:
            answers = self._array("_aspects", np.int64)
            silent = ranking.ASK_MISMATCH if asked & ranking.STRONG else 1.0
            factors *= np.where(answers & bits, ranking.ASK_MATCH, np.where(answers == 0, silent, ranking.ASK_MISMATCH))
        overview = ranking.aspect_bits({ranking.OVERVIEW})
        factors[self._array("_aspects", np.int64) == overview] *= ranking.OVERVIEW_FACTOR
        named = ranking.article_numbers(query)
        if named:
            hits = [slot for slot, number in enumerate(self._articles) if number in named]
            factors[hits] *= ranking.ARTICLE_NAMED
        return factors, guide

    def _guide_first(
        self, query: str, recognised: Recognised | None, scores: np.ndarray, kind_codes: np.ndarray, guide: list[int]
    ) -> list[int]:
        """Puts an item's guide first when the question asks what to do about it (手续, 找谁, 办什么) and nothing
        narrower: the item the recogniser found, or else the item whose documents hold most of the best scores
        ("再婚想再生一个要办什么审批" names no item, but the 再生育 FAQs lead: its guide is the answer). Returns the
        guide slots that answer the question this way."""
        bare = False
        if recognised is not None:
            rest = query.replace(recognised.matched, " ")
            for cue in ranking.ASKS["procedure"]:
                rest = rest.replace(cue, " ")
            bare = not tokens.words(rest)
        asked = facets(query)
        if recognised is not None and asked == {"place"} and not self._answers_place(recognised.item_id, kind_codes):
            asked = frozenset()  # where to go: the guide says (办理地点), when no FAQ of the item is about it
        if not ranking.wants_guide(query, asked, bare=bare) or not scores.size:
            return guide
        item_code = KINDS.index("item")
        if recognised is not None:
            item_id: int | None = recognised.item_id
        else:
            item_id = self._implied_item(scores, kind_codes)
        if item_id is None:
            return guide
        slots = [s for s in self._ties.get(item_id, ()) if kind_codes[s] == item_code]
        if not slots:
            return guide
        best = float(scores.max())
        for slot in slots:
            scores[slot] = max(float(scores[slot]), best * ranking.GUIDE_LEAD)
        return slots if recognised is not None else guide

    def _answers_place(self, item_id: int, kind_codes: np.ndarray) -> bool:
        """Whether one of the item's FAQs says where it is done."""
        place = facet_bits(frozenset({"place"}))
        faq = KINDS.index("faq")
        return any(kind_codes[s] == faq and self._facets[s] & place for s in self._ties.get(item_id, ()))

    def _implied_item(self, scores: np.ndarray, kind_codes: np.ndarray) -> int | None:
        """The item most of the best-scoring FAQs and guides belong to, when one clearly leads (None otherwise)."""
        pool = np.flatnonzero((scores > 0) & ((kind_codes == KINDS.index("faq")) | (kind_codes == KINDS.index("item"))))
        if pool.size == 0:
            return None
        top = pool[np.argsort(-scores[pool])[: ranking.IMPLIED_POOL]]
        mass: defaultdict[int, float] = defaultdict(float)
        for slot in top.tolist():
            entry = self._slots[slot]
            if entry is not None:
                for item_id in entry.document.items:
                    mass[item_id] += float(scores[slot])
        if not mass:
            return None
        item_id, held = max(mass.items(), key=lambda kv: kv[1])
        total = float(scores[top].sum())
        first = self._slots[int(top[0])]
        leads = first is not None and item_id in first.document.items
        return item_id if leads and held >= ranking.IMPLIED_SHARE * total else None

    def _in_force_first(self, ranked: list[int], scores: np.ndarray, limit: int) -> list[int]:
        """Puts the best-matching article of the law that replaced a repealed or superseded one right before it,
        so a reader meets the law in force first (however well the old wording matched)."""
        if not any(self._successors[slot] for slot in ranked):
            return ranked
        laws = self._array("_laws", np.int64)
        out: list[int] = []
        for slot in ranked:
            successor = self._successors[slot]
            if successor and slot not in out:
                of_law = np.where(laws == successor, scores, 0.0)
                best = int(np.argmax(of_law))
                if of_law[best] > 0 and best not in out:
                    out.append(best)
            if slot not in out:
                out.append(slot)
        return out[:limit]

    def _diversified(self, ranked: list[int], scores: np.ndarray, kind_codes: np.ndarray, limit: int) -> list[int]:
        """Makes sure the best FAQ and the best law article both show in the first three when each scores
        at least ``DIVERSITY_RATIO`` of the best: a question about a rule is often answered by both."""
        best = float(scores[ranked[0]])
        for code in (KINDS.index("faq"), KINDS.index("law")):
            if any(kind_codes[s] == code for s in ranked[:3]):
                continue
            of_kind = np.where(kind_codes == code, scores, 0.0)
            slot = int(np.argmax(of_kind))
            if of_kind[slot] >= DIVERSITY_RATIO * best and slot not in ranked[:3]:
                ranked = [s for s in ranked if s != slot]
                ranked.insert(min(2, len(ranked)), slot)
        return ranked[:limit]


@functools.cache
def _default_ranker() -> tuple[rerank.Model, float] | None:
    """The learned re-ranker of knowledge/search/ranker_weights.json, read once per process."""
    return rerank.load()
