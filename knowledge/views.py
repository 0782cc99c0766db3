"""Knowledge API: one search for the bot and the portal, public reading, and curation with review."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from core.deps import DB, CurrentUser, ReadDB
from core.edge_cache import SHARED
from core.errors import NotFound, ValidationFailed
from core.org import service as org_service
from core.org.permissions import Permission
from core.rate_limit import client_ip
from core.settings import get_settings
from knowledge import excel, service, unanswered, workflow
from knowledge.models import Faq, Law, Revision, UnansweredQuestion
from knowledge.schemas import AlternativesIn, CentreOut, ReviewIn, RevisionOut, SearchOut
from knowledge.search import service as search_service

router = APIRouter(prefix="/knowledge", tags=["知识库"])
MAX_IMPORT_BYTES = 10 * 1024 * 1024


@router.get(
    "/search",
    response_model=SearchOut,
    summary="知识检索（办事指南、咨询问答、法规条文、政策、百科）",
    dependencies=[SHARED],
)
def search(
    request: Request, db: ReadDB, q: str | None = None, kind: str = "all", limit: int = 5, channel: str = "web"
) -> SearchOut:
    """Ranked hits with score, highlighted snippet and link, the item the question is about and whether the first
    hit is clearly ahead; ``kind`` is faq, law, policy, glossary, item or all. Unanswered questions are kept for
    admins."""
    found = search_service.find(db, q, kind=kind, limit=limit)
    answered = search_service.is_answered(found.hits, focused=found.focused)
    text = search_service.clean_query(q)
    search_service.note_unanswered(found.hits, text, channel=channel, client=client_ip(request), focused=found.focused)
    return SearchOut.from_found(text, found, answered=answered)


@router.get("/centre", response_model=CentreOut, summary="服务中心名称（公开）")
def centre() -> CentreOut:
    """The centre's configured name, so the bot introduces the centre it serves (not a name written into it)."""
    return CentreOut(name=get_settings().centre_name)


def _faq(row: Faq) -> dict[str, Any]:
    return {
        "id": row.id,
        "service_item_id": row.service_item_id,
        "question": row.question,
        "answer": row.answer,
        "keywords": row.keywords,
        "alternatives": row.alternatives,
        "version": row.version,
    }


def _law(row: Law, articles: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "doc_no": row.doc_no,
        "issuer": row.issuer,
        "title": row.title,
        "category": row.category,
        "published_on": row.published_on,
        "effective_on": row.effective_on,
        "legal_status": row.legal_status,
        "legal_status_label": service.standing_label(row),
        "amended_on": row.amended_on,
        "repealed_on": row.repealed_on,
        "replaced_by_id": row.replaced_by_id,
        "version": row.version,
    }
    if articles:
        out["articles"] = [{"number": a.number, "text": a.text, "summary": a.summary} for a in row.articles]
    return out


@router.get("/faqs", summary="咨询问答列表（公开）")
def faqs(db: DB, service_item_id: int | None = None) -> list[dict[str, Any]]:
    """Published FAQs, optionally of one service item."""
    return [_faq(r) for r in service.list_faqs(db=db, service_item_id=service_item_id)]


@router.get("/faqs/{faq_id}", summary="咨询问答（公开）")
def faq(faq_id: int, db: DB) -> dict[str, Any]:
    """One published FAQ."""
    return _faq(workflow.get_published(db, "faq", faq_id))


@router.get("/laws", summary="法律法规列表（公开）")
def laws(db: DB) -> list[dict[str, Any]]:
    """Published laws without their text."""
    return [_law(r, articles=False) for r in service.list_laws(db=db)]


@router.get("/laws/{law_id}", summary="法律法规全文（公开）")
def law(law_id: int, db: DB) -> dict[str, Any]:
    """A published law with its articles."""
    return _law(workflow.get_published(db, "law", law_id), articles=True)


@router.get("/laws/{law_id}/articles/{number}", summary="单条条文（公开）")
def article(law_id: int, number: str, db: DB) -> dict[str, Any]:
    """One article, to cite and link."""
    row = workflow.get_published(db, "law", law_id)
    found = next((a for a in row.articles if a.number == number.strip()), None)
    if found is None:
        raise NotFound(f"《{row.title}》没有“{number}”，请核对条文序号")
    return {
        "law_id": row.id,
        "title": row.title,
        "doc_no": row.doc_no,
        "legal_status": row.legal_status,
        "number": found.number,
        "text": found.text,
        "summary": found.summary,
    }


@router.get("/policies", summary="政策文件列表（公开）")
def policies(db: DB) -> list[dict[str, Any]]:
    """Published policies."""
    rows = service.list_policies(db=db)
    return [
        {
            "id": p.id,
            "doc_no": p.doc_no,
            "title": p.title,
            "issuer": p.issuer,
            "category": p.category,
            "published_on": p.published_on,
            "target_groups": p.target_groups,
            "summary": p.summary,
        }
        for p in rows
    ]


@router.get("/policies/{policy_id}", summary="政策文件及解读（公开）")
def policy(policy_id: int, db: DB) -> dict[str, Any]:
    """A published policy with its sections and interpretation."""
    p = workflow.get_published(db, "policy", policy_id)
    return {
        "id": p.id,
        "doc_no": p.doc_no,
        "title": p.title,
        "issuer": p.issuer,
        "category": p.category,
        "published_on": p.published_on,
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
        "target_groups": p.target_groups,
        "summary": p.summary,
        "sections": p.sections,
        "interpretation": p.interpretation,
        "version": p.version,
    }


@router.get("/glossary", summary="政务百科（公开）")
def glossary(db: DB) -> list[dict[str, Any]]:
    """Published glossary terms."""
    rows = service.list_glossary(db=db)
    return [{"id": t.id, "term": t.term, "explanation": t.explanation, "synonyms": t.synonyms} for t in rows]


@router.get("/bundles", summary="一件事（公开）")
def bundles(db: DB, applicant_type: str | None = None) -> list[dict[str, Any]]:
    """Published themed bundles, optionally for one applicant type."""
    rows = service.list_bundles(db=db, applicant_type=applicant_type)
    return [
        {
            "id": b.id,
            "theme": b.theme,
            "applicant_type": b.applicant_type,
            "description": b.description,
            "item_ids": b.item_ids,
            "materials": b.materials,
            "promised_limit": b.promised_limit,
            "steps": b.steps,
        }
        for b in rows
    ]


@router.get("/links", summary="业务申报指导（公开；内部系统仅工作人员可见）")
def links(db: DB, user: CurrentUser) -> list[dict[str, Any]]:
    """Business systems, ordered; internal ones only for staff."""
    staff = user is not None and user.is_staff
    rows = service.list_links(db=db, staff=staff)
    return [
        {
            "id": s.id,
            "department_id": s.department_id,
            "name": s.name,
            "system_type": s.system_type,
            "public": s.public,
            "icon": s.icon,
            "url": s.url,
            "intro": s.intro,
            "tags": s.tags,
        }
        for s in rows
    ]


class DraftIn(BaseModel):
    """A new draft: its kind, content and (for a new version) the entry it changes."""

    kind: str
    entity_id: int | None = None
    data: dict[str, Any]


@router.post("/revisions", response_model=RevisionOut, status_code=201, summary="新建草稿")
def create_draft(data: DraftIn, db: DB, user: CurrentUser) -> RevisionOut:
    """A draft of a new entry or a new version of an existing one (editors)."""
    return RevisionOut.from_model(workflow.create_draft(db, user, data.kind, data.data, data.entity_id))


@router.get("/revisions", response_model=list[RevisionOut], summary="版本列表（编辑、审核人员）")
def revisions(
    db: DB, user: CurrentUser, kind: str | None = None, status: str | None = None, entity_id: int | None = None
) -> list[RevisionOut]:
    """Every version, newest first, filtered."""
    org_service.require(user, Permission.KNOWLEDGE_EDIT)
    query = select(Revision).order_by(Revision.id.desc()).limit(500)
    if kind:
        query = query.where(Revision.kind == kind)
    if status:
        query = query.where(Revision.status == status)
    if entity_id:
        query = query.where(Revision.entity_id == entity_id)
    return [RevisionOut.from_model(r) for r in db.scalars(query)]


@router.post("/revisions/{revision_id}/submit", response_model=RevisionOut, summary="提交审核")
def submit(revision_id: int, db: DB, user: CurrentUser) -> RevisionOut:
    """Sends a draft for review."""
    return RevisionOut.from_model(workflow.submit(db, user, workflow.get_revision(db, revision_id)))


@router.post("/revisions/{revision_id}/approve", response_model=RevisionOut, summary="审核通过并发布")
def approve(revision_id: int, db: DB, user: CurrentUser, data: ReviewIn | None = None) -> RevisionOut:
    """Publishes a pending version written by someone else (a comment is optional)."""
    revision = workflow.get_revision(db, revision_id)
    workflow.approve(db, user, revision, data.comment if data else "")
    return RevisionOut.from_model(revision)


@router.post("/revisions/{revision_id}/reject", response_model=RevisionOut, summary="退回修改")
def reject(revision_id: int, data: ReviewIn, db: DB, user: CurrentUser) -> RevisionOut:
    """Sends a pending version back with the reason."""
    return RevisionOut.from_model(workflow.reject(db, user, workflow.get_revision(db, revision_id), data.comment))


@router.post("/{kind}/{entity_id}/archive", summary="归档下线")
def archive(kind: str, entity_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Takes an entry off the portal and out of search."""
    entity = workflow.archive(db, user, kind, entity_id)
    return {"kind": kind, "id": entity.id, "status": entity.status}


@router.get("/unanswered", summary="未能回答的问题（编辑人员）")
def unanswered_list(db: DB, user: CurrentUser) -> list[dict[str, Any]]:
    """Recent unanswered questions, newest first."""
    org_service.require(user, Permission.KNOWLEDGE_EDIT)
    rows = db.scalars(
        select(UnansweredQuestion)
        .where(UnansweredQuestion.resolved_faq_id.is_(None))
        .order_by(UnansweredQuestion.id.desc())
        .limit(500)
    )
    return [
        {"id": r.id, "text": r.text, "channel": r.channel, "best_score": r.best_score, "asked_at": r.asked_at}
        for r in rows
    ]


@router.get("/unanswered/groups", summary="未答问题（按相似度分组）")
def unanswered_groups(db: DB, user: CurrentUser) -> list[dict[str, Any]]:
    """Open unanswered questions grouped by similarity, most asked first."""
    org_service.require(user, Permission.KNOWLEDGE_EDIT)
    return [
        {
            "representative": g.representative,
            "count": g.count,
            "question_ids": g.question_ids,
            "texts": g.texts,
            "channels": g.channels,
            "last_asked": g.last_asked,
        }
        for g in unanswered.groups(db)
    ]


@router.post(
    "/unanswered/{question_id}/to-faq", response_model=RevisionOut, status_code=201, summary="未答问题转为问答草稿"
)
def unanswered_to_faq(question_id: int, db: DB, user: CurrentUser) -> RevisionOut:
    """Starts an FAQ draft from the question and its group (the editor then writes the answer)."""
    return RevisionOut.from_model(unanswered.to_faq_draft(db, user, question_id))


@router.get("/unanswered/{question_id}/suggestions", summary="可能已能回答该问题的问答（编辑人员）")
def unanswered_suggestions(question_id: int, db: DB, user: CurrentUser) -> list[dict[str, Any]]:
    """The published FAQs the search ranks best for the question's group: where its answer may already be."""
    org_service.require(user, Permission.KNOWLEDGE_EDIT)
    group = unanswered.group_of(db, question_id)
    if group is None:
        raise NotFound("该问题不存在或已处理")
    return [{"id": faq.id, "question": faq.question} for faq in unanswered.suggestions(db, group.texts)]


@router.post(
    "/unanswered/{question_id}/to-alternatives",
    response_model=RevisionOut,
    status_code=201,
    summary="未答问题加为已有问答的其他问法（新版本草稿）",
)
def unanswered_to_alternatives(question_id: int, data: AlternativesIn, db: DB, user: CurrentUser) -> RevisionOut:
    """A new version of the FAQ with the question and its group's wordings as other phrasings, for review."""
    return RevisionOut.from_model(unanswered.to_alternatives(db, user, question_id, data.faq_id))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/export/{kind}",
    summary="导出 Excel（咨询问答、法律法规、政务百科）",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def export(kind: str, db: DB, user: CurrentUser) -> Response:
    """The published entries of a kind as an Excel workbook that import reads back."""
    org_service.require(user, Permission.KNOWLEDGE_EDIT)
    content = excel.export_workbook(db, kind)
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{kind}.xlsx"'})


@router.post("/import/{kind}", summary="从 Excel 导入（整份校验，有错全部不导入）")
async def import_excel(kind: str, file: Annotated[UploadFile, File()], db: DB, user: CurrentUser) -> dict[str, int]:
    """Checks every row; changed rows become drafts submitted for review. Returns how many."""
    content = await file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed("文件超过 10 MB，请分批导入", code="import_rejected")
    return {"submitted": await run_in_threadpool(excel.import_workbook, db, user, kind, content)}
