"""Which searchable documents each kind of published knowledge becomes, with a stable link to its source.

A service item's guide is a document too (kind "item", key ``item:<id>``, link ``/guides/<id>``), so one search box
reaches items, FAQs, laws and policies; documents also carry the items they belong to and what they answer
(knowledge/search/ranking.py), which the ranking uses.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Self

from core.items.models import ServiceItem
from knowledge.models import Faq, GlossaryTerm, Law, Policy
from knowledge.search import ranking
from knowledge.search.engine import Document
from knowledge.search.facets import facets

MAX_CITING_ITEMS = 3
"""An article cited by more items than this (行政许可法 on time limits) ties it to none of them."""
MAX_CITING_ITEMS_LAW = 6
"""Likewise for a whole law."""


@dataclass
class Citations:
    """Which items' guides (设定依据) cite which law articles, by law title."""

    articles: defaultdict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    laws: defaultdict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, items: Iterable[ServiceItem]) -> Self:
        """The citations of these items' legal basis texts."""
        out = cls()
        for item in items:
            for title, numbers in ranking.cited_articles(item.legal_basis or ""):
                out.laws[title].add(item.id)
                for number in numbers:
                    out.articles[(title, number)].add(item.id)
        return out

    def of_article(self, title: str, number: str) -> tuple[frozenset[int], frozenset[int]]:
        """(items citing this article, items citing its law but not the article)."""
        direct = self.articles.get((title, number), set())
        direct = direct if len(direct) <= MAX_CITING_ITEMS else set()
        law = self.laws.get(title, set())
        law = law - direct if len(law) <= MAX_CITING_ITEMS_LAW else set()
        return frozenset(direct), frozenset(law)


GUIDE_WORDS = "办事指南 办理手续 申请条件 办理流程"
"""What every guide holds, so "要什么手续" or "什么条件" finds guides as well as FAQs."""


def item_documents(item: ServiceItem) -> list[Document]:
    """A published item's guide is one document, found by its name, aliases, result and scope."""
    if not item.is_published:
        return []
    return [
        Document(
            key=f"item:{item.id}",
            kind="item",
            title=item.name,
            link=f"/guides/{item.id}",
            fields=(
                (item.name, 3.0),
                (" ".join(item.aliases or []), 2.5),
                (item.result_name, 1.0),
                (item.scope, 0.4),
                (item.conditions, 0.3),
                (GUIDE_WORDS, 0.6),
            ),
            snippet_source=item.scope,
            meta={"item_id": str(item.id), "department": item.department.name if item.department else ""},
            items=frozenset({item.id}),
            aspects=ranking.ITEM_ASPECTS,
        )
    ]


def faq_documents(faq: Faq, item_name: str = "") -> list[Document]:
    """An FAQ is one document; its other phrasings count as the question."""
    return [
        Document(
            key=f"faq:{faq.id}",
            kind="faq",
            title=faq.question,
            link=f"/knowledge/faqs/{faq.id}",
            fields=(
                (faq.question, 3.0),
                (" ".join(faq.alternatives), 2.5),
                (" ".join(faq.keywords), 2.0),
                (item_name, 3.0),
                (faq.answer, 1.0),
            ),
            snippet_source=faq.answer,
            meta={"item": item_name},
            facets=facets(faq.question),
            items=frozenset({faq.service_item_id}) if faq.service_item_id else frozenset(),
            aspects=ranking.faq_aspects(faq.question),
        )
    ]


STANDING = {"in_force": 1.0, "amended": 0.7, "repealed": 0.5}
"""Score factors by a law's standing: an article of the law in force outranks the same words in the one it replaced."""
TITLE_MARK = {"amended": "（修改前文本）", "repealed": "（已废止）"}


def law_notice(law: Law, replacement: str | None) -> str:
    """What a reader must know before relying on an article of this law ("" while it is in force); ``replacement``
    is the title of the published law that replaced it."""
    instead = f"，现行规定见《{replacement}》" if replacement else ""
    if law.legal_status == "repealed":
        when = f"于{law.repealed_on.year}年{law.repealed_on.month}月{law.repealed_on.day}日" if law.repealed_on else ""
        return f"该法规已{when}废止{instead}。"
    if law.legal_status == "amended":
        return f"该条文是修改前的文本{instead}。"
    return ""


def law_documents(law: Law, replacement: str | None = None, citations: Citations | None = None) -> list[Document]:
    """Each article of a law is a document, citable as 《title》第X条; one of a repealed or superseded law says so in
    its title and notice, names its replacement and ranks below the law in force. An article belongs to the items
    whose guide cites it (``citations``)."""
    citations = citations or Citations()
    notice = law_notice(law, replacement)
    meta = {"doc_no": law.doc_no, "law_id": str(law.id), "status": law.legal_status, "notice": notice}
    if replacement and notice:
        meta |= {"replaced_by": replacement, "replaced_by_link": f"/knowledge/laws/{law.replaced_by_id}"}
    return [
        Document(
            key=f"law:{law.id}:{article.number}",
            kind="law",
            title=f"《{law.title}》{article.number}{TITLE_MARK.get(law.legal_status, '')}",
            link=f"/knowledge/laws/{law.id}#{article.number}",
            fields=((law.title, 1.2), (article.number, 1.0), (article.text, 1.0)),
            snippet_source=article.text,
            meta=meta | {"article": article.number},
            standing=STANDING.get(law.legal_status, 1.0),
            law=law.id,
            successor=(law.replaced_by_id or 0) if notice else 0,
            items=citations.of_article(law.title, article.number)[0],
            law_items=citations.of_article(law.title, article.number)[1],
            aspects=ranking.law_aspects(article.text),
        )
        for article in law.articles
    ]


def policy_documents(policy: Policy) -> list[Document]:
    """A policy's summary and interpretation, and each of its sections, are documents."""
    interpretation: dict[str, Any] = policy.interpretation or {}
    points = " ".join(str(p) for p in interpretation.get("key_points", []))
    qa = " ".join(f"{x.get('q', '')} {x.get('a', '')}" for x in interpretation.get("qa", []))
    docs = [
        Document(
            key=f"policy:{policy.id}:0",
            kind="policy",
            title=policy.title,
            link=f"/knowledge/policies/{policy.id}",
            fields=(
                (policy.title, 2.5),
                (" ".join(policy.target_groups), 1.0),
                (policy.summary, 1.5),
                (f"{interpretation.get('background', '')} {points} {qa}", 1.0),
            ),
            snippet_source=policy.summary or points,
            meta={"doc_no": policy.doc_no},
            aspects=frozenset({ranking.OVERVIEW}),
        )
    ]
    for n, section in enumerate(policy.sections, start=1):
        heading, text = section.get("heading", ""), section.get("text", "")
        docs.append(
            Document(
                key=f"policy:{policy.id}:{n}",
                kind="policy",
                title=f"{policy.title} · {heading}",
                link=f"/knowledge/policies/{policy.id}#section-{n}",
                fields=((policy.title, 1.0), (heading, 1.5), (text, 1.0)),
                snippet_source=text,
                meta={"doc_no": policy.doc_no},
                aspects=ranking.policy_aspects(heading, text),
            )
        )
    return docs


def glossary_documents(term: GlossaryTerm) -> list[Document]:
    """A glossary term is one document."""
    return [
        Document(
            key=f"glossary:{term.id}",
            kind="glossary",
            title=term.term,
            link=f"/knowledge/glossary#term-{term.id}",
            fields=((term.term, 3.0), (" ".join(term.synonyms), 2.5), (term.explanation, 1.0)),
            snippet_source=term.explanation,
        )
    ]
