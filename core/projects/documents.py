"""项目资料: the documents a project is filed with (seed 4.1.3.1: 填写项目信息、选填指标、上传项目资料).

They are stored like a case's materials (core/files checks each upload's type by extension and content, and its
size). Whoever may change the project adds them while it is not with the departments; whoever may see the
project (its enterprise, the guides, the reviewing departments' staff) opens them, and every opening is on
record as a read, as with a case's materials.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.audit.service import record_read
from core.errors import NotFound, ValidationFailed
from core.files import service as file_service
from core.org.models import User
from core.projects import service as project_service
from core.projects.models import Project, ProjectDocument

KINDS = {
    "business_licence": "营业执照",
    "project_approval": "项目批文（审批、核准或备案文件）",
    "land_document": "用地文件（出让合同、划拨决定书等）",
    "planning_document": "规划文件（规划条件、设计方案等）",
    "other": "其他资料",
}
MAX_DOCUMENTS = 30
"""A project's documents at most (a project's papers, not an archive)."""


def list_documents(db: Session, project: Project) -> list[ProjectDocument]:
    """The project's documents, oldest first (the caller has checked that the user may see the project)."""
    query = select(ProjectDocument).where(ProjectDocument.project_id == project.id).order_by(ProjectDocument.id)
    return list(db.scalars(query))


def add(db: Session, user: User, project: Project, *, kind: str, filename: str, content: bytes) -> ProjectDocument:
    """Stores one document of the project, for those who may change it now."""
    project_service.check_editable(db, user, project)
    if kind not in KINDS:
        raise ValidationFailed(f"请选择资料类别：{'、'.join(KINDS.values())}", field="kind")
    if len(list_documents(db, project)) >= MAX_DOCUMENTS:
        raise ValidationFailed(f"每个项目最多上传 {MAX_DOCUMENTS} 份资料，请删除不需要的资料后再上传", field="file")
    stored = file_service.store(db, filename=filename, content=content, uploaded_by_id=user.id)
    db.flush()
    document = ProjectDocument(project_id=project.id, kind=kind, file_id=stored.id, uploaded_by_id=user.id)
    document.file = stored
    db.add(document)
    db.flush()
    record_event(
        db,
        action="project.document_upload",
        entity="project",
        entity_id=str(project.id),
        details={"资料类别": KINDS[kind], "文件": stored.original_name},
    )
    return document


def open_file(db: Session, user: User, project: Project, document_id: int) -> file_service.FileContent:
    """One document of a project the user may see (``project_service.get_for`` checked that); audited as a read."""
    document = db.get(ProjectDocument, document_id)
    if document is None or document.project_id != project.id:
        raise NotFound("资料不存在")
    found = file_service.opened(document.file)
    record_read(
        db,
        "project_document",
        document.id,
        action="project.document_download",
        details={"项目": project.code or "", "资料类别": KINDS.get(document.kind, "其他资料"), "文件": found.filename},
    )
    return found
