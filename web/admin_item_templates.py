"""Admin site, acceptance management of an item (issue 18, 4.13): its material templates (blank form and filled
sample, every version listed, a new upload makes a new version) and its 受理指导 for window clerks."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from core.audit.context import acting
from core.deps import DB
from core.errors import ValidationFailed
from core.items import service as item_service
from core.items import templates, versions
from core.items.models import ServiceItem
from core.items.schemas import GuidanceOut
from web import item_forms
from web.admin_items import ItemManager
from web.common import Form, flash, redirect, render, text, to_int, upload
from web.deps import OnError

router = APIRouter(prefix="/admin", include_in_schema=False)


def _templates_context(db: Session, item: ServiceItem) -> dict[str, Any]:
    every = templates.history(db, item)
    served = {t.id for t in templates.current(db, item)}
    return {
        "item": item,
        "by_material": templates.by_material(every),
        "served": served,
        "kinds": templates.KIND_LABELS,
        "names": {t.id: templates.download_name(t) for t in every},
        "previewable": {t.id for t in every if templates.has_preview(t)},
        "max_mb": templates.MAX_BYTES // (1024 * 1024),
    }


@router.get("/items/{item_id}/templates", response_class=HTMLResponse)
def templates_page(item_id: int, request: Request, db: DB, manager: ItemManager) -> HTMLResponse:
    """Each material with its blank form and sample: the version served, the older ones, an upload form."""
    item = item_service.get(db, item_id)
    templates.require_manager(manager, item)
    return render(request, "admin/item_templates.html", _templates_context(db, item))


@router.post("/items/{item_id}/templates", response_class=HTMLResponse)
def template_upload(
    item_id: int, request: Request, db: DB, form: Form, manager: ItemManager, on_error: OnError
) -> Response:
    """Stores the chosen file as the material's new template version; a refused file keeps the page, with why."""
    item = item_service.get(db, item_id)
    templates.require_manager(manager, item)
    on_error.show("admin/item_templates.html", lambda: _templates_context(db, item_service.get(db, item_id)))
    material_id = to_int(text(form, "material_id"), "材料")
    chosen = upload(form, "file")
    if material_id is None:
        raise ValidationFailed("请选择材料", field="material_id")
    if chosen is None:
        raise ValidationFailed("请选择要上传的模板文件", field="file")
    content = chosen.file.read(templates.MAX_BYTES + 1)
    with acting(action="item.template_upload"):
        template = templates.upload(
            db,
            manager,
            item,
            material_id=material_id,
            kind=text(form, "kind"),
            filename=chosen.filename or "",
            content=content,
            note=text(form, "note"),
        )
    label = templates.KIND_LABELS[templates.TemplateKind(template.kind)]
    flash(request, f"已上传“{template.material.name}”的{label}（第{template.version}版）")
    return redirect(f"/admin/items/{item_id}/templates#material-{template.material_id}")


def _guidance_context(item: ServiceItem, values: dict[str, Any]) -> dict[str, Any]:
    return {"item": item, "values": values, "empty_rows": item_forms.EMPTY_ROWS}


@router.get("/items/{item_id}/guidance", response_class=HTMLResponse)
def guidance_page(item_id: int, request: Request, db: DB, manager: ItemManager) -> HTMLResponse:
    """The item's 受理指导 form."""
    item = item_service.get(db, item_id)
    templates.require_manager(manager, item)
    values = GuidanceOut.from_model(item).model_dump()
    values["acceptance_checklist"] = "\n".join(values["acceptance_checklist"])
    values["common_mistakes"] = "\n".join(values["common_mistakes"])
    return render(request, "admin/item_guidance.html", _guidance_context(item, values))


@router.post("/items/{item_id}/guidance", response_class=HTMLResponse)
def guidance_save(
    item_id: int, request: Request, db: DB, form: Form, manager: ItemManager, on_error: OnError
) -> Response:
    """Saves the 受理指导; the clerks see it on the case page while they accept."""
    item = item_service.get(db, item_id)
    templates.require_manager(manager, item)
    count = to_int(text(form, "g_rows"), "行数", 0) or 0
    typed = {
        "acceptance_checklist": text(form, "acceptance_checklist"),
        "common_mistakes": text(form, "common_mistakes"),
        "refusal_grounds": [
            {"what": text(form, f"g{i}_what"), "why": text(form, f"g{i}_why")} for i in range(min(count, 100))
        ],
    }
    on_error.show("admin/item_guidance.html", lambda: _guidance_context(item_service.get(db, item_id), typed))
    data = item_forms.guidance(form)
    with acting(action="item.guidance"):
        versions.save_guidance(db, manager, item, data)
    flash(request, f"“{item.name}”的受理指导已保存")
    return redirect(f"/admin/items/{item_id}/guidance")
