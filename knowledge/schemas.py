"""What an admin enters for each kind of knowledge; validated before a draft is saved."""

import re
from datetime import date
from typing import Any, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from knowledge.models import LEGAL_STATUSES, Revision
from knowledge.search.engine import Found, Hit
from knowledge.search.snippets import excerpt

ARTICLE_NUMBER = re.compile(r"^第[零〇一二三四五六七八九十百千]+条(之[一二三四五六七八九十]+)?$")


MAX_ALTERNATIVES = 30
"""Other phrasings (其他问法) an FAQ may have."""


def _clean_list(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


class FaqIn(BaseModel):
    """咨询服务."""

    service_item_id: int | None = None
    question: str = Field(min_length=4, max_length=300)
    answer: str = Field(min_length=2, max_length=5000)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    alternatives: list[str] = Field(default_factory=list, max_length=MAX_ALTERNATIVES)

    _lists = field_validator("keywords", "alternatives")(_clean_list)

    @field_validator("question", "answer")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class ArticleIn(BaseModel):
    """One article of a law; ``summary`` when the text is a faithful summary, not the original wording."""

    number: str = Field(min_length=1, max_length=20, description="第三十条")
    text: str = Field(min_length=2, max_length=20000)
    summary: bool = False

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        value = value.strip()
        if not ARTICLE_NUMBER.match(value):
            raise ValueError(f"条文序号“{value}”应写作“第三十条”的形式")
        return value


class LawIn(BaseModel):
    """法律法规 with its articles, its standing (现行有效 / 已修改 / 已废止), its dates and what replaced it."""

    doc_no: str = Field(min_length=2, max_length=100, description="文号")
    issuer: str = Field(min_length=2, max_length=100)
    title: str = Field(min_length=2, max_length=200)
    category: str = Field(min_length=2, max_length=20)
    published_on: date | None = None
    effective_on: date | None = None
    sort_order: int = 0
    legal_status: str = "in_force"
    amended_on: date | None = None
    repealed_on: date | None = None
    replaced_by_id: int | None = None
    articles: list[ArticleIn] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _unique_articles(self) -> "LawIn":
        seen: set[str] = set()
        for article in self.articles:
            if article.number in seen:
                raise ValueError(f"条文“{article.number}”重复")
            seen.add(article.number)
        return self

    @model_validator(mode="after")
    def _standing(self) -> "LawIn":
        """The status and its dates agree: a repeal has its date, a law in force has none, no date runs backwards."""
        if self.legal_status not in LEGAL_STATUSES:
            raise ValueError(f"效力状态只能选择：{'、'.join(LEGAL_STATUSES.values())}")
        if self.legal_status == "repealed" and self.repealed_on is None:
            raise ValueError("已废止的法规请填写废止日期")
        if self.legal_status != "repealed" and self.repealed_on is not None:
            raise ValueError("只有已废止的法规才填写废止日期；仍然有效的，请清空废止日期")
        if self.legal_status == "amended" and self.amended_on is None:
            raise ValueError("已修改的法规请填写修改后的施行日期")
        if self.effective_on and self.repealed_on and self.repealed_on < self.effective_on:
            raise ValueError("废止日期不能早于施行日期")
        if self.effective_on and self.amended_on and self.amended_on < self.effective_on:
            raise ValueError("修改日期不能早于施行日期")
        if self.published_on and self.effective_on and self.effective_on < self.published_on:
            raise ValueError("施行日期不能早于公布日期")
        if self.replaced_by_id is not None and self.legal_status == "in_force":
            raise ValueError("现行有效的法规没有替代法规；已废止或已修改的，请先选择相应的效力状态")
        return self


class PolicyIn(BaseModel):
    """政策文件 and its interpretation."""

    doc_no: str = Field(min_length=2, max_length=100)
    issuer: str = Field(min_length=2, max_length=100)
    title: str = Field(min_length=2, max_length=300)
    category: str = Field(default="", max_length=20)
    published_on: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    target_groups: list[str] = Field(default_factory=list)
    summary: str = Field(default="", max_length=5000)
    sections: list[dict[str, str]] = Field(default_factory=list)
    interpretation: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _validity(self) -> "PolicyIn":
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("有效期截止日期不能早于起始日期")
        return self


class GlossaryIn(BaseModel):
    """政务百科."""

    term: str = Field(min_length=2, max_length=100)
    explanation: str = Field(min_length=2, max_length=2000)
    synonyms: list[str] = Field(default_factory=list, max_length=20)

    _lists = field_validator("synonyms")(_clean_list)


class BundleIn(BaseModel):
    """一件事."""

    theme: str = Field(min_length=2, max_length=100)
    applicant_type: str = Field(min_length=2, max_length=20)
    description: str = Field(default="", max_length=2000)
    item_ids: list[int] = Field(min_length=1)
    materials: list[dict[str, Any]] = Field(default_factory=list)
    promised_limit: int = Field(default=0, ge=0, le=365)
    steps: list[str] = Field(default_factory=list)


class LinkIn(BaseModel):
    """业务申报指导."""

    department_id: int | None = None
    name: str = Field(min_length=2, max_length=100)
    system_type: str = Field(min_length=2, max_length=20)
    public: bool = True
    icon: str = Field(default="", max_length=50)
    url: str = Field(default="", max_length=500)
    """An http(s) address, a page of this platform ("/admin"), or — for an internal system reached only on the
    office network — nothing: a made-up address would send people to a site that is not the system."""
    intro: str = Field(default="", max_length=2000)
    sort_order: int = 0
    tags: list[str] = Field(default_factory=list)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^(https?://[^\s<>\"']+|/(?![/\\])[^\s<>\"']*)$", value):
            raise ValueError("链接应以 http:// 或 https:// 开头（本平台的页面以 / 开头），且不含空格和引号")
        return value

    @model_validator(mode="after")
    def _address_for_the_public(self) -> Self:
        if self.public and not self.url:
            raise ValueError("公开的业务系统须填写网址")
        return self


SCHEMAS: dict[str, type[BaseModel]] = {
    "faq": FaqIn,
    "law": LawIn,
    "policy": PolicyIn,
    "glossary": GlossaryIn,
    "bundle": BundleIn,
    "link": LinkIn,
}
KIND_LABELS = {
    "faq": "咨询问答",
    "law": "法律法规",
    "policy": "政策文件",
    "glossary": "政务百科",
    "bundle": "一件事",
    "link": "业务系统",
}
HIT_KIND_LABELS = {**KIND_LABELS, "item": "办事指南"}
"""What a search hit is, shown with it and in citations: the curated kinds and the service items' guides."""
STATUS_LABELS = {
    "draft": "草稿",
    "pending": "待审核",
    "published": "已发布",
    "rejected": "已退回",
    "superseded": "历史版本",
}
"""A revision's statuses (knowledge/workflow.py moves it through them)."""


class HitOut(BaseModel):
    """A ranked search result with a stable link to its source."""

    kind: str = Field(
        description="faq 咨询问答 / law 法规条文 / policy 政策文件 / glossary 政务百科 / item 办事指南（事项）"
    )
    kind_label: str = Field(description="来源类别，如“政务百科”“法律法规”“办事指南”（引用出处时显示）")
    key: str = Field(
        description="稳定的条目键：faq:<问答id>、law:<法规id>:<第X条>、policy:<政策id>:<章节序号，0为全文>、"
        "glossary:<词条id>、item:<事项id>（办事指南，link 为 /guides/<事项id>）"
    )
    title: str
    link: str = Field(description="来源页面的站内路径；事项为 /guides/<事项id>")
    score: float
    confidence: float = Field(description="0–1，答案有多可靠；属于问题所说事项的条目更高")
    snippet: str = Field(description="命中词以 <mark> 标出的摘要（HTML 已转义），尽量在句末截断")
    text: str = Field(
        default="", description="纯文本答案：来源正文的前几句，最多约300字，只在句末截断（聊天直接回复用）"
    )
    citation: str = Field(
        default="",
        description="引用出处：法规为“《法规名》第X条”，政策为“《政策名》”，事项为“《事项名》”，问答和百科为““标题””；"
        "与 kind_label 连用，如“来源：法律法规《中华人民共和国城乡规划法》第四十条”",
    )
    law_status: str | None = Field(
        default=None, description="法规条文的效力状态：in_force 现行有效 / amended 已修改 / repealed 已废止"
    )
    notice: str = Field(
        default="", description="引用前须知（如“该法规已于2025年9月1日废止，现行规定见《…》。”），现行有效时为空"
    )
    replaced_by_link: str = Field(default="", description="替代它的现行法规的链接（已废止或已修改时）")

    @classmethod
    def from_hit(cls, h: Hit) -> Self:
        """A hit of the search engine with its document's kind (and its name), key, title and link."""
        return cls(
            kind=h.document.kind,
            kind_label=HIT_KIND_LABELS.get(h.document.kind, "知识库"),
            key=h.document.key,
            title=h.document.title,
            link=h.document.link,
            score=h.score,
            confidence=h.confidence,
            snippet=h.snippet,
            text=excerpt(h.document.snippet_source),
            citation=citation(h),
            law_status=h.document.meta.get("status"),
            notice=h.document.meta.get("notice", ""),
            replaced_by_link=h.document.meta.get("replaced_by_link", ""),
        )


def citation(h: Hit) -> str:
    """How a hit's source is cited (HitOut.citation)."""
    doc = h.document
    if doc.kind == "law":
        law_title = doc.title.split("》")[0].lstrip("《")
        return f"《{law_title}》{doc.meta.get('article', '')}"
    if doc.kind == "policy":
        return f"《{doc.title.split(' · ')[0]}》"
    if doc.kind == "item":
        return f"《{doc.title}》"
    return f"“{doc.title}”"


class RecognisedItemOut(BaseModel):
    """The service item a question is about."""

    id: int = Field(description="事项 id（办事指南 /guides/<id>）")
    name: str = Field(description="事项名称")
    matched: str = Field(description="问题中据以识别事项的原话，如“施工许可证”“二手房过户”（可能有一个错别字）")


class CentreOut(BaseModel):
    """The service centre as it calls itself (the ``centre_name`` setting), for channels that introduce it."""

    name: str = Field(description="服务中心名称（系统设置 centre_name）")


class SearchOut(BaseModel):
    """Search results; ``answered`` is false when nothing was good enough (the question is then recorded)."""

    query: str
    answered: bool = Field(
        description="排第一的结果足以作答（可信度达到阈值）；为 false 时问题已记入“未解决问题”，不应直接作答"
    )
    clear: bool = Field(
        default=False,
        description="排第一的结果明显领先第二个（智能客服据此直接回答）；为 false 时宜把前三个结果作为按钮让用户选择",
    )
    recognised_item: RecognisedItemOut | None = Field(
        default=None,
        description="问题所说的事项（按事项名称、简称、别名、俗称识别，容许一个错别字），没有识别出时为 null；"
        "搜索已据此把该事项的指南、问答和引用的法规条文排在前面",
    )
    hits: list[HitOut]

    @classmethod
    def from_found(cls, query: str, found: Found, *, answered: bool) -> Self:
        """The API shape of a search's result."""
        item = found.recognised
        return cls(
            query=query,
            answered=answered,
            clear=answered and found.clear,
            recognised_item=RecognisedItemOut(id=item.item_id, name=item.name, matched=item.matched) if item else None,
            hits=[HitOut.from_hit(h) for h in found.hits],
        )


class AlternativesIn(BaseModel):
    """The published FAQ that already answers an unanswered question, in other words."""

    faq_id: int = Field(ge=1)


class ReviewIn(BaseModel):
    """A reviewer's comment."""

    comment: str = Field(default="", max_length=2000)


class RevisionOut(BaseModel):
    """A version of an entry and where it stands."""

    id: int
    kind: str
    entity_id: int | None
    version: int
    status: str
    status_label: str
    title: str
    data: dict[str, Any]
    author_name: str
    reviewer_name: str
    review_comment: str

    @classmethod
    def from_model(cls, r: Revision) -> Self:
        """A revision with its status in words."""
        return cls(
            id=r.id,
            kind=r.kind,
            entity_id=r.entity_id,
            version=r.version,
            status=r.status,
            status_label=STATUS_LABELS[r.status],
            title=r.title,
            data=r.data,
            author_name=r.author_name,
            reviewer_name=r.reviewer_name,
            review_comment=r.review_comment,
        )
