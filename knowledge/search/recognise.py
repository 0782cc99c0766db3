"""Which service item a question is about, from the names people use for it.

Each item is known by its name, the name without a trailing 核发/审批/办理 or a bracketed part, its aliases (简称、
俗称 kept on the item) and the glossary synonyms of any of those. A question names an item when one of these phrases
appears in it; phrases of four or more characters also match with one character wrong (施公许可证, 二手房过护), since
people type fast on phones. The longest phrase found wins (过户 loses to 二手房过户 when both name items), an exact
match beats a near one of the same length. An alias written with "…" names words that may stand apart, in that
order, at most ``GAP`` characters apart ("树…砍" matches "门口的树想砍掉"). Search and the bot use the same
recogniser, so both understand a question the same way.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.search import tokens

FUZZY_MIN = 4
"""Phrases at least this long match with one character wrong."""
GAP = 6
"""At most this many characters between the parts of a "…" alias."""
SPLIT = "…"
_SUFFIXES = ("核发", "审批", "办理")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Recognised:
    """An item a question names."""

    item_id: int
    name: str
    matched: str
    """The words of the question that named the item, as the person wrote them."""
    exact: bool


def phrases_of(name: str, aliases: Iterable[str]) -> set[str]:
    """The phrases an item is known by (normalised)."""
    out = {name, *aliases}
    bare = _BRACKETS.sub("", name).strip("《》")
    out.add(bare)
    for suffix in _SUFFIXES:
        if bare.endswith(suffix) and len(bare) - len(suffix) >= 3:
            out.add(bare[: -len(suffix)])
    return {p.strip() for p in out if len(p.strip()) >= 2}


class Recogniser:
    """Phrase → items, with a bigram index so a near match is looked for only among phrases sharing a bigram."""

    def __init__(self) -> None:
        self._items: dict[int, str] = {}
        self._phrases: dict[str, set[int]] = defaultdict(set)
        self._by_bigram: dict[str, set[str]] = defaultdict(set)
        self._patterns: dict[tuple[str, ...], set[int]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item_id: int, name: str, phrases: Iterable[str]) -> None:
        """Makes an item known by these phrases (besides the ones it had)."""
        self._items[item_id] = name
        for phrase in phrases:
            phrase = tokens.normalize(phrase).strip().replace("...", SPLIT)  # NFKC turns … into ...
            if SPLIT in phrase:
                parts = tuple(p for p in phrase.split(SPLIT) if p)
                if len(parts) >= 2:
                    self._patterns[parts].add(item_id)
                continue
            if len(phrase) < 2:
                continue
            self._phrases[phrase].add(item_id)
            if len(phrase) >= FUZZY_MIN:
                for i in range(len(phrase) - 1):
                    self._by_bigram[phrase[i : i + 2]].add(phrase)

    def phrases(self, item_id: int) -> list[str]:
        """The phrases an item is known by (for tests and the admin)."""
        plain = [p for p, ids in self._phrases.items() if item_id in ids]
        return sorted(plain + [SPLIT.join(p) for p, ids in self._patterns.items() if item_id in ids])

    def recognise(self, text: str) -> Recognised | None:
        """The item the text is most clearly about, or None."""
        found = self.all(text)
        return found[0] if found else None

    def all(self, text: str) -> list[Recognised]:
        """Every item the text names, the most clearly named first."""
        query = tokens.normalize(text)
        best: dict[int, tuple[int, bool, bool, int, str]] = {}
        for phrase, ids in self._phrases.items():
            at = query.find(phrase)
            if at >= 0:
                for item_id in ids:
                    _keep(best, item_id, (len(phrase), True, True, -at, text[at : at + len(phrase)]))
        for phrase, at in self._near(query):
            for item_id in self._phrases[phrase]:
                _keep(best, item_id, (len(phrase), False, True, -at, text[at : at + len(phrase)]))
        for parts, ids in self._patterns.items():
            span = _spread(query, parts)
            if span is not None:
                for item_id in ids:
                    _keep(best, item_id, (sum(map(len, parts)), True, False, -span[0], text[span[0] : span[1]]))
        ranked = sorted(best.items(), key=lambda kv: (kv[1][:4], -kv[0]), reverse=True)
        return [Recognised(item_id, self._items[item_id], found[4], found[1]) for item_id, found in ranked]

    def _near(self, query: str) -> list[tuple[str, int]]:
        """(phrase, position) for phrases found in the query with exactly one Chinese character different."""
        shared: dict[str, int] = defaultdict(int)
        for i in range(len(query) - 1):
            for phrase in self._by_bigram.get(query[i : i + 2], ()):
                shared[phrase] += 1
        out = []
        for phrase, count in shared.items():
            n = len(phrase)
            if count < n - 3 or phrase in query:  # one wrong character spoils at most two of its n-1 bigrams
                continue
            for at in range(len(query) - n + 1):
                window = query[at : at + n]
                diff = [j for j in range(n) if window[j] != phrase[j]]
                if len(diff) == 1 and _CJK.match(window[diff[0]]):
                    out.append((phrase, at))
                    break
        return out


def _spread(query: str, parts: tuple[str, ...]) -> tuple[int, int] | None:
    """The shortest (start, end) of the parts found in order, each at most GAP characters after the previous one."""
    shortest: tuple[int, int] | None = None
    start = query.find(parts[0])
    while start >= 0:
        end, ok = start + len(parts[0]), True
        for part in parts[1:]:
            at = query.find(part, end)
            if at < 0 or at - end > GAP:
                ok = False
                break
            end = at + len(part)
        if ok and (shortest is None or end - start < shortest[1] - shortest[0]):
            shortest = (start, end)
        start = query.find(parts[0], start + 1)
    return shortest


def _keep(
    best: dict[int, tuple[int, bool, bool, int, str]], item_id: int, found: tuple[int, bool, bool, int, str]
) -> None:
    """Keeps the clearest mention of an item: longest, then exact, then contiguous, then earliest."""
    if item_id not in best or found[:4] > best[item_id][:4]:
        best[item_id] = found
