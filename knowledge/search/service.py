"""The process-wide search index, kept fresh from the database.

Each process holds its own index. At most once a second a search reads the knowledge generation; when
another process published or archived something, the rows changed since the last sync are re-indexed
(not the whole index), so a publish is searchable everywhere within about a second. Service items are indexed
too (their guides, and the recogniser of knowledge/search/recognise.py); an edit of the catalogue, which does not
touch the knowledge generation, is noticed by the catalogue's own signature (count and latest change) and
rebuilds the index, since an item's name and legal basis tie FAQs and articles to it.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import rate_limit
from core.db import get_sessionmaker, mark_for_writing
from core.errors import ValidationFailed
from core.items.models import ServiceItem
from knowledge import service as knowledge_service
from knowledge.models import Faq, GlossaryTerm, KnowledgeGeneration, Law, Policy, UnansweredQuestion
from knowledge.search import tokens
from knowledge.search.colloquial import COLLOQUIAL
from knowledge.search.documents import (
    Citations,
    faq_documents,
    glossary_documents,
    item_documents,
    law_documents,
    policy_documents,
)
from knowledge.search.engine import Document, Found, Hit, Index
from knowledge.search.recognise import Recogniser, phrases_of

KINDS = ("faq", "law", "policy", "glossary", "item")
MAX_QUERY = 200
CHECK_EVERY_SECONDS = 1.0
ANSWERED_CONFIDENCE = 0.3
"""Below this a question counts as unanswered (tuned on the dev half of tests/knowledge/colloquial_questions.json
and on questions outside the platform's services, tests/knowledge/test_ranking.py)."""
ANSWERED_FOCUSED = 0.2
"""The threshold for a question that names an item or asks something particular (``Found.focused``): penalty and
rule questions in everyday words ("没拿到许可就干了会怎么处理") match the article that answers them with fewer
words. Tuned on the dev split: 10 more right answers there, none more of the bot's 85 out-of-scope examples."""
_SYNC_OVERLAP = timedelta(seconds=5)
_EPOCH = datetime(2000, 1, 1)


@dataclass
class _State:
    index: Index
    generation: int = -1
    synced_at: datetime | None = None
    checked: float = 0.0
    keys: dict[str, set[str]] | None = None
    catalogue: tuple[int, datetime | None] = (-1, None)


_state = _State(Index(), keys={})
_lock = threading.Lock()


def _generation(db: Session) -> int:
    row = db.get(KnowledgeGeneration, 1)
    return row.value if row else 0


def _documents(db: Session, since: datetime | None) -> tuple[list[tuple[str, list[Document] | None]], datetime]:
    """(entity key, documents or None when no longer published) for rows changed since ``since``."""
    items = list(db.scalars(select(ServiceItem)))
    item_names = {i.id: i.name for i in items}
    citations = Citations.of(i for i in items if i.is_published)
    published_laws = select(Law.id, Law.title).where(Law.status == knowledge_service.PUBLISHED)
    law_titles = {law_id: title for law_id, title in db.execute(published_laws)}
    out: list[tuple[str, list[Document] | None]] = []
    latest = since or _EPOCH
    sources: tuple[tuple[Any, Any], ...] = (
        (Faq, lambda r: faq_documents(r, item_names.get(r.service_item_id or 0, ""))),
        (Law, lambda r: law_documents(r, law_titles.get(r.replaced_by_id or 0), citations)),
        (Policy, policy_documents),
        (GlossaryTerm, glossary_documents),
    )
    for model, build in sources:
        query = select(model)
        if since is not None:
            query = query.where(model.updated_at >= since - _SYNC_OVERLAP)
        for row in db.scalars(query):
            key = f"{model.__tablename__}:{row.id}"
            out.append((key, build(row) if row.status == knowledge_service.PUBLISHED else None))
            latest = max(latest, row.updated_at)
    if since is None:
        out += [(f"service_item:{i.id}", item_documents(i) or None) for i in items]
    return out, latest


def _catalogue(db: Session) -> tuple[int, datetime | None]:
    """The catalogue's signature: how many items, and when the latest changed."""
    count, latest = db.execute(select(func.count(ServiceItem.id), func.max(ServiceItem.updated_at))).one()
    return int(count), latest


def recogniser(db: Session) -> Recogniser:
    """The item recogniser: each published item by its phrases (knowledge/search/recognise.py), the glossary
    synonyms of those phrases and the colloquial words that mean the item (knowledge/search/colloquial.py)."""
    synonyms: dict[str, set[str]] = {}
    for term in db.scalars(select(GlossaryTerm).where(GlossaryTerm.status == knowledge_service.PUBLISHED)):
        group = {term.term, *term.synonyms}
        for word in group:
            synonyms.setdefault(tokens.normalize(word), set()).update(group)
    out = Recogniser()
    for item in db.scalars(select(ServiceItem).where(ServiceItem.is_published.is_(True))):
        phrases = phrases_of(item.name, item.aliases or [])
        phrases |= {s for p in list(phrases) for s in synonyms.get(p, set())}
        phrases |= {colloquial for colloquial, officials in COLLOQUIAL.items() if item.name in officials}
        out.add(item.id, item.name, phrases)
    return out


def refresh(db: Session, *, force: bool = False) -> Index:
    """Brings this process's index up to date with the database (cheaply when nothing changed)."""
    state = _state
    if not force and time.monotonic() - state.checked < CHECK_EVERY_SECONDS and state.generation >= 0:
        return state.index
    with _lock:
        generation, catalogue = _generation(db), _catalogue(db)
        state.checked = time.monotonic()
        if generation == state.generation and catalogue == state.catalogue and not force:
            return state.index
        full = state.synced_at is None or force or catalogue != state.catalogue
        if full:
            _load_words(db)
            state.index, state.keys = Index(), {}
        changed, latest = _documents(db, None if full else state.synced_at)
        assert state.keys is not None
        for entity, docs in changed:
            for key in state.keys.pop(entity, set()):
                state.index.remove(key)
            if docs:
                for doc in docs:
                    state.index.add(doc)
                state.keys[entity] = {d.key for d in docs}
        if full or any(e.startswith("glossary_term:") for e, _ in changed):
            terms = knowledge_service.list_glossary(db=db)
            state.index.set_synonyms((t.term, t.synonyms) for t in terms)
            state.index.recogniser = recogniser(db)
        state.generation, state.synced_at, state.catalogue = generation, latest, catalogue
        return state.index


def _load_words(db: Session) -> None:
    words = [t.term for t in db.scalars(select(GlossaryTerm))]
    words += [w for i in db.scalars(select(ServiceItem)) for w in [i.name, *(i.aliases or [])] if "…" not in w]
    words += [law.title for law in db.scalars(select(Law))]
    tokens.add_words(words)


def invalidate() -> None:
    """Makes this process look at the database on its next search (after a publish here)."""
    _state.checked = 0.0


def reset() -> None:
    """Forgets the index (tests)."""
    global _state
    _state = _State(Index(), keys={})


def clean_query(q: str | None) -> str:
    """The query as searched, or a Chinese error a person can act on."""
    text = " ".join((q or "").split())
    if not text:
        raise ValidationFailed("请输入要查询的问题或关键词", field="q")
    if len(text) > MAX_QUERY:
        raise ValidationFailed(f"查询内容过长，请控制在{MAX_QUERY}字以内", field="q")
    return text


def search(db: Session, q: str | None, *, kind: str = "all", limit: int = 10) -> list[Hit]:
    """Ranked hits for a question, over one kind or all."""
    return find(db, q, kind=kind, limit=limit).hits


def find(db: Session, q: str | None, *, kind: str = "all", limit: int = 10) -> Found:
    """Ranked hits for a question, over one kind or all, with the item the question names and whether the first
    hit is clearly ahead of the second."""
    text = clean_query(q)
    if kind != "all" and kind not in KINDS:
        raise ValidationFailed("kind 应为 faq、law、policy、glossary、item 或 all", field="kind")
    if not 1 <= limit <= 50:
        raise ValidationFailed("limit 应在 1–50 之间", field="limit")
    index = refresh(db)
    return index.find(text, kinds=None if kind == "all" else {kind}, limit=limit)


def is_answered(hits: list[Hit], *, focused: bool = False) -> bool:
    """True when the best hit is good enough to answer with (``focused``: see ``Found.focused``)."""
    return bool(hits) and hits[0].confidence >= (ANSWERED_FOCUSED if focused else ANSWERED_CONFIDENCE)


def record_unanswered(db: Session, q: str, channel: str, best: float) -> UnansweredQuestion:
    """Keeps a question nobody could answer, for admins."""
    row = UnansweredQuestion(text=q[:500], channel=channel[:20] or "web", best_score=best)
    db.add(row)
    return row


UNANSWERED_RATE = "30/minute"
"""Unanswered questions kept per client; beyond it searches still answer but nothing more is stored."""


def note_unanswered(hits: list[Hit], q: str, *, channel: str, client: str, focused: bool = False) -> bool:
    """Records an unanswered question in its own short write (the search itself only reads), at most
    ``UNANSWERED_RATE`` per client so nobody can flood the editors' list; True when recorded."""
    if is_answered(hits, focused=focused) or not rate_limit.try_hit(UNANSWERED_RATE, "unanswered", client):
        return False
    with get_sessionmaker()() as writer:
        mark_for_writing(writer)
        record_unanswered(writer, q, channel, hits[0].confidence if hits else 0.0)
        writer.commit()
    return True
