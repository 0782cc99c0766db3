"""Admin site, cases: the dashboard, case lists, window registration, the case page and its actions."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.audit.context import acting
from core.calendar.service import TimeState
from core.cases import corrections, materials, queries, query_codes
from core.cases import service as case_service
from core.cases.enums import (
    ACTION_LABELS,
    CASE_TYPE_LABELS,
    CONCLUSION_RESULT_LABELS,
    SPECIAL_PROCEDURE_KINDS,
    STATUS_LABELS,
    STEP_LABELS,
    STEP_RESULT_LABELS,
    SUBMIT_CHANNEL_LABELS,
    CaseStatus,
    ConclusionResult,
)
from core.cases.models import Case
from core.cases.schemas import MaterialIn, SubmitIn
from core.deps import DB
from core.errors import NotFound, ValidationFailed
from core.items import service as item_service
from core.items.schemas import GuidanceOut
from core.major_projects import links as major_links
from core.major_projects import service as major_service
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.security import mask_id_number, mask_phone
from web.application_forms import APPLICANT_FIELDS, checked_applicant
from web.common import (
    Form,
    flash,
    page_number,
    redirect,
    render,
    text,
    texts,
    to_int,
)
from web.deps import OnError, Staff, staff_with

router = APIRouter(prefix="/admin", include_in_schema=False)

CaseReader = Annotated[User, Depends(staff_with(Permission.CASE_READ))]
Clerk = Annotated[User, Depends(staff_with(Permission.CASE_REGISTER))]


def scoped_case(case_id: int, db: DB, staff: Staff) -> Case:
    """The case of the address when it is in the member of staff's data scope (404 otherwise)."""
    return case_service.get_for(db, staff, case_id)


ScopedCase = Annotated[Case, Depends(scoped_case)]

CASE_PAGE_SIZE = 20
OPEN = [CaseStatus.PROCESSING, CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED]
# 办结 by this form: 不予受理 (6) has its own action
CONCLUDE_CHOICES = {k: v for k, v in CONCLUSION_RESULT_LABELS.items() if k != ConclusionResult.REFUSED}
TIME_STATE_CLASSES = {TimeState.NORMAL: "normal", TimeState.WARNING: "warning", TimeState.OVERDUE: "overdue"}


@router.get("/cases", response_class=HTMLResponse)
def cases(
    request: Request,
    db: DB,
    staff: CaseReader,
    on_error: OnError,
    status: str | None = None,
    time_state: str | None = None,
    q: str | None = None,
    department_id: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """Cases in the user's scope, with filters (the boards link here with a department: it narrows the scope,
    never widens it)."""
    filters = {
        "status": status or "",
        "time_state": time_state or "",
        "q": q or "",
        "department_id": department_id or "",
    }
    context: dict[str, Any] = {"filters": filters, "result": None, "time_states": [s.value for s in TimeState]}
    on_error.show("admin/cases.html", context)
    context["result"] = queries.list_cases(
        db,
        staff,
        status=status or None,
        time_state=time_state or None,
        department_id=to_int(department_id, "部门"),
        q=q,
        page=page_number(page),
        page_size=CASE_PAGE_SIZE,
    )
    return render(request, "admin/cases.html", context)


# ---------------------------------------------------------------- window registration


def _registrable_items(db: Session, clerk: User) -> list[Any]:
    return [i for i in item_service.list_items(db) if org_service.can_reach_department(clerk, {i.department_id})]


def _new_case_context(db: Session, clerk: User, item_id: int | None, values: dict[str, str]) -> dict[str, Any]:
    items = _registrable_items(db, clerk)
    item = next((i for i in items if i.id == item_id), None)
    projects = major_links.linkable_projects(db, clerk, service_item_id=item.id) if item else []
    return {"items": items, "item": item, "values": values, "major_projects": projects}


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_page(request: Request, db: DB, clerk: Clerk, item_id: str | None = None) -> HTMLResponse:
    """Window registration: choose the item, then fill in the applicant and tick the paper materials."""
    context = _new_case_context(db, clerk, to_int(item_id, "事项"), {"kind": "personal"})
    return render(request, "admin/case_new.html", context)


@router.post("/cases/new", response_class=HTMLResponse)
def new_case(request: Request, db: DB, form: Form, clerk: Clerk, on_error: OnError) -> Response:
    """Registers the application brought in person and opens its page."""
    values = {field: text(form, field) for field in APPLICANT_FIELDS}
    values["project_name"] = text(form, "project_name")
    values["major_project_id"] = text(form, "major_project_id")
    item_id = to_int(text(form, "item_id"), "事项")
    context = _new_case_context(db, clerk, item_id, values)
    on_error.show("admin/case_new.html", context)
    if context["item"] is None:
        raise ValidationFailed("请选择本部门的事项")
    applicant = checked_applicant({f: values[f] for f in APPLICANT_FIELDS})
    paper = {to_int(x, "材料") for x in texts(form, "paper")}
    materials = [MaterialIn(item_material_id=m.id, paper=True) for m in context["item"].materials if m.id in paper]
    major_project_id = to_int(values["major_project_id"], "重大项目")  # checked by the case service
    data = SubmitIn(
        service_item_id=context["item"].id,
        applicant=applicant,
        project_name=values["project_name"][:200],
        materials=materials,
        major_project_id=major_project_id,
    )
    with acting(action="case.register"):
        new = case_service.register_at_window(db, clerk, data)
        db.flush()
    flash(request, f"已登记，办件编号 {new.case.case_no}。受理后请打印受理通知书交申请人（含查询密码）。")
    return redirect(f"/admin/cases/{new.case.id}")


# ---------------------------------------------------------------- the case page and its actions


def case_context(case: Case, user: User) -> dict[str, Any]:
    """Everything the case page shows."""
    due = case_service.deadline(case)
    session = Session.object_session(case)
    project, node = major_links.case_facts(session, case) if session is not None else (None, None)
    open_supplement = next((s for s in reversed(case.supplements) if s.resupplied_at is None), None)
    return {
        "case": case,
        "due": due,
        "due_class": TIME_STATE_CLASSES.get(due.state, "") if due else "",
        "id_number": mask_id_number(case.applicant.id_number),
        "phone": mask_phone(case.applicant.phone),
        "actions": case_service.actions_for(user, case),
        "can_print": query_codes.can_print(user, case),
        "may_register": Permission.CASE_REGISTER in user.permissions,
        "can_open": materials.can_open(user, case),
        "trust_levels": materials.TRUST_LEVELS,
        "trust_short": materials.TRUST_SHORT,
        "sources": materials.SOURCE_LABELS,
        "open_supplement": open_supplement,
        "missing": case_service.missing_required(case),
        "guidance": GuidanceOut.from_model(case.item) if case.accepted_at is None else None,
        "labels": {
            "status": STATUS_LABELS,
            "step": STEP_LABELS,
            "action": ACTION_LABELS,
            "result": STEP_RESULT_LABELS,
            "case_type": CASE_TYPE_LABELS,
            "channel": SUBMIT_CHANNEL_LABELS,
            "conclusion": CONCLUSION_RESULT_LABELS,
        },
        "major_project": project,
        "major_node": node,
        "can_see_major_project": project is not None
        and session is not None
        and major_service.can_view(session, user, project),
        "conclude_choices": CONCLUDE_CHOICES,
        "special_kinds": SPECIAL_PROCEDURE_KINDS,
    }


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, db: DB, staff: Staff, case: ScopedCase) -> HTMLResponse:
    """A case with its applicant, materials, deadline, steps and one form per allowed action."""
    return render(request, "admin/case.html", case_context(case, staff))


def _agree(form: FormData) -> bool:
    choice = text(form, "agree")
    if choice not in ("1", "0"):
        raise ValidationFailed("请选择“同意”或“不同意”", field="agree")
    return choice == "1"


def _result_code(form: FormData) -> int:
    result = to_int(text(form, "result"), "办结结果")
    if result is None:
        raise ValidationFailed("请选择办结结果", field="result")
    return result


def _paper_materials(form: FormData, case: Case) -> list[MaterialIn]:
    ticked = {to_int(x, "材料") for x in texts(form, "paper")}
    return [MaterialIn(item_material_id=m.id, paper=True) for m in case.item.materials if m.id in ticked]


def _edit_registration(db: Session, user: User, case: Case, form: FormData) -> object:
    """受理前更正登记信息: only the fields the form sent with a value change (core/cases/corrections.py)."""
    fields = ("project_name", "phone", "address", "contact_name", "legal_representative")
    values = {name: text(form, name) or None for name in fields}
    try:
        data = corrections.RegistrationEdit(**values, reason=text(form, "edit_reason"))
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0]) if error.errors()[0]["loc"] else "edit_reason"
        label = {**corrections.FIELD_LABELS, "reason": "更正原因"}.get(field, "更正原因")
        raise ValidationFailed(f"{label}填写不正确（更正原因须写 2–200 个字）", field=field) from error
    return corrections.edit_registration(db, user, case, data)


ACTIONS: dict[str, Callable[[Session, User, Case, FormData], object]] = {
    "edit_registration": _edit_registration,
    "accept": lambda db, u, c, f: case_service.accept(db, u, c, opinion=text(f, "opinion")),
    "refuse": lambda db, u, c, f: case_service.refuse(db, u, c, reason=text(f, "reason")),
    "review": lambda db, u, c, f: case_service.review(
        db, u, c, agree=_agree(f), opinion=text(f, "opinion"), public=f.get("opinion_public") is not None
    ),
    "decide": lambda db, u, c, f: case_service.decide(
        db, u, c, agree=_agree(f), opinion=text(f, "opinion"), public=f.get("opinion_public") is not None
    ),
    "conclude": lambda db, u, c, f: case_service.conclude(db, u, c, result=_result_code(f), reason=text(f, "reason")),
    "request_supplement": lambda db, u, c, f: case_service.request_supplement(
        db, u, c, reason=text(f, "reason"), materials=texts(f, "materials")
    ),
    "resupply": lambda db, u, c, f: case_service.resupply(
        db, u, c, note=text(f, "note"), materials=_paper_materials(f, c)
    ),
    "start_special": lambda db, u, c, f: case_service.start_special(
        db, u, c, kind=text(f, "kind"), reason=text(f, "reason")
    ),
    "end_special": lambda db, u, c, f: case_service.end_special(db, u, c, result=text(f, "result")),
    "return": lambda db, u, c, f: case_service.return_case(db, u, c, opinion=text(f, "opinion")),
}


@router.post("/cases/{case_id}/{action}", response_class=HTMLResponse)
def case_action(
    case_id: int, action: str, request: Request, db: DB, form: Form, staff: Staff, on_error: OnError
) -> Response:
    """Performs one action on the case; on a refusal the page shows again with the reason and nothing saved."""
    perform = ACTIONS.get(action)
    if perform is None:
        raise NotFound("不支持的办理操作")
    case = case_service.get_for(db, staff, case_id)
    on_error.show(
        "admin/case.html",
        lambda: {**case_context(case_service.get_for(db, staff, case.id), staff), "failed_action": action},
    )
    with acting(action=f"case.{action}"):
        perform(db, staff, case, form)
        db.flush()
    flash(request, f"“{ACTION_LABELS[action]}”已办理")
    return redirect(f"/admin/cases/{case.id}")
