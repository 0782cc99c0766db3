"""Which searchable documents each kind of published knowledge becomes, with a stable link to its source."""

from typing import Any

from knowledge.models import Faq, GlossaryTerm, Law, Policy
from knowledge.search.engine import Document
from knowledge.search.facets import facets


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
        )
    ]


def law_documents(law: Law) -> list[Document]:
    """Each article of a law is a document, citable as 《title》第X条."""
    return [
        Document(
            key=f"law:{law.id}:{article.number}",
            kind="law",
            title=f"《{law.title}》{article.number}",
            link=f"/knowledge/laws/{law.id}#{article.number}",
            fields=((law.title, 1.2), (article.number, 1.0), (article.text, 1.0)),
            snippet_source=article.text,
            meta={"law_id": str(law.id), "article": article.number, "doc_no": law.doc_no},
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
