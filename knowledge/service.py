"""Reading the published knowledge base: the one place the API, the portal, the glossary marks, the Excel export
and search ask for what the public may see, and in which order.

Editing (drafts, review, publishing) is ``knowledge/workflow.py``; this module only reads.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import LEGAL_STATUSES, Bundle, Faq, GlossaryTerm, Law, Policy, SystemLink

PUBLISHED = "published"
"""The status of the entries the public sees (a newer version supersedes, archiving withdraws)."""


def list_faqs(*, db: Session, service_item_id: int | None = None) -> list[Faq]:
    """Published FAQs, of one service item when given, oldest first."""
    query = select(Faq).where(Faq.status == PUBLISHED).order_by(Faq.id)
    if service_item_id:
        query = query.where(Faq.service_item_id == service_item_id)
    return list(db.scalars(query))


def list_related_faqs(*, db: Session, faq: Faq, limit: int = 10) -> list[Faq]:
    """Other published FAQs of the same service item (none for a general question)."""
    if faq.service_item_id is None:
        return []
    query = (
        select(Faq)
        .where(Faq.status == PUBLISHED, Faq.service_item_id == faq.service_item_id, Faq.id != faq.id)
        .order_by(Faq.id)
        .limit(limit)
    )
    return list(db.scalars(query))


def list_laws(*, db: Session) -> list[Law]:
    """Published laws in the curators' order."""
    return list(db.scalars(select(Law).where(Law.status == PUBLISHED).order_by(Law.sort_order, Law.id)))


def law_titles(*, db: Session) -> dict[int, str]:
    """Every law's title by id, archived ones too (for editors naming what replaced what)."""
    return {law_id: title for law_id, title in db.execute(select(Law.id, Law.title).order_by(Law.sort_order, Law.id))}


def replacement_of(*, db: Session, law: Law) -> Law | None:
    """The published law that replaced this one (its successor or its amended text), if any."""
    replacement = db.get(Law, law.replaced_by_id) if law.replaced_by_id else None
    return replacement if replacement is not None and replacement.status == PUBLISHED else None


def list_replaced(*, db: Session, law: Law) -> list[Law]:
    """Published laws this one replaced, oldest first."""
    query = select(Law).where(Law.status == PUBLISHED, Law.replaced_by_id == law.id).order_by(Law.effective_on, Law.id)
    return list(db.scalars(query))


def standing_label(law: Law) -> str:
    """现行有效 / 已修改 / 已废止."""
    return LEGAL_STATUSES.get(law.legal_status, law.legal_status)


def list_policies(*, db: Session) -> list[Policy]:
    """Published policies, newest first."""
    query = select(Policy).where(Policy.status == PUBLISHED).order_by(Policy.published_on.desc(), Policy.id)
    return list(db.scalars(query))


def list_glossary(*, db: Session) -> list[GlossaryTerm]:
    """Published glossary terms, by term."""
    return list(db.scalars(select(GlossaryTerm).where(GlossaryTerm.status == PUBLISHED).order_by(GlossaryTerm.term)))


def list_bundles(*, db: Session, applicant_type: str | None = None) -> list[Bundle]:
    """Published themed bundles (一件事), of one applicant type when given."""
    rows = db.scalars(select(Bundle).where(Bundle.status == PUBLISHED).order_by(Bundle.id))
    return [b for b in rows if not applicant_type or applicant_type in b.applicant_type]


def list_links(*, db: Session, staff: bool) -> list[SystemLink]:
    """Published business-system links in the curators' order; internal systems only for staff."""
    query = select(SystemLink).where(SystemLink.status == PUBLISHED).order_by(SystemLink.sort_order, SystemLink.id)
    return [link for link in db.scalars(query) if link.public or staff]
