"""Questions nobody could answer, grouped by similarity, and turned into FAQ drafts in one step."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from core.org.models import User
from knowledge import workflow
from knowledge.models import Revision, UnansweredQuestion
from knowledge.search import tokens

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


def to_faq_draft(db: Session, user: User | None, question_id: int) -> Revision:
    """Starts an FAQ draft from a question (and its group's other phrasings); the group leaves the list."""
    question = db.get(UnansweredQuestion, question_id)
    if question is None:
        raise NotFound("该问题不存在")
    if question.draft_revision_id is not None:
        raise Conflict("该问题已转为问答草稿", code="out_of_order")
    group = next((g for g in groups(db) if question_id in g.question_ids), None)
    texts = group.texts if group else [question.text]
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
    ids = group.question_ids if group else [question_id]
    for row in db.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids))):
        row.draft_revision_id = revision.id
    return revision
