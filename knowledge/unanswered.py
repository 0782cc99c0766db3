"""Questions nobody could answer, grouped by similarity, and turned in one step into an FAQ draft — or, when an
FAQ already answers them in other words, into a new version of that FAQ with them as its other phrasings
(其他问法), so that the search finds it for them once the version is published."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from knowledge import workflow
from knowledge.models import Faq, Revision, UnansweredQuestion
from knowledge.schemas import MAX_ALTERNATIVES
from knowledge.search import service as search_service
from knowledge.search import tokens

CHANNEL_LABELS = {"web": "网站", "bot": "智能客服"}
"""Where an unanswered question was asked (the search's ``channel``), as the editors read it."""
SUGGESTIONS = 3
"""How many FAQs are suggested as the one that may already answer a group."""
SEARCHED_WORDINGS = 5
"""How many of a group's wordings are searched for the suggestions."""
SIMILAR = 0.4
"""Share of common terms (Jaccard over words and bigrams) from which two questions are one group."""
LIMIT = 1000


@dataclass
class UnansweredGroup:
    """Questions that ask the same thing."""

    representative: str
    question_ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    last_asked: datetime | None = None

    @property
    def channel_labels(self) -> list[str]:
        """The channels it was asked on, in words (其他渠道 for a caller that named its own)."""
        return list(dict.fromkeys(CHANNEL_LABELS.get(c, "其他渠道") for c in self.channels))

    @property
    def count(self) -> int:
        """How many times it was asked."""
        return len(self.question_ids)


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def groups(db: Session) -> list[UnansweredGroup]:
    """Open unanswered questions grouped by similarity (single linkage: a question joins every group it
    resembles, which merges them), most asked first; the newest wording represents its group."""
    rows = list(
        db.scalars(
            select(UnansweredQuestion)
            .where(UnansweredQuestion.resolved_faq_id.is_(None), UnansweredQuestion.draft_revision_id.is_(None))
            .order_by(UnansweredQuestion.id.desc())
            .limit(LIMIT)
        )
    )
    terms = [set(tokens.terms(row.text)) for row in rows]
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(rows)):
        for j in range(i):
            if _similarity(terms[i], terms[j]) >= SIMILAR:
                parent[root(i)] = root(j)
    found: dict[int, UnansweredGroup] = {}
    for i, row in enumerate(rows):  # newest first, so the first member of a group is its newest question
        group = found.setdefault(root(i), UnansweredGroup(representative=row.text, last_asked=row.asked_at))
        group.question_ids.append(row.id)
        group.texts.append(row.text)
        if row.channel not in group.channels:
            group.channels.append(row.channel)
    return sorted(found.values(), key=lambda g: (-g.count, g.representative))


def suggestions(db: Session, texts: list[str]) -> list[Faq]:
    """The published FAQs the search ranks best for a group's wordings (each of the first few searched, scores
    summed): where its answer may already be, in other words."""
    scores: dict[int, float] = {}
    for text in list(dict.fromkeys(texts))[:SEARCHED_WORDINGS]:
        for hit in search_service.search(db, text, kind="faq", limit=SUGGESTIONS):
            faq_id = int(hit.document.key.split(":", 1)[1])
            scores[faq_id] = scores.get(faq_id, 0.0) + hit.score
    ids = sorted(scores, key=lambda i: -scores[i])[:SUGGESTIONS]
    found = {faq.id: faq for faq in db.scalars(select(Faq).where(Faq.id.in_(ids), Faq.status == "published"))}
    return [found[i] for i in ids if i in found]


def group_of(db: Session, question_id: int) -> UnansweredGroup | None:
    """The open group a question belongs to (None when it is handled or unknown)."""
    return next((g for g in groups(db) if question_id in g.question_ids), None)


def _open_group(db: Session, question_id: int) -> tuple[UnansweredQuestion, list[int], list[str]]:
    """The question, and the ids and wordings of its group, when it is still open."""
    question = db.get(UnansweredQuestion, question_id)
    if question is None:
        raise NotFound("该问题不存在")
    if question.draft_revision_id is not None:
        raise Conflict("该问题已处理（已转为问答草稿或已加为其他问法）", code="out_of_order")
    group = group_of(db, question_id)
    return question, group.question_ids if group else [question_id], group.texts if group else [question.text]


def to_alternatives(db: Session, user: User | None, question_id: int, faq_id: int) -> Revision:
    """A new version of a published FAQ (a draft for review) with the question and its group's wordings added to
    its other phrasings; the group leaves the list, marked as answered by that FAQ."""
    org_service.require(user, Permission.KNOWLEDGE_EDIT)
    faq = db.get(Faq, faq_id)
    if faq is None or faq.status != "published":
        raise NotFound("该问答不存在或已下线，请选择一条在用的问答", field="faq_id")
    _, ids, texts = _open_group(db, question_id)
    data = workflow.current_data(db, "faq", faq.id)
    known = {tokens.normalize(t) for t in [data["question"], *data["alternatives"]]}
    added = [t for t in dict.fromkeys(texts) if tokens.normalize(t) not in known]
    if len(data["alternatives"]) + len(added) > MAX_ALTERNATIVES:
        raise ValidationFailed(
            f"问答“{faq.question}”已有 {len(data['alternatives'])} 条其他问法，最多 {MAX_ALTERNATIVES} 条："
            "请先在该问答中删去一些，再添加",
            field="faq_id",
        )
    revision = workflow.create_draft(db, user, "faq", data | {"alternatives": data["alternatives"] + added}, faq.id)
    for row in db.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids))):
        row.draft_revision_id, row.resolved_faq_id = revision.id, faq.id
    return revision


def to_faq_draft(db: Session, user: User | None, question_id: int) -> Revision:
    """Starts an FAQ draft from a question (and its group's other phrasings); the group leaves the list."""
    question, ids, texts = _open_group(db, question_id)
    alternatives = [t for t in dict.fromkeys(texts) if t != question.text][:20]
    revision = workflow.create_draft(
        db,
        user,
        "faq",
        {
            "question": question.text,
            "answer": workflow.ANSWER_PLACEHOLDER,
            "keywords": [],
            "alternatives": alternatives,
        },
    )
    for row in db.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids))):
        row.draft_revision_id = revision.id
    return revision
