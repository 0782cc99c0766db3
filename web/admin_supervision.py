"""Admin site, supervision (审管衔接): the department's inbox of pushes, a push with its claim and feedback
forms, push configuration per item, escalations, item comparison and statistics with the Excel export."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from core.audit.context import acting
from core.clock import today
from core.deps import DB
from core.errors import ValidationFailed
from core.files import service as file_service
from core.items.models import ServiceItem
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.settings import get_settings
from core.supervision import configs, service
from core.supervision.approval_result import DEFAULT_FIELDS, PUSH_FIELDS
from core.supervision.escalation import LEVEL_LABELS, STAGE_LABELS, thresholds
from core.supervision.models import SupervisionPush
from core.supervision.schemas import ConfigIn, ConfigOut, FeedbackIn
from web.common import (
    Form,
    checked,
    flash,
    page_number,
    redirect,
    render,
    text,
    texts,
    to_date,
    to_int,
    validation_message,
)
from web.deps import OnError, Staff, staff_with

router = APIRouter(prefix="/admin/supervision", include_in_schema=False)

PAGE_SIZE = 20
MAX_ATTACHMENTS = 5
TABS = service.INBOX_TABS
CONFIG_LABELS = {
    "department_ids": "监管部门",
    "fields": "推送内容",
    "note": "推送说明",
    "claim_days": "认领时限",
    "feedback_days": "反馈时限",
}


def supervision_reader(staff: Staff) -> User:
    """The member of staff who may read pushes (a receiving department, or all of them for managers)."""
    return service.require_reader(staff)


Reader = Annotated[User, Depends(supervision_reader)]
SupervisionManager = Annotated[User, Depends(staff_with(Permission.SUPERVISION_MANAGE))]


def departments_seen(db: Session, user: User) -> list[Any]:
    """The departments a reader may filter by: every active one for those who see all, else none."""
    return org_service.list_departments(db=db, active_only=True) if service.sees_all(user) else []


# ---------------------------------------------------------------- the inbox


@router.get("", response_class=HTMLResponse)
def inbox(
    request: Request,
    db: DB,
    reader: Reader,
    tab: str | None = None,
    department_id: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """My department's pushes: to claim, to feed back, done, overdue (all departments for managers)."""
    chosen = tab if tab in TABS else "pushed"
    department = to_int(department_id, "部门") if service.sees_all(reader) else None
    counts = service.inbox_counts(db, reader, department_id=department)
    number = page_number(page)
    rows, total = service.list_pushes(
        db, reader, service.inbox_filter(chosen, department_id=department), page=number, page_size=PAGE_SIZE
    )
    context = {
        "tabs": TABS,
        "tab": chosen,
        "counts": counts,
        "rows": [(p, service.overdue(p)) for p in rows],
        "total": total,
        "page": number,
        "page_size": PAGE_SIZE,
        "departments": departments_seen(db, reader),
        "department_id": department,
        "labels": service.STATUS_LABELS,
    }
    return render(request, "admin/supervision/inbox.html", context)


# ---------------------------------------------------------------- a push, its claim and feedback


def _push_context(
    db: Session, push: SupervisionPush, user: User, values: dict[str, str] | None = None
) -> dict[str, Any]:
    receiving = Permission.SUPERVISION_HANDLE in user.permissions and org_service.can_reach_department(
        user, {push.department_id}
    )
    return {
        "push": service.push_out(db, push),
        "can_claim": receiving and push.status == service.PUSHED,
        "can_feed_back": receiving and push.status == service.CLAIMED,
        "values": values or {"inspected": "1", "problems_found": "0"},
        "stage_labels": STAGE_LABELS,
        "level_labels": LEVEL_LABELS,
        "today": today().isoformat(),
    }


@router.get("/pushes/{push_id}", response_class=HTMLResponse)
def push_page(push_id: int, request: Request, db: DB, staff: Staff) -> HTMLResponse:
    """A push: what the department received, its deadlines, escalations, and the claim or feedback form."""
    push = service.get_for(db, staff, push_id)
    return render(request, "admin/supervision/push.html", _push_context(db, push, staff))


@router.post("/pushes/{push_id}/claim", response_class=HTMLResponse)
def claim(push_id: int, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """认领."""
    push = service.get_for(db, staff, push_id)
    on_error.show("admin/supervision/push.html", lambda: _push_context(db, service.get_for(db, staff, push_id), staff))
    with acting(action="supervision.claim"):
        service.claim(db, staff, push)
    flash(request, "已认领，请在反馈时限内反馈监管结果")
    return redirect(f"/admin/supervision/pushes/{push_id}")


def _yes_no(form: FormData, name: str, label: str) -> bool:
    value = text(form, name)
    if value not in ("1", "0"):
        raise ValidationFailed(f"请选择“{label}”：是或否", field=name)
    return value == "1"


def _attachment_ids(db: Session, form: FormData, handler: User) -> list[int]:
    files = [f for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"附件最多 {MAX_ATTACHMENTS} 个", field="attachments")
    ids = []
    for upload in files:
        content = upload.file.read(get_settings().upload_max_bytes + 1)
        stored = file_service.store(db, filename=upload.filename or "", content=content, uploaded_by_id=handler.id)
        db.flush()
        ids.append(stored.id)
    return ids


@router.post("/pushes/{push_id}/feedback", response_class=HTMLResponse)
def feedback(push_id: int, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """监管反馈; the page shows again with the reason when it is refused, nothing saved."""
    push = service.get_for(db, staff, push_id)
    values = {k: text(form, k) for k in ("inspected", "inspected_on", "problems_found", "problems", "measures")}
    on_error.show(
        "admin/supervision/push.html", lambda: _push_context(db, service.get_for(db, staff, push_id), staff, values)
    )
    inspected = _yes_no(form, "inspected", "是否开展检查")
    problems_found = _yes_no(form, "problems_found", "是否发现问题")
    data = FeedbackIn(
        inspected=inspected,
        inspected_on=to_date(values["inspected_on"], "检查日期"),
        problems_found=problems_found,
        problems=values["problems"][:2000],
        measures=values["measures"][:2000],
        attachment_ids=[],
    )
    with acting(action="supervision.feedback"):
        service.check_feedback(staff, push, data)  # before any attachment is stored
        data.attachment_ids = _attachment_ids(db, form, staff)
        service.give_feedback(db, staff, push, data)
    flash(request, "监管结果已反馈，审批部门将收到通知")
    return redirect(f"/admin/supervision/pushes/{push_id}")


# ---------------------------------------------------------------- push configuration


@router.get("/configs", response_class=HTMLResponse)
def config_list(request: Request, db: DB, admin: SupervisionManager) -> HTMLResponse:
    """Licensed items and their push configuration (or none yet)."""
    found = {c.service_item_id: ConfigOut.from_model(c) for c in configs.list_configs(db, admin)}
    items = configs.configurable_items(db, admin)
    defaults = thresholds(None)
    return render(
        request,
        "admin/supervision/configs.html",
        {"rows": [(i, found.get(i.id)) for i in items], "defaults": defaults},
    )


def _config_form_context(db: Session, item: ServiceItem, values: dict[str, Any], exists: bool) -> dict[str, Any]:
    return {
        "item": item,
        "values": values,
        "exists": exists,
        "departments": org_service.list_departments(db=db, active_only=True),
        "fields": PUSH_FIELDS,
        "defaults": thresholds(None),
    }


def _licensed_item(db: Session, item_id: int) -> ServiceItem:
    item = db.get(ServiceItem, item_id)
    if item is None or not item.issues_licence:
        raise ValidationFailed("该事项不存在或办结时不出具证照，无需推送配置")
    return item


@router.get("/configs/{item_id}", response_class=HTMLResponse)
def config_form(item_id: int, request: Request, db: DB, admin: SupervisionManager) -> HTMLResponse:
    """The editor of one item's configuration."""
    item = _licensed_item(db, item_id)
    config = configs.for_item(db, item.id)
    values: dict[str, Any] = {
        "department_ids": [d.id for d in config.departments] if config else [],
        "fields": list(config.fields) if config else list(DEFAULT_FIELDS),
        "note": config.note if config else "",
        "claim_days": config.claim_days if config and config.claim_days else "",
        "feedback_days": config.feedback_days if config and config.feedback_days else "",
        "is_active": config.is_active if config else True,
    }
    return render(
        request, "admin/supervision/config_form.html", _config_form_context(db, item, values, config is not None)
    )


@router.post("/configs/{item_id}", response_class=HTMLResponse)
def save_config(
    item_id: int, request: Request, db: DB, form: Form, admin: SupervisionManager, on_error: OnError
) -> Response:
    """Saves the configuration; refused input shows the form again with the reason."""
    item = _licensed_item(db, item_id)
    config = configs.for_item(db, item.id)
    values: dict[str, Any] = {
        "department_ids": [to_int(x, "监管部门") for x in texts(form, "department_ids")],
        "fields": texts(form, "fields"),
        "note": text(form, "note"),
        "claim_days": text(form, "claim_days"),
        "feedback_days": text(form, "feedback_days"),
        "is_active": checked(form, "is_active"),
    }
    on_error.show("admin/supervision/config_form.html", _config_form_context(db, item, values, config is not None))
    try:
        data = ConfigIn(
            service_item_id=item.id,
            department_ids=values["department_ids"],
            fields=values["fields"],
            note=values["note"],
            claim_days=to_int(values["claim_days"], "认领时限"),
            feedback_days=to_int(values["feedback_days"], "反馈时限"),
            is_active=values["is_active"],
        )
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, CONFIG_LABELS)) from exc
    with acting(action="supervision.configure"):
        configs.save(db, admin, config, data)
    flash(request, f"已保存“{item.name}”的推送配置")
    return redirect("/admin/supervision/configs")


@router.post("/configs/{item_id}/delete", response_class=HTMLResponse)
def delete_config(item_id: int, request: Request, db: DB, form: Form, admin: SupervisionManager) -> Response:
    """Removes the item's configuration; pushes already made stay."""
    config = configs.for_item(db, item_id)
    if config is not None:
        with acting(action="supervision.configure"):
            configs.delete(db, admin, config)
        flash(request, "已删除推送配置，该事项今后办结时不再推送")
    return redirect("/admin/supervision/configs")


# ---------------------------------------------------------------- escalations


@router.get("/escalations", response_class=HTMLResponse)
def escalations(request: Request, db: DB, reader: Reader, level: str | None = None) -> HTMLResponse:
    """Every escalation the user reaches, newest first."""
    chosen = to_int(level, "催办级别")
    rows = service.list_escalations(db, reader, level=chosen)
    context = {
        "rows": [(e, service.get(db, e.push_id)) for e in rows],
        "level": chosen,
        "stage_labels": STAGE_LABELS,
        "level_labels": LEVEL_LABELS,
        "labels": service.STATUS_LABELS,
    }
    return render(request, "admin/supervision/escalations.html", context)
