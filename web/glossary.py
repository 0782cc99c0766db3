"""政务百科 in running text: the ``glossary`` template filter marks published terms with their explanation.

The filter escapes the plain text it is given and wraps the first occurrence of each published term
(longest match first, never one mark inside another, never inside a title in 《》 or a link) in a focusable span whose tooltip explains it. The
term list is cached per process; it is reloaded when the knowledge generation changes (looked at no more
than once a second) and at once when this process publishes or archives something.
"""

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import get_sessionmaker
from knowledge import service as knowledge_service
from knowledge.models import KnowledgeGeneration

CHECK_EVERY_SECONDS = 1.0


@dataclass
class _Cache:
    explanations: dict[str, str] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None
    generation: tuple[int, datetime | None] | None = None
    checked: float = 0.0


_cache = _Cache()
_lock = threading.Lock()


def _generation(db: Session) -> tuple[int, datetime | None]:
    row = db.get(KnowledgeGeneration, 1)
    return (row.value, row.changed_at) if row else (0, None)


def _load(db: Session) -> tuple[dict[str, str], re.Pattern[str] | None]:
    rows = knowledge_service.list_glossary(db=db)
    explanations = {t.term: t.explanation for t in rows if t.term.strip()}
    if not explanations:
        return {}, None
    ordered = sorted(explanations, key=lambda t: (-len(t), t))  # longest first: the alternation prefers it
    return explanations, re.compile("|".join(re.escape(t) for t in ordered))


def _current() -> tuple[dict[str, str], re.Pattern[str] | None]:
    """The published terms, reloaded when the knowledge generation moved."""
    cache = _cache
    if cache.generation is not None and time.monotonic() - cache.checked < CHECK_EVERY_SECONDS:
        return cache.explanations, cache.pattern
    with _lock:
        if cache.generation is not None and time.monotonic() - cache.checked < CHECK_EVERY_SECONDS:
            return cache.explanations, cache.pattern
        with get_sessionmaker()() as db:
            generation = _generation(db)
            if generation != cache.generation:
                cache.explanations, cache.pattern = _load(db)
                cache.generation = generation
            db.rollback()
        cache.checked = time.monotonic()
        return cache.explanations, cache.pattern


def invalidate() -> None:
    """Makes the next use look at the database again."""
    _cache.checked = 0.0
    _cache.generation = None


def reset() -> None:
    """Forgets the cached terms (tests)."""
    global _cache
    _cache = _Cache()


@event.listens_for(Session, "after_flush")
def _note_generation(session: Session, _context: Any) -> None:
    if any(isinstance(row, KnowledgeGeneration) for row in (*session.new, *session.dirty)):
        session.info["knowledge_changed"] = True


@event.listens_for(Session, "after_commit")
def _generation_committed(session: Session) -> None:
    # a publish or archive in this process: show it on the next page without waiting for the check
    if session.info.pop("knowledge_changed", False):
        invalidate()


def _mark(term: str, explanation: str) -> str:
    tip = escape(explanation)
    return (
        f'<span class="term" tabindex="0" data-tip="{tip}">{escape(term)}<sup>?</sup>'
        f'<span class="tip" role="tooltip">{tip}</span></span>'
    )


_TITLE = re.compile(r"《[^《》]*》")
"""A document's title (《中华人民共和国行政许可法》): a term inside it is part of a name, not prose to explain."""
_URL = re.compile(r"https?://[^\s<>\"'，。；、）)]+", re.IGNORECASE)
_LINK_OR_TAG = re.compile(r"<a\b[^>]*>.*?</a\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
"""In markup given as it is (already safe): a link's whole text and any tag are left alone."""


def _protected(text: str, is_markup: bool) -> list[tuple[int, int]]:
    """The stretches of ``text`` where no term is marked: titles in 《》, addresses and, in markup, links and tags."""
    spans = [m.span() for m in _TITLE.finditer(text)] + [m.span() for m in _URL.finditer(text)]
    if is_markup:
        spans += [m.span() for m in _LINK_OR_TAG.finditer(text)]
    return spans


def glossary(value: Any) -> Markup:
    """Text with each published term marked once (outside titles and links) and explained in a tooltip. Plain text
    is escaped; markup (``Markup``, e.g. a snippet with its own links) is kept as it is."""
    if value is None:
        return Markup("")
    is_markup = isinstance(value, Markup)
    text = str(value)
    explanations, pattern = _current()
    if pattern is None or not text:
        return Markup(text) if is_markup else Markup(escape(text))
    keep = Markup if is_markup else escape
    protected = _protected(text, is_markup)
    parts: list[str] = []
    marked: set[str] = set()
    position = 0
    for found in pattern.finditer(text):
        term = found.group(0)
        if term in marked or any(start < found.end() and found.start() < end for start, end in protected):
            continue
        marked.add(term)
        parts.append(str(keep(text[position : found.start()])))
        parts.append(_mark(term, explanations[term]))
        position = found.end()
    parts.append(str(keep(text[position:])))
    return Markup("".join(parts))


def install(env: Any) -> None:
    """Adds the filter to a Jinja environment."""
    env.filters["glossary"] = glossary
