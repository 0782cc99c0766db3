"""The text shown for a hit: a highlighted snippet and a plain excerpt that ends at the end of a sentence.

Stored texts keep their line breaks (an article's items, an answer typed with returns); folding them into spaces
would leave gaps between Chinese words ("施工 许可证"), so whitespace next to a Chinese character or punctuation
mark is dropped and elsewhere (between Latin words) kept as one space.
"""

import html
import re

from knowledge.search import tokens

_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_GAP = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SENTENCE_END = "。！？；!?;"
_WIDE = re.compile(r"[\uff00-\uffef\u3000\u2460-\u24ff\u3200-\u33ff\ufb00-\ufb4f]")
"""Characters NFKC rewrites in government text (full-width forms, circled numbers, ligatures)."""


def plain(text: str) -> str:
    """The text on one line, without gaps between Chinese words."""
    return _GAP.sub("", " ".join(text.split()))


def excerpt(text: str, limit: int = 300) -> str:
    """The text's first sentences within ``limit`` characters, never cut inside a sentence (a sentence longer
    than the limit is cut with "…")."""
    whole = plain(text)
    if len(whole) <= limit:
        return whole
    end = max(whole.rfind(mark, 0, limit) for mark in _SENTENCE_END)
    return whole[: end + 1] if end > 0 else whole[: limit - 1] + "…"


def snippet(text: str, marks: list[str], width: int = 90) -> str:
    """About ``width`` characters around the densest run of matched words, escaped, words in <mark>; it starts
    at a sentence start and ends at a sentence end when one is within reach, so it does not stop mid-word."""
    whole = plain(text)
    lowered = tokens.normalize(whole) if _WIDE.search(whole) else whole.lower()  # NFKC only when it changes things
    positions = sorted((lowered.find(word), word) for word in marks if len(word) >= 2)
    positions = [(p, w) for p, w in positions if p >= 0]
    start = 0
    if positions and len(whole) > width:
        best = max(positions, key=lambda pw: sum(1 for p, _ in positions if pw[0] <= p < pw[0] + width))
        start = max(0, best[0] - width // 4)
        sentence = max(whole.rfind(mark, 0, start) for mark in _SENTENCE_END) + 1
        if 0 < start - sentence <= width // 3 or (sentence == 0 and start <= width // 3):
            start = sentence
    end = min(len(whole), start + width)
    if end < len(whole):
        stops = [i for i in (whole.find(mark, end - width // 3) for mark in _SENTENCE_END) if 0 <= i < end + 30]
        if stops:
            end = min(stops) + 1
    out = html.escape(whole[start:end])
    # longest first, ties by the word itself: the same marks in every process (a set's order is not)
    for word in sorted({w for _, w in positions}, key=lambda w: (-len(w), w)):
        out = _mark(out, html.escape(word))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(whole) else ""
    return prefix + out.replace("</mark><mark>", "") + suffix  # neighbouring matches (施工, 许可证) read as one


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
