"""Knowledge tables. Each kind has a live table holding the published content (what the public and the
bot see) and shares one revision table where drafts, reviews and every earlier version are kept."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, created_at_column, updated_at_column


class PublishedMixin:
    """Columns every live knowledge row has."""

    status: Mapped[str] = mapped_column(String(12), default="published", index=True, comment="published/archived")
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = updated_at_column()


class Revision(Base):
    """One version of one knowledge entry: draft → pending review → published (or rejected); kept forever."""

    __tablename__ = "knowledge_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    author_name: Mapped[str] = mapped_column(String(50), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewer_name: Mapped[str] = mapped_column(String(50), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()


class Faq(PublishedMixin, Base):
    """咨询服务: a question with its answer, keywords and other phrasings."""

    __tablename__ = "faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_item.id"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)


LEGAL_STATUSES = {"in_force": "现行有效", "amended": "已修改", "repealed": "已废止"}
"""A law's standing (not its publishing status on the portal): in force, superseded by an amendment, repealed."""


class Law(PublishedMixin, Base):
    """法律法规, with its text split into articles, its standing and what replaced it."""

    __tablename__ = "law"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(100), index=True, comment="文号（一个修正令可同时修改多部法律）")
    issuer: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    published_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    legal_status: Mapped[str] = mapped_column(
        String(12), default="in_force", server_default="in_force", comment="效力状态（现行有效/已修改/已废止）"
    )
    amended_on: Mapped[date | None] = mapped_column(Date, comment="最近一次修改的施行日期")
    repealed_on: Mapped[date | None] = mapped_column(Date, comment="废止日期")
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("law.id", ondelete="SET NULL"), comment="替代它的法规（废止后的新法规或修改后的文本）"
    )

    articles: Mapped[list["LawArticle"]] = relationship(
        order_by="LawArticle.seq", cascade="all, delete-orphan", lazy="selectin"
    )


class LawArticle(Base):
    """One article (第X条) of a law, citable and linkable on its own."""

    __tablename__ = "law_article"
    __table_args__ = (UniqueConstraint("law_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("law.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20), comment="第三十条")
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0", comment="条文摘要（未收录原文时的忠实概括，非全文）"
    )


class Policy(PublishedMixin, Base):
    """政策文件 with its interpretation (政策解读)."""

    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(100), unique=True)
    issuer: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), index=True)
    category: Mapped[str] = mapped_column(String(20), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    sections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    interpretation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class GlossaryTerm(PublishedMixin, Base):
    """政务百科: an official term explained, with its synonyms."""

    __tablename__ = "glossary_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100), unique=True)
    explanation: Mapped[str] = mapped_column(Text)
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)


class Bundle(PublishedMixin, Base):
    """一件事: several service items delivered as one themed service."""

    __tablename__ = "bundle"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(100), unique=True)
    applicant_type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    promised_limit: Mapped[int] = mapped_column(Integer, default=0)
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)


class SystemLink(PublishedMixin, Base):
    """业务申报指导: a business system an applicant is sent to."""

    __tablename__ = "system_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    system_type: Mapped[str] = mapped_column(String(20))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    icon: Mapped[str] = mapped_column(String(50), default="")
    url: Mapped[str] = mapped_column(String(500))
    intro: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)


class KnowledgeGeneration(Base):
    """A counter bumped on every publish or archive; each app process rebuilds what changed."""

    __tablename__ = "knowledge_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = updated_at_column()


class UnansweredQuestion(Base):
    """A question search could not answer well enough, kept for admins to turn into an FAQ."""

    __tablename__ = "unanswered_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    channel: Mapped[str] = mapped_column(String(20), default="web")
    best_score: Mapped[float] = mapped_column(Float, default=0.0)
    asked_at: Mapped[datetime] = created_at_column()
    resolved_faq_id: Mapped[int | None] = mapped_column(ForeignKey("faq.id"))
    draft_revision_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_revision.id"))
