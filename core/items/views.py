"""Service catalogue API: public guides, admin curation."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Response, UploadFile

from core.deps import DB, CurrentUser
from core.items import service, templates, versions
from core.items.schemas import (
    GuidanceIn,
    GuidanceOut,
    GuideOut,
    ItemIn,
    ItemSummary,
    PublishIn,
    TemplateOut,
    VersionOut,
)

router = APIRouter(tags=["事项与办事指南"])


@router.get("/items", response_model=list[ItemSummary], summary="事项目录（公开）")
def list_items(
    db: DB, q: str | None = None, category: str | None = None, department_id: int | None = None
) -> list[ItemSummary]:
    """The published catalogue, filtered by words of the name, category and department."""
    return [
        ItemSummary.from_model(i) for i in service.list_items(db, q=q, category=category, department_id=department_id)
    ]


@router.get("/items/{item_id}", response_model=GuideOut, summary="办事指南（公开）")
def get_guide(item_id: int, db: DB) -> GuideOut:
    """A published item's whole guide, elements in the standard order."""
    return GuideOut.from_model(service.get(db, item_id, published_only=True))


@router.post("/items", response_model=GuideOut, status_code=201, summary="新增事项")
def create_item(data: ItemIn, db: DB, user: CurrentUser) -> GuideOut:
    """Creates an item with its guide (admins; a department-scoped manager for their own department)."""
    manager = templates.require_department_manager(user, data.department_id)
    return GuideOut.from_model(versions.save(db, manager, None, data)[0])


@router.put("/items/{item_id}", response_model=GuideOut, summary="修改事项")
def update_item(item_id: int, data: ItemIn, db: DB, user: CurrentUser) -> GuideOut:
    """Changes an item and its guide (admins; a department-scoped manager for their own department's items). An
    item online is published again as its next version: cases filed from now on record it."""
    item = service.get(db, item_id)
    manager = templates.require_manager(user, item)
    return GuideOut.from_model(versions.save(db, manager, item, data)[0])


# ---------------------------------------------------------------- acceptance management (issue 18, 4.13)


@router.get("/items/{item_id}/templates", response_model=list[TemplateOut], summary="受理资料模板（公开）")
def list_templates(item_id: int, db: DB) -> list[TemplateOut]:
    """The current blank form and filled sample of each material of a published item."""
    item = service.get(db, item_id, published_only=True)
    return [templates.out(t) for t in templates.current(db, item)]


@router.get("/items/{item_id}/templates/history", response_model=list[TemplateOut], summary="受理资料模板的全部版本")
def template_history(item_id: int, db: DB, user: CurrentUser) -> list[TemplateOut]:
    """Every version of every template of the item, newest first (the item's managers)."""
    item = service.get(db, item_id)
    templates.require_manager(user, item)
    return [templates.out(t) for t in templates.history(db, item)]


@router.post(
    "/items/{item_id}/materials/{material_id}/templates",
    response_model=TemplateOut,
    status_code=201,
    summary="上传受理资料模板（新版本）",
)
def upload_template(
    item_id: int,
    material_id: int,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()],
    db: DB,
    user: CurrentUser,
    note: Annotated[str, Form()] = "",
) -> TemplateOut:
    """Stores a new version of a material's blank form (kind=blank) or filled sample (kind=sample); the older
    versions stay listed. PDF, Word, Excel, JPG or PNG up to 10 MB."""
    item = service.get(db, item_id)
    manager = templates.require_manager(user, item)
    content = file.file.read(templates.MAX_BYTES + 1)
    template = templates.upload(
        db, manager, item, material_id=material_id, kind=kind, filename=file.filename or "", content=content, note=note
    )
    return templates.out(template)


@router.get(
    "/items/{item_id}/templates/{template_id}/file",
    response_class=Response,
    summary="下载受理资料模板（当前版本公开）",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def template_file(item_id: int, template_id: int, db: DB, user: CurrentUser) -> Response:
    """The template's file under its download name; an older version only for the item's managers."""
    found = templates.opened(templates.get_served(db, user, template_id, item_id=item_id))
    return Response(
        found.content,
        media_type=found.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}"},
    )


@router.get("/items/{item_id}/guidance", response_model=GuidanceOut, summary="受理指导")
def get_guidance(item_id: int, db: DB, user: CurrentUser) -> GuidanceOut:
    """The item's acceptance checklist, common mistakes and refusal grounds: for staff who accept its cases (its
    department's, or all for an all-departments scope) and for its managers."""
    item = service.get(db, item_id)
    versions.require_guidance_reader(user, item)
    return GuidanceOut.from_model(item)


@router.put("/items/{item_id}/guidance", response_model=GuidanceOut, summary="修改受理指导")
def put_guidance(item_id: int, data: GuidanceIn, db: DB, user: CurrentUser) -> GuidanceOut:
    """Replaces the item's acceptance guidance (its managers)."""
    item = service.get(db, item_id)
    manager = templates.require_manager(user, item)
    return GuidanceOut.from_model(versions.save_guidance(db, manager, item, data))


@router.get("/items/{item_id}/versions", response_model=list[VersionOut], summary="事项指南的发布版本")
def list_versions(item_id: int, db: DB, user: CurrentUser) -> list[VersionOut]:
    """The item's published versions, newest first (its managers)."""
    item = service.get(db, item_id)
    templates.require_manager(user, item)
    return [versions.out(v) for v in versions.list_versions(db, item)]


@router.post("/items/{item_id}/publish", response_model=VersionOut, status_code=201, summary="发布事项指南")
def publish(item_id: int, data: PublishIn, db: DB, user: CurrentUser) -> VersionOut:
    """Publishes the guide as it stands as the next version and puts the item online; cases filed from now on
    are handled by this version."""
    item = service.get(db, item_id)
    manager = templates.require_manager(user, item)
    return versions.out(versions.publish(db, manager, item, note=data.note))


@router.post("/items/{item_id}/unpublish", response_model=GuideOut, summary="下线事项")
def unpublish(item_id: int, db: DB, user: CurrentUser) -> GuideOut:
    """Takes the item offline: no new applications; cases already filed go on under their version."""
    item = service.get(db, item_id)
    manager = templates.require_manager(user, item)
    return GuideOut.from_model(versions.unpublish(db, manager, item))
