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


def law_documents(law: Law, replacement: str | None = None) -> list[Document]:
    """Each article of a law is a document, citable as 《title》第X条; one of a repealed or superseded law says so in
    its title and notice, names its replacement and ranks below the law in force."""
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
