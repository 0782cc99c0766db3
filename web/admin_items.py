"""Admin site, service items: the catalogue, creating an item, editing its whole guide (fields, material list,
process steps, fee, its own questions and answers) and publishing it as a version or taking it offline.

Publishing (core/items/versions.py) keeps the guide as it stands as version N: the cases filed afterwards are
handled by N, whatever later edits say; taking an item offline stops new applications only.
"""

from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.audit.context import acting
from core.deps import DB
from core.errors import AppError, ValidationFailed
from core.items import service as item_service
from core.items import templates, versions
from core.items.enums import CASE_TYPE_LABELS
from core.items.models import ServiceItem
from core.items.schemas import GuideOut, ItemIn
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from web import item_forms
from web.common import Form, checked, flash, redirect, render, text, validation_message
from web.deps import OnError, staff_with

router = APIRouter(prefix="/admin", include_in_schema=False)

ItemManager = Annotated[User, Depends(staff_with(Permission.ITEM_MANAGE))]

ITEM_TEXT_FIELDS = {
    "code": "实施编码",
    "name": "事项名称",
    "aliases": "简称和别名（用顿号分隔，搜索据此识别事项）",
    "item_type": "事项类型",
    "legal_basis": "设定依据",
    "scope": "适用范围",
    "conditions": "申请条件",
    "location": "办理地点",
    "office_hours": "办理时间",
    "consult_phone": "咨询电话",
    "complaint_phone": "监督投诉电话",
    "fee": "收费依据及标准（免费请填写“不收费”）",
    "result_name": "结果名称",
    "delivery_method": "送达方式",
    "online_depth": "网上办理深度",
}
LONG_FIELDS = ("legal_basis", "scope", "conditions", "fee")
ITEM_NUMBER_FIELDS = {
    "statutory_limit": "法定时限",
    "promised_limit": "承诺时限",
    "visits": "到现场次数",
    "case_type": "办件类型",
}
ITEM_FLAGS = {"is_online": "可网上申报", "issues_licence": "结果为证照（入电子证照库）"}
LABELS = {
    **ITEM_TEXT_FIELDS,
    **ITEM_NUMBER_FIELDS,
    "category": "事项分类",
    "department_id": "实施主体",
    "materials": "材料目录",
    "process_steps": "办理流程",
    "faqs": "常见问题",
    "joint_route": "会办部门",
}
NEW_ITEM = {
    "code": "",
    "name": "",
    "aliases": [],
    "item_type": "行政许可",
    "category": item_service.CATEGORIES[0],
    "department_id": "",
    "statutory_limit": 20,
    "promised_limit": 10,
    "visits": 1,
    "case_type": 2,
    "fee": "不收费",
    "online_depth": "三级",
    "is_online": True,
    "issues_licence": False,
    "materials": [],
    "process_steps": [],
    "faqs": [],
    "joint_route": [],
}


@router.get("/items", response_class=HTMLResponse)
def items(request: Request, db: DB, manager: ItemManager) -> HTMLResponse:
    """All items, online or not, with the version published."""
    rows = item_service.list_items(db, published_only=False)
    return render(request, "admin/items.html", {"items": rows, "case_types": CASE_TYPE_LABELS})


def _context(db: Session, item: ServiceItem | None, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "item": item,
        "values": values,
        "text_fields": ITEM_TEXT_FIELDS,
        "long_fields": LONG_FIELDS,
        "number_fields": ITEM_NUMBER_FIELDS,
        "flags": ITEM_FLAGS,
        "categories": item_service.CATEGORIES,
        "departments": org_service.list_departments(db=db, active_only=True),
        "case_types": CASE_TYPE_LABELS,
        "material_forms": item_forms.MATERIAL_FORMS,
        "material_media": item_forms.MATERIAL_MEDIA,
        "empty_rows": item_forms.EMPTY_ROWS,
        "versions": versions.list_versions(db, item) if item is not None else [],
    }


def _typed(form: FormData, current: dict[str, Any]) -> dict[str, Any]:
    """What the form says, over the item's current values: a field or list the form does not carry stays as it
    is (joint route and special steps are not on the form)."""
    values = {**current}
    fields = [*ITEM_TEXT_FIELDS, *ITEM_NUMBER_FIELDS, "category", "department_id"]
    values |= {key: text(form, key) for key in fields if form.get(key) is not None}
    values |= {key: checked(form, key) for key in ITEM_FLAGS}
    for key, prefix, read in (
        ("materials", "m", item_forms.materials),
        ("process_steps", "s", item_forms.steps),
        ("faqs", "f", item_forms.faqs),
    ):
        if form.get(f"{prefix}_rows") is None:
            continue
        with suppress(AppError):  # else shown again as it was; the check in _checked names the problem
            values[key] = read(form)
    return values


def _checked(form: FormData, values: dict[str, Any]) -> ItemIn:
    item_forms.materials(form)
    item_forms.faqs(form)
    try:
        return ItemIn.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, LABELS)) from exc


@router.get("/items/new", response_class=HTMLResponse)
def item_new_page(request: Request, db: DB, manager: ItemManager) -> HTMLResponse:
    """An empty item form (the item starts offline: publish it when its guide is complete)."""
    values = {**NEW_ITEM, "department_id": manager.department_id or ""}
    return render(request, "admin/item_form.html", _context(db, None, values))


@router.post("/items/new", response_class=HTMLResponse)
def item_create(request: Request, db: DB, form: Form, manager: ItemManager, on_error: OnError) -> Response:
    """Creates an item, offline until it is published."""
    values = _typed(form, {**NEW_ITEM, "is_published": False})
    on_error.show("admin/item_form.html", lambda: _context(db, None, values))
    data = _checked(form, values)
    with acting(action="item.create"):
        created, _ = versions.save(db, manager, None, data)
    flash(request, f"事项“{created.name}”已创建，尚未发布；指南完整后请点击“发布”")
    return redirect(f"/admin/items/{created.id}")


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(item_id: int, request: Request, db: DB, manager: ItemManager) -> HTMLResponse:
    """The whole guide of an item, editable, with its versions and the publish buttons."""
    item = item_service.get(db, item_id)
    templates.require_manager(manager, item)
    values = GuideOut.from_model(item).model_dump()
    return render(request, "admin/item_form.html", _context(db, item, values))


@router.post("/items/{item_id}", response_class=HTMLResponse)
def item_update(
    item_id: int, request: Request, db: DB, form: Form, manager: ItemManager, on_error: OnError
) -> Response:
    """Saves the guide as typed; cases already filed keep the version they were filed under."""
    item = item_service.get(db, item_id)
    templates.require_manager(manager, item)
    current = GuideOut.from_model(item).model_dump(include=set(ItemIn.model_fields))
    values = _typed(form, current)
    on_error.show("admin/item_form.html", lambda: _context(db, item_service.get(db, item_id), values))
    data = _checked(form, values)
    with acting(action="item.update"):
        _, version = versions.save(db, manager, item, data)
    notice = f"，并发布为第{version.version}版（新办件按此版本办理，已申请的办件仍按原版本）" if version else ""
    flash(request, f"事项“{data.name}”已保存{notice}")
    return redirect(f"/admin/items/{item_id}")


@router.post("/items/{item_id}/publish", response_class=HTMLResponse)
def item_publish(
    item_id: int, request: Request, db: DB, form: Form, manager: ItemManager, on_error: OnError
) -> Response:
    """Publishes the guide as its next version."""
    on_error.redirect(f"/admin/items/{item_id}")
    item = item_service.get(db, item_id)
    with acting(action="item.publish"):
        version = versions.publish(db, manager, item, note=text(form, "note"))
    flash(request, f"已发布第{version.version}版指南，新办件按此版本办理")
    return redirect(f"/admin/items/{item_id}")


@router.post("/items/{item_id}/unpublish", response_class=HTMLResponse)
def item_unpublish(
    item_id: int, request: Request, db: DB, form: Form, manager: ItemManager, on_error: OnError
) -> Response:
    """Takes the item offline; cases already filed go on."""
    on_error.redirect(f"/admin/items/{item_id}")
    item = item_service.get(db, item_id)
    with acting(action="item.unpublish"):
        versions.unpublish(db, manager, item)
    flash(request, f"事项“{item.name}”已下线，不再接受新的申请；已受理的办件照常办理")
    return redirect(f"/admin/items/{item_id}")
