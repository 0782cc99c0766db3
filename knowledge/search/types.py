"""The values search works with: a searchable document, a ranked hit, and a search's whole result."""

from dataclasses import dataclass, field

from knowledge.search.recognise import Recognised


@dataclass(frozen=True)
class Document:
    """A searchable unit: an FAQ, one law article, one policy section, a glossary term or a service item's guide."""

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
    standing: float = 1.0
    """How much the document's score counts: below 1 for an article of a repealed or superseded law, so the law
    in force ranks first (knowledge/search/documents.py)."""
    law: int = 0
    """The law an article belongs to (0 for other kinds)."""
    successor: int = 0
    """For an article of a repealed or superseded law, the law that replaced it: its best-matching article is
    shown first whenever this one is shown."""
    items: frozenset[int] = frozenset()
    """Service items the document belongs to: an item's own guide, an item's FAQ, an article an item's guide cites."""
    law_items: frozenset[int] = frozenset()
    """Items whose guide cites the document's law (but not this article): a weaker tie."""
    aspects: frozenset[str] = frozenset()
    """What the document answers among knowledge/search/ranking.py ASKS (penalty, conditions, amounts…)."""


@dataclass(frozen=True)
class Hit:
    """A ranked result."""

    document: Document
    score: float
    confidence: float
    snippet: str
    """HTML-escaped text with the matched words in <mark>."""


@dataclass(frozen=True)
class Found:
    """A search's hits, the item the question names, and whether the first hit is clearly ahead."""

    hits: list[Hit]
    recognised: Recognised | None
    clear: bool
    focused: bool = False
    """The question names an item or asks something particular (a penalty, a rule, conditions, an amount, how to
    apply): a lower confidence answers it (service.ANSWERED_FOCUSED)."""
