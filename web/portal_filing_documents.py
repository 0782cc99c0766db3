"""项目资料 pages: adding a document to a project and opening one (rules in core/projects/documents.py). The same
address serves the enterprise, the guide and the reviewing departments' staff: each sees what the project lets
them see (``ViewedProject`` answers 404 otherwise)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from core.audit.context import acting
from core.deps import DB
from core.errors import ValidationFailed
from core.projects import documents
from core.settings import get_settings
from web.common import Form, file_response, flash, redirect, text, upload
from web.deps import OnError, SignedIn
from web.portal_filing import ViewedProject

router = APIRouter(include_in_schema=False)


@router.post("/filing/projects/{project_id}/documents", response_class=HTMLResponse)
def add_document(
    request: Request, db: DB, form: Form, viewer: SignedIn, project: ViewedProject, on_error: OnError
) -> Response:
    """Stores one chosen file under its kind, and goes back to the project."""
    on_error.redirect(f"/filing/projects/{project.id}#documents")
    chosen = upload(form, "file")
    if chosen is None:
        raise ValidationFailed("请选择要上传的文件", field="file")
    content = chosen.file.read(get_settings().upload_max_bytes + 1)
    with acting(action="project.document_upload"):
        added = documents.add(
            db, viewer, project, kind=text(form, "kind"), filename=chosen.filename or "", content=content
        )
    flash(request, f"已上传“{documents.KINDS[added.kind]}”：{added.file.original_name}")
    return redirect(f"/filing/projects/{project.id}#documents")


@router.get("/filing/projects/{project_id}/documents/{document_id}")
def document_file(document_id: int, db: DB, viewer: SignedIn, project: ViewedProject) -> Response:
    """One document of the project, for those who may see the project (the opening is audited)."""
    with acting(action="project.document_download"):
        found = documents.open_file(db, viewer, project, document_id)
    return file_response(found)
