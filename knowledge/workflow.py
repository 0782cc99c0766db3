"""Curation with a review step: draft → pending review → published (or rejected) → archived.

A different person must review what an author submitted; every version stays in the revision table.
Publishing copies a revision into the live row and bumps the knowledge generation, so every app process
refreshes its search index within a second or two.
"""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.events import service as event_service
from core.events.kinds import EventKind, KnowledgeReviewRequested
from core.items.models import ServiceItem
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.settings import get_settings
from knowledge.models import (
    Bundle,
    Faq,
    GlossaryTerm,
    KnowledgeGeneration,
    Law,
    LawArticle,
    Policy,
    Revision,
    SystemLink,
)
from knowledge.schemas import KIND_LABELS, SCHEMAS
from knowledge.schemas import STATUS_LABELS as STATUS_LABELS
from knowledge.search import service as search_service

MODELS: dict[str, type[Any]] = {
    "faq": Faq,
    "law": Law,
    "policy": Policy,
    "glossary": GlossaryTerm,
    "bundle": Bundle,
    "link": SystemLink,
}
# (column, label) that must be unique among live rows of a kind
UNIQUE: dict[str, tuple[str, str]] = {
    "law": ("title", "法规名称"),
    "policy": ("doc_no", "文号"),
    "glossary": ("term", "词条"),
    "bundle": ("theme", "主题"),
    "link": ("name", "系统名称"),
}
DRAFT, PENDING, PUBLISHED, REJECTED, SUPERSEDED = "draft", "pending", "published", "rejected", "superseded"
"""A version's statuses (an entry itself is published or archived: knowledge.service.PUBLISHED)."""
ANSWER_PLACEHOLDER = "（请在此填写答案）"
"""The answer of an FAQ draft made from an unanswered question until an editor writes one."""


def _kind(kind: str) -> str:
    if kind not in SCHEMAS:
        raise ValidationFailed(
            f"知识类型应为：{'、'.join(f'{k}（{v}）' for k, v in KIND_LABELS.items())}", field="kind"
        )
    return kind


def validate(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Checks a draft's content; returns it normalised (as JSON-ready values)."""
    try:
        model = SCHEMAS[_kind(kind)].model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first.get("ctx", {}).get("error", "")) or first["msg"]
        raise ValidationFailed(f"{KIND_LABELS[kind]}的“{where}”不正确：{message}", field=where) from exc
    return model.model_dump(mode="json")


def title_of(kind: str, data: dict[str, Any]) -> str:
    """A revision's title for lists."""
    key = {"faq": "question", "law": "title", "policy": "title", "glossary": "term", "bundle": "theme", "link": "name"}
    return str(data.get(key[kind], ""))[:300]


def _check_references(db: Session, kind: str, data: dict[str, Any], entity_id: int | None = None) -> None:
    if kind == "faq" and data.get("service_item_id") and db.get(ServiceItem, data["service_item_id"]) is None:
        raise ValidationFailed("关联的事项不存在", field="service_item_id")
    if kind == "bundle":
        missing = [i for i in data["item_ids"] if db.get(ServiceItem, i) is None]
        if missing:
            raise ValidationFailed(f"一件事包含的事项不存在：{missing}", field="item_ids")
    if kind == "link" and data.get("department_id"):
        org_service.get_department(db=db, department_id=data["department_id"])
    if kind == "law" and data.get("replaced_by_id") is not None:
        _check_replacement(db, data["replaced_by_id"], entity_id)


def _check_replacement(db: Session, replaced_by_id: int, entity_id: int | None) -> None:
    """The replacing law exists and the chain of replacements never leads back to this law."""
    seen = {entity_id} if entity_id is not None else set()
    current: int | None = replaced_by_id
    while current is not None:
        if current in seen:
            raise ValidationFailed("替代关系不能循环：一部法规不能（间接）被它自己替代", field="replaced_by_id")
        law = db.get(Law, current)
        if law is None:
            raise ValidationFailed("所选的替代法规不存在", field="replaced_by_id")
        seen.add(current)
        current = law.replaced_by_id


def check_unique(db: Session, kind: str, data: dict[str, Any], entity_id: int | None) -> None:
    if kind not in UNIQUE:
        return
    column, label = UNIQUE[kind]
    model = MODELS[kind]
    other = db.scalar(select(model).where(getattr(model, column) == data[column]))
    if other is not None and other.id != entity_id:
        raise Conflict(f"{label}“{data[column]}”已存在（{KIND_LABELS[kind]}编号 {other.id}）", field=column)


def get_revision(db: Session, revision_id: int) -> Revision:
    """Returns a revision or raises NotFound."""
    revision = db.get(Revision, revision_id)
    if revision is None:
        raise NotFound("版本不存在")
    return revision


def get_entity(db: Session, kind: str, entity_id: int) -> Any:
    """Returns a live knowledge row or raises NotFound."""
    row = db.get(MODELS[_kind(kind)], entity_id)
    if row is None:
        raise NotFound(f"{KIND_LABELS[kind]}不存在")
    return row


def get_published(db: Session, kind: str, entity_id: int) -> Any:
    """Returns a published entry, as the public may see it, or raises NotFound."""
    row = db.get(MODELS[_kind(kind)], entity_id)
    if row is None or row.status != PUBLISHED:
        raise NotFound(f"{KIND_LABELS[kind]}不存在或已下线")
    return row


def current_data(db: Session, kind: str, entity_id: int) -> dict[str, Any]:
    """The live entry's content in the shape of a draft (for comparisons and re-imports)."""
    entity = get_entity(db, kind, entity_id)
    fields = SCHEMAS[kind].model_fields
    values: dict[str, Any] = {name: getattr(entity, name) for name in fields if name != "articles"}
    if kind == "law":
        values["articles"] = [{"number": a.number, "text": a.text, "summary": a.summary} for a in entity.articles]
    return validate(kind, values)


def create_draft(
    db: Session, user: User | None, kind: str, data: dict[str, Any], entity_id: int | None = None
) -> Revision:
    """Saves a new draft (of a new entry, or a new version of an existing one)."""
    author = org_service.require(user, Permission.KNOWLEDGE_EDIT)
    clean = validate(kind, data)
    _check_references(db, kind, clean, entity_id)
    check_unique(db, kind, clean, entity_id)
    if entity_id is not None:
        get_entity(db, kind, entity_id)
    latest = 0
    if entity_id is not None:
        latest = (
            db.scalar(select(func.max(Revision.version)).where(Revision.kind == kind, Revision.entity_id == entity_id))
            or 0
        )
    revision = Revision(
        kind=kind,
        entity_id=entity_id,
        version=latest + 1,
        status=DRAFT,
        title=title_of(kind, clean),
        data=clean,
        author_id=author.id,
        author_name=author.name,
    )
    db.add(revision)
    db.flush()
    return revision


def editable(revision: Revision) -> Revision:
    """The revision when it may still be changed (a draft, or one sent back); a Conflict otherwise."""
    if revision.status not in (DRAFT, REJECTED):
        status = STATUS_LABELS[revision.status]
        raise Conflict(f"该版本状态为“{status}”，只有草稿或已退回的版本可以修改", code="out_of_order")
    return revision


def update_draft(db: Session, user: User | None, revision: Revision, data: dict[str, Any]) -> Revision:
    """Saves changed content into a draft; whoever changes it becomes its author (and so cannot approve it)."""
    editor = org_service.require(user, Permission.KNOWLEDGE_EDIT)
    editable(revision)
    clean = validate(revision.kind, data)
    _check_references(db, revision.kind, clean, revision.entity_id)
    check_unique(db, revision.kind, clean, revision.entity_id)
    revision.data = clean
    revision.title = title_of(revision.kind, clean)
    revision.author_id, revision.author_name = editor.id, editor.name
    return revision


def submit(db: Session, user: User | None, revision: Revision) -> Revision:
    """Sends a draft for review (an FAQ only once its answer is written)."""
    editor = org_service.require(user, Permission.KNOWLEDGE_EDIT)
    if revision.status not in (DRAFT, REJECTED):
        raise Conflict(f"该版本状态为“{STATUS_LABELS[revision.status]}”，不能提交审核", code="out_of_order")
    if revision.kind == "faq" and revision.data.get("answer") == ANSWER_PLACEHOLDER:
        raise ValidationFailed("该问答的答案尚未填写，请编辑后再提交审核", field="answer")
    revision.status = PENDING
    revision.submitted_at = now()
    _ask_reviewers(db, revision, editor)
    return revision


def _ask_reviewers(db: Session, revision: Revision, author: User) -> None:
    """Tells every reviewer but the author (who may not review it) that an entry waits; through the usual
    notifications, so each hears of it on their own channels (站内消息 at least)."""
    db.flush()  # the revision's id, which the message links to
    holders = db.scalars(select(User).where(User.is_active.is_(True), User.is_staff.is_(True)))
    reviewers = [u for u in holders if Permission.KNOWLEDGE_REVIEW in u.permissions and u.id != author.id]
    if not reviewers:
        return
    payload = KnowledgeReviewRequested(
        revision_id=revision.id,
        kind_label=KIND_LABELS.get(revision.kind, "知识"),
        title=revision.title,
        author_name=author.name,
        url=get_settings().site_url(f"/admin/knowledge/revisions/{revision.id}"),
    )
    to = [event_service.Recipient(user_id=u.id, role="reviewer") for u in reviewers]
    event_service.publish(db, EventKind.KNOWLEDGE_REVIEW_REQUESTED, payload, subject=f"revision:{revision.id}", to=to)


def reject(db: Session, user: User | None, revision: Revision, comment: str) -> Revision:
    """Sends a pending revision back to its author with the reason."""
    reviewer = _reviewer(user, revision)
    if not comment.strip():
        raise ValidationFailed("退回时请写明原因", field="comment")
    revision.status = REJECTED
    revision.reviewer_id, revision.reviewer_name, revision.reviewed_at = reviewer.id, reviewer.name, now()
    revision.review_comment = comment.strip()
    return revision


def _reviewer(user: User | None, revision: Revision) -> User:
    reviewer = org_service.require(user, Permission.KNOWLEDGE_REVIEW)
    if revision.status != PENDING:
        raise Conflict(f"该版本状态为“{STATUS_LABELS[revision.status]}”，不是待审核", code="out_of_order")
    if revision.author_id == reviewer.id:
        raise PermissionDenied("不能审核发布本人编写的内容，请由其他审核人员审核")
    return reviewer


def approve(db: Session, user: User | None, revision: Revision, comment: str = "") -> Any:
    """Publishes a pending revision written by someone else; returns the live row."""
    reviewer = _reviewer(user, revision)
    entity = publish(db, revision)
    revision.reviewer_id, revision.reviewer_name, revision.reviewed_at = reviewer.id, reviewer.name, now()
    revision.review_comment = comment.strip()
    return entity


def publish(db: Session, revision: Revision) -> Any:
    """Copies a revision into the live row (creating it), supersedes the earlier published version."""
    kind, data = revision.kind, validate(revision.kind, revision.data)
    if kind == "faq" and data["answer"] == ANSWER_PLACEHOLDER:
        raise ValidationFailed("该问答的答案尚未填写，请编辑后再发布", field="answer")
    _check_references(db, kind, data, revision.entity_id)
    check_unique(db, kind, data, revision.entity_id)
    model = MODELS[kind]
    entity = db.get(model, revision.entity_id) if revision.entity_id else None
    if entity is None:
        entity = model()
        db.add(entity)
    values = SCHEMAS[kind].model_validate(data).model_dump()  # Python values (dates), not JSON strings
    articles = values.pop("articles", None)
    if kind in ("law", "link"):
        values["sort_order"] = values.pop("sort_order", 0)
    for key, value in values.items():
        setattr(entity, key, value)
    if articles is not None:
        # the old articles go first: the unit of work inserts before it deletes, and a new version usually keeps
        # its article numbers (unique per law)
        entity.articles.clear()
        db.flush()
        entity.articles = [
            LawArticle(seq=i, number=a["number"], text=a["text"], summary=a.get("summary", False))
            for i, a in enumerate(articles, 1)
        ]
    entity.status = PUBLISHED
    entity.version = revision.version
    entity.published_at = now()
    entity.updated_at = now()
    db.flush()
    for earlier in db.scalars(
        select(Revision).where(Revision.kind == kind, Revision.entity_id == entity.id, Revision.status == PUBLISHED)
    ):
        earlier.status = SUPERSEDED
    revision.entity_id = entity.id
    revision.status = PUBLISHED
    bump_generation(db)
    return entity


def archive(db: Session, user: User | None, kind: str, entity_id: int) -> Any:
    """Takes a published entry off the portal and out of search (its versions stay)."""
    org_service.require(user, Permission.KNOWLEDGE_REVIEW)
    entity = get_entity(db, kind, entity_id)
    if entity.status == "archived":
        raise Conflict(f"该{KIND_LABELS[kind]}已归档", code="out_of_order")
    entity.status = "archived"
    entity.updated_at = now()
    bump_generation(db)
    return entity


def bump_generation(db: Session) -> None:
    """Tells every process that published knowledge changed (this one at its next search)."""
    search_service.invalidate()
    row = db.get(KnowledgeGeneration, 1)
    if row is None:
        db.add(KnowledgeGeneration(id=1, value=1, changed_at=now()))
    else:
        row.value += 1
        row.changed_at = now()


def previous_revision(db: Session, revision: Revision) -> Revision | None:
    """The version before this one of the same entry: what was live before it, when there was one, else the latest
    earlier version."""
    if revision.entity_id is None:
        return None
    query = (
        select(Revision)
        .where(
            Revision.kind == revision.kind,
            Revision.entity_id == revision.entity_id,
            Revision.version < revision.version,
        )
        .order_by(Revision.version.desc(), Revision.id.desc())
    )
    rows = list(db.scalars(query))
    return next((r for r in rows if r.status in (PUBLISHED, SUPERSEDED)), rows[0] if rows else None)


def counts(db: Session) -> dict[str, dict[str, int]]:
    """Per kind: entries live, versions waiting for review, drafts (rejected ones included)."""
    out: dict[str, dict[str, int]] = {}
    for kind, model in MODELS.items():
        live = db.scalar(select(func.count()).select_from(model).where(model.status == PUBLISHED)) or 0
        waiting = select(func.count()).select_from(Revision).where(Revision.kind == kind)
        pending = db.scalar(waiting.where(Revision.status == PENDING)) or 0
        drafts = db.scalar(waiting.where(Revision.status.in_((DRAFT, REJECTED)))) or 0
        out[kind] = {"live": live, "pending": pending, "drafts": drafts}
    return out


def work_counts(db: Session, user: User) -> dict[str, int]:
    """What waits for this person in the knowledge base (for their 工作台): versions to review (not their own),
    their drafts, and their versions sent back."""
    counts: dict[str, int] = {}
    if Permission.KNOWLEDGE_REVIEW in user.permissions:
        to_review = select(func.count()).select_from(Revision).where(Revision.status == PENDING)
        counts["review"] = db.scalar(to_review.where(Revision.author_id != user.id)) or 0
    if Permission.KNOWLEDGE_EDIT in user.permissions:
        mine = select(func.count()).select_from(Revision).where(Revision.author_id == user.id)
        counts["drafts"] = db.scalar(mine.where(Revision.status == DRAFT)) or 0
        counts["rejected"] = db.scalar(mine.where(Revision.status == REJECTED)) or 0
        counts["pending"] = db.scalar(mine.where(Revision.status == PENDING)) or 0
    return counts
