"""Admin site, knowledge base: drafts and versions of every kind, review, archive, Excel import and export,
and the questions search could not answer."""

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.deps import DB
from core.errors import AppError, NotFound, ValidationFailed
from core.items import service as item_service
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from knowledge import excel, unanswered, workflow
from knowledge import service as knowledge_service
from knowledge.models import LEGAL_STATUSES, Revision
from knowledge.schemas import KIND_LABELS, SCHEMAS
from web.common import Form, flash, redirect, render, text, to_int, upload
from web.deps import ErrorRoute, OnError, Staff, staff_with
from web.knowledge_forms import (
    APPLICANT_TYPES,
    FIELD_LABELS,
    data_from_values,
    display,
    display_names,
    form_values,
    values_from_data,
)

router = APIRouter(prefix="/admin/knowledge", include_in_schema=False)

EXCEL_KINDS = ("faq", "law", "glossary")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 10 * 1024 * 1024
REVISION_LIMIT = 200
ENTRY_LIMIT = 1000

Editor = Annotated[User, Depends(staff_with(Permission.KNOWLEDGE_EDIT))]


def _kind(kind: str) -> str:
    if kind not in SCHEMAS:
        raise NotFound("知识类型不存在")
    return kind


def portal_link(kind: str, entity_id: int | None) -> str:
    """Where the public sees a live entry."""
    if entity_id is None:
        return ""
    return {
        "faq": f"/knowledge/faqs/{entity_id}",
        "law": f"/knowledge/laws/{entity_id}",
        "policy": f"/knowledge/policies/{entity_id}",
        "glossary": f"/knowledge/glossary#term-{entity_id}",
        "bundle": f"/knowledge/bundles#bundle-{entity_id}",
        "link": f"/knowledge/links#link-{entity_id}",
    }[kind]


# ---------------------------------------------------------------- showing a version, comparing two


def _revision_context(db: Session, revision: Revision) -> dict[str, Any]:
    names = display_names(db)
    kind = revision.kind
    labels = FIELD_LABELS[kind]
    rows = [(labels[k], display(kind, k, revision.data.get(k), names)) for k in labels]
    earlier = workflow.previous_revision(db, revision)
    diff = []
    if earlier is not None:
        for key, label in labels.items():
            before = display(kind, key, earlier.data.get(key), names)
            after = display(kind, key, revision.data.get(key), names)
            diff.append((label, before, after, before != after))
    history: list[Revision] = []
    entity = None
    if revision.entity_id is not None:
        history = list(
            db.scalars(
                select(Revision)
                .where(Revision.kind == kind, Revision.entity_id == revision.entity_id)
                .order_by(Revision.version.desc(), Revision.id.desc())
            )
        )
        entity = workflow.get_entity(db, kind, revision.entity_id)
    return {
        "revision": revision,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "rows": rows,
        "earlier": earlier,
        "diff": diff,
        "history": history,
        "entity": entity,
        "portal_link": portal_link(kind, revision.entity_id) if entity is not None else "",
        "status_labels": workflow.STATUS_LABELS,
    }


# ---------------------------------------------------------------- overview


@router.get("", response_class=HTMLResponse)
def overview(request: Request, db: DB, editor: Editor) -> HTMLResponse:
    """Every kind with its counts, and the versions waiting for review."""
    pending = list(
        db.scalars(select(Revision).where(Revision.status == workflow.PENDING).order_by(Revision.submitted_at))
    )
    context = {
        "kinds": KIND_LABELS,
        "counts": workflow.counts(db),
        "pending": pending,
        "unanswered": len(unanswered.groups(db)),
    }
    return render(request, "admin/knowledge.html", context)


# ---------------------------------------------------------------- unanswered questions


UNANSWERED_SUGGESTED = 100
"""Groups (the most asked first) shown with suggested FAQs: each costs up to ``unanswered.SEARCHED_WORDINGS``
searches (about 0.8 ms each on the demo knowledge base: 500 took 0.38 s), so a full list adds under half a second."""


def _unanswered_context(db: Session) -> dict[str, Any]:
    """The groups, each with the FAQs that may already answer it (the search's best FAQs for its wordings)."""
    groups = unanswered.groups(db)
    shown = groups[:UNANSWERED_SUGGESTED]
    return {"groups": groups, "suggested": {g.question_ids[0]: unanswered.suggestions(db, g.texts) for g in shown}}


@router.get("/unanswered", response_class=HTMLResponse)
def unanswered_page(request: Request, db: DB, editor: Editor) -> HTMLResponse:
    """Questions search could not answer, grouped, most asked first, with the FAQs that may already answer them."""
    return render(request, "admin/knowledge_unanswered.html", _unanswered_context(db))


@router.post("/unanswered/{question_id}/draft", response_class=HTMLResponse)
def unanswered_to_draft(
    question_id: int, request: Request, db: DB, form: Form, editor: Editor, on_error: OnError
) -> Response:
    """Starts an FAQ draft from a question and opens it for writing the answer."""
    on_error.show("admin/knowledge_unanswered.html", lambda: _unanswered_context(db))
    revision = unanswered.to_faq_draft(db, editor, question_id)
    flash(request, "已转为问答草稿，请填写答案后提交审核")
    return redirect(f"/admin/knowledge/revisions/{revision.id}/edit")


@router.post("/unanswered/{question_id}/alternatives", response_class=HTMLResponse)
def unanswered_to_alternatives(
    question_id: int, request: Request, db: DB, form: Form, editor: Editor, on_error: OnError
) -> Response:
    """Adds the question and its group's wordings to an FAQ that already answers them (a new version to review)."""
    on_error.show("admin/knowledge_unanswered.html", lambda: _unanswered_context(db))
    faq_id = to_int(text(form, "faq_id"), "问答")
    if faq_id is None:
        raise ValidationFailed("请选择已能回答该问题的问答", field="faq_id")
    revision = unanswered.to_alternatives(db, editor, question_id, faq_id)
    flash(request, f"已加为问答“{revision.title}”的其他问法（新版本草稿），请核对后提交审核")
    return redirect(f"/admin/knowledge/revisions/{revision.id}")


# ---------------------------------------------------------------- versions: show, edit, submit, review


def _form_context(db: Session, kind: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "labels": FIELD_LABELS[kind],
        "values": values,
        "entity": None,
        "revision": None,
        "applicant_types": APPLICANT_TYPES,
    }
    if kind in ("faq", "bundle"):
        context["items"] = item_service.list_items(db, published_only=False)
    if kind == "link":
        context["departments"] = org_service.list_departments(db=db)
    if kind == "law":
        context["laws"] = knowledge_service.law_titles(db=db)
        context["standings"] = LEGAL_STATUSES
    return context | extra


@router.get("/revisions/{revision_id}", response_class=HTMLResponse)
def revision_page(revision_id: int, request: Request, db: DB, editor: Editor) -> HTMLResponse:
    """A version's content, where it stands, what changed from the version before, and what can be done."""
    return render(
        request, "admin/knowledge_revision.html", _revision_context(db, workflow.get_revision(db, revision_id))
    )


@router.get("/revisions/{revision_id}/edit", response_class=HTMLResponse)
def revision_edit_page(revision_id: int, request: Request, db: DB, editor: Editor) -> HTMLResponse:
    """The form of a draft (or of a version sent back), filled in."""
    revision = workflow.editable(workflow.get_revision(db, revision_id))
    values = values_from_data(revision.kind, revision.data)
    if revision.kind == "faq" and revision.data.get("answer") == workflow.ANSWER_PLACEHOLDER:
        values["answer"] = ""
    return render(request, "admin/knowledge_form.html", _edit_context(db, revision, values))


def _edit_context(db: Session, revision: Revision, values: dict[str, Any]) -> dict[str, Any]:
    entity = workflow.get_entity(db, revision.kind, revision.entity_id) if revision.entity_id else None
    return _form_context(db, revision.kind, values, revision=revision, entity=entity)


@router.post("/revisions/{revision_id}/edit", response_class=HTMLResponse)
def revision_edit(
    revision_id: int, request: Request, db: DB, form: Form, editor: Editor, on_error: OnError
) -> Response:
    """Saves the draft, and sends it for review when 保存并提交审核 was pressed."""
    revision = workflow.editable(workflow.get_revision(db, revision_id))
    values = form_values(form, revision.kind)
    on_error.show(
        "admin/knowledge_form.html", lambda: _edit_context(db, workflow.get_revision(db, revision_id), values)
    )
    workflow.update_draft(db, editor, revision, data_from_values(revision.kind, values))
    if text(form, "then") == "submit":
        workflow.submit(db, editor, revision)
    flash(request, "已提交审核" if revision.status == "pending" else "草稿已保存")
    return redirect(f"/admin/knowledge/revisions/{revision.id}")


def _act(request: Request, db: Session, revision_id: int, action: Any, message: str, on_error: ErrorRoute) -> Response:
    revision = workflow.get_revision(db, revision_id)
    on_error.show(
        "admin/knowledge_revision.html", lambda: _revision_context(db, workflow.get_revision(db, revision_id))
    )
    action(revision)
    flash(request, message)
    return redirect(f"/admin/knowledge/revisions/{revision_id}")


@router.post("/revisions/{revision_id}/submit", response_class=HTMLResponse)
def revision_submit(
    revision_id: int, request: Request, db: DB, form: Form, editor: Editor, on_error: OnError
) -> Response:
    """提交审核."""
    return _act(request, db, revision_id, lambda r: workflow.submit(db, editor, r), "已提交审核", on_error)


@router.post("/revisions/{revision_id}/approve", response_class=HTMLResponse)
def revision_approve(
    revision_id: int, request: Request, db: DB, form: Form, reviewer: Staff, on_error: OnError
) -> Response:
    """审核通过: publishes the version (not one's own)."""
    comment = text(form, "comment")[:2000]
    return _act(
        request, db, revision_id, lambda r: workflow.approve(db, reviewer, r, comment), "审核通过，已发布", on_error
    )


@router.post("/revisions/{revision_id}/reject", response_class=HTMLResponse)
def revision_reject(
    revision_id: int, request: Request, db: DB, form: Form, reviewer: Staff, on_error: OnError
) -> Response:
    """退回 with the reason."""
    comment = text(form, "comment")[:2000]
    return _act(request, db, revision_id, lambda r: workflow.reject(db, reviewer, r, comment), "已退回修改", on_error)


# ---------------------------------------------------------------- one kind: list, new draft, archive, Excel


def _entry_title(kind: str, entity: Any) -> str:
    return workflow.title_of(
        kind, {key: getattr(entity, key, "") for key in ("question", "title", "term", "theme", "name")}
    )


def _list_context(db: Session, kind: str, status: str | None) -> dict[str, Any]:
    model = workflow.MODELS[kind]
    entries = list(db.scalars(select(model).order_by(model.id.desc()).limit(ENTRY_LIMIT)))
    query = select(Revision).where(Revision.kind == kind).order_by(Revision.id.desc()).limit(REVISION_LIMIT)
    if status:
        query = query.where(Revision.status == status)
    return {
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "entries": [(e, _entry_title(kind, e), portal_link(kind, e.id)) for e in entries],
        "revisions": list(db.scalars(query)),
        "status": status or "",
        "status_labels": workflow.STATUS_LABELS,
        "excel": kind in EXCEL_KINDS,
    }


@router.get("/{kind}", response_class=HTMLResponse)
def kind_page(kind: str, request: Request, db: DB, editor: Editor, status: str | None = None) -> HTMLResponse:
    """The live entries of a kind and its versions."""
    chosen = status if status in workflow.STATUS_LABELS else None
    return render(request, "admin/knowledge_list.html", _list_context(db, _kind(kind), chosen))


@router.get("/{kind}/new", response_class=HTMLResponse)
def new_page(kind: str, request: Request, db: DB, editor: Editor, entity_id: str | None = None) -> HTMLResponse:
    """An empty form, or — for a new version — the form filled with the live entry."""
    _kind(kind)
    entity_number = to_int(entity_id, "编号")
    if entity_number is None:
        values = values_from_data(kind, {"public": True})
        return render(request, "admin/knowledge_form.html", _form_context(db, kind, values))
    entity = workflow.get_entity(db, kind, entity_number)
    values = values_from_data(kind, workflow.current_data(db, kind, entity_number))
    return render(request, "admin/knowledge_form.html", _form_context(db, kind, values, entity=entity))


@router.post("/{kind}/new", response_class=HTMLResponse)
def new_draft(kind: str, request: Request, db: DB, form: Form, editor: Editor, on_error: OnError) -> Response:
    """Saves a draft of a new entry or of a new version (and submits it when asked)."""
    _kind(kind)
    values = form_values(form, kind)
    entity_number = to_int(text(form, "entity_id"), "编号")
    entity = workflow.get_entity(db, kind, entity_number) if entity_number is not None else None
    on_error.show("admin/knowledge_form.html", lambda: _form_context(db, kind, values, entity=entity))
    revision = workflow.create_draft(db, editor, kind, data_from_values(kind, values), entity_number)
    if text(form, "then") == "submit":
        workflow.submit(db, editor, revision)
    flash(request, "已保存并提交审核" if revision.status == "pending" else "草稿已保存")
    return redirect(f"/admin/knowledge/revisions/{revision.id}")


@router.post("/{kind}/{entity_id}/archive", response_class=HTMLResponse)
def archive(
    kind: str, entity_id: int, request: Request, db: DB, form: Form, reviewer: Staff, on_error: OnError
) -> Response:
    """归档: off the portal and out of search; its versions stay."""
    _kind(kind)
    on_error.show("admin/knowledge_list.html", lambda: _list_context(db, kind, None))
    workflow.archive(db, reviewer, kind, entity_id)
    flash(request, f"{KIND_LABELS[kind]}（编号 {entity_id}）已归档，门户和检索中不再显示")
    return redirect(f"/admin/knowledge/{kind}")


def _excel_kind(kind: str) -> str:
    if kind not in EXCEL_KINDS:
        raise NotFound("只有咨询问答、法律法规和政务百科可以用 Excel 导入导出")
    return kind


@router.get("/{kind}/export")
def export(kind: str, request: Request, db: DB, editor: Editor) -> Response:
    """The published entries as an Excel workbook (the template for import)."""
    content = excel.export_workbook(db, _excel_kind(kind))
    name = f"{KIND_LABELS[kind]}-{datetime.now():%Y%m%d}.xlsx"
    disposition = f"attachment; filename=\"{kind}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})


def _import_context(kind: str) -> dict[str, Any]:
    return {"kind": kind, "kind_label": KIND_LABELS[kind], "problems": []}


@router.get("/{kind}/import", response_class=HTMLResponse)
def import_page(kind: str, request: Request, db: DB, editor: Editor) -> HTMLResponse:
    """The upload form."""
    return render(request, "admin/knowledge_import.html", _import_context(_excel_kind(kind)))


@router.post("/{kind}/import", response_class=HTMLResponse)
def import_file(kind: str, request: Request, db: DB, form: Form, editor: Editor, on_error: OnError) -> Response:
    """Checks the whole file; any error rejects it and lists the problems row by row."""
    context = _import_context(_excel_kind(kind))

    def problems(error: AppError) -> Response:  # the first line on top, the rows' problems listed below
        first, *rest = error.message.splitlines() or [error.message]
        listed = context | {"problems": [line for line in rest if line.strip()], "error": first}
        return render(request, "admin/knowledge_import.html", listed, status=error.status_code)

    on_error.answer(problems)
    file = upload(form, "file")
    if file is None:
        raise ValidationFailed("请选择要导入的 Excel 文件（.xlsx）", field="file")
    content = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed("文件超过 10 MB，请分批导入", field="file")
    count = excel.import_workbook(db, editor, kind, content)
    if count:
        flash(request, f"导入完成：{count} 条新增或修改的内容已提交审核")
    else:
        flash(request, "导入完成：文件内容与已发布内容相同，没有需要提交的修改")
    return redirect(f"/admin/knowledge/{kind}?status=pending")
