"""The public portal: guides, login and registration, online application, progress, publicity, statistics,
and the citizen's own cases."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.cases import queries
from core.cases import service as case_service
from core.cases.models import Case
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn, grand_total, totals_by_department
from core.deps import DB, ReadDB
from core.errors import AppError, PermissionDenied, ValidationFailed
from core.files import service as file_service
from core.items import service as item_service
from core.items.models import ItemMaterial, ServiceItem
from core.items.schemas import GuideOut, ItemSummary
from core.major_projects import links as major_links
from core.org import service as org_service
from core.org import sessions
from core.org.models import User
from core.org.permissions import Permission
from core.rate_limit import client_ip, hit
from core.settings import get_settings
from knowledge.search import service as search_service
from web import account
from web.common import (
    Form,
    WebUser,
    flash,
    page_number,
    redirect,
    render,
    safe_next,
    text,
    to_date,
    to_int,
    upload,
    validation_message,
)
from web.deps import OnError, OnReadError, signed_in_with

router = APIRouter(include_in_schema=False)

APPLICANT_FIELDS = ("kind", "name", "id_number", "phone", "address", "legal_representative", "contact_name")
APPLICANT_LABELS = {
    "kind": "申请人类型",
    "name": "申请人名称",
    "id_number": "证件号码",
    "phone": "联系电话",
    "address": "地址",
    "legal_representative": "法定代表人",
    "contact_name": "联系人",
}
PUBLICITY_PAGE_SIZE = 20


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """The portal's front page."""
    return render(request, "portal/home.html", {"categories": item_service.CATEGORIES})


# ---------------------------------------------------------------- guides


@router.get("/guides", response_class=HTMLResponse)
def guides(
    request: Request,
    db: DB,
    user: WebUser,
    q: str | None = None,
    category: str | None = None,
    department_id: str | None = None,
) -> HTMLResponse:
    """The catalogue of published items, filtered; words are matched by the knowledge search (names, aliases,
    colloquial terms, typos), best match first, so "开餐馆" finds 食品经营许可."""
    department = to_int(department_id, "部门")
    items = item_service.list_items(db, category=category or None, department_id=department)
    if q and q.strip():
        items = _ranked_by_search(db, items, q)
    return render(
        request,
        "portal/guides.html",
        {
            "items": [ItemSummary.from_model(i) for i in items],
            "categories": item_service.CATEGORIES,
            "departments": org_service.list_departments(db=db, active_only=True),
            "q": q or "",
            "category": category or "",
            "department_id": department,
        },
    )


def _ranked_by_search(db: Session, items: list[ServiceItem], q: str) -> list[ServiceItem]:
    """The items the search finds for ``q`` (item guides only), in its order; items whose name contains the words
    come after them if the search missed them."""
    found = search_service.find(db, q, kind="item", limit=50)
    order = [int(h.document.key.removeprefix("item:")) for h in found.hits if search_service.is_answered([h])]
    if found.recognised is not None and found.recognised.item_id not in order:
        order.insert(0, found.recognised.item_id)
    words = q.strip()
    by_id = {i.id: i for i in items}
    ranked = [by_id[i] for i in order if i in by_id]
    return ranked + [i for i in items if words in i.name and i not in ranked]


@router.get("/guides/{item_id}", response_class=HTMLResponse)
def guide(item_id: int, request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """A whole guide, its elements in the standard order."""
    item = item_service.get(db, item_id, published_only=True)
    return render(request, "portal/guide.html", {"guide": GuideOut.from_model(item)})


# ---------------------------------------------------------------- login, logout, registration


def _start_session(request: Request, db: Session, user: User) -> None:
    account.start_session(request, db, user)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, db: DB, user: WebUser, next: str | None = None) -> HTMLResponse:
    """The login form."""
    return render(request, "portal/login.html", {"next": next or "", "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """Checks the password; staff go to the admin site, citizens to their cases."""
    username, target = text(form, "username"), text(form, "next")
    context = {"next": target, "username": username}
    password = form.get("password")
    try:
        hit(get_settings().login_rate, "login", client_ip(request), message="登录尝试过于频繁，请一分钟后再试")
        found = org_service.authenticate(
            db=db, username=username, password=password if isinstance(password, str) else ""
        )
    except AppError as error:
        # not rolled back: the failed attempt (count, lockout, record) stays, the request commits as it returns
        return render(request, "portal/login.html", {**context, "error": error.message}, status=error.status_code)
    return account.after_password(request, db, found, safe_next(target, "/admin" if found.is_staff else "/my/cases"))


@router.post("/logout")
def logout(request: Request, db: DB, form: Form) -> Response:
    """Ends the session, here and on the server (a copy of the cookie no longer logs anyone in)."""
    key = request.session.get("sid")
    if isinstance(key, str):
        sessions.end(db, key)
    request.session.clear()
    flash(request, "您已安全退出")
    return redirect("/")


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """The citizen registration form."""
    return render(request, "portal/register.html", {"values": {}})


@router.post("/register", response_class=HTMLResponse)
def register(request: Request, db: DB, form: Form, user: WebUser, on_error: OnError) -> Response:
    """A citizen registers with a mobile number and is signed in."""
    values = {"phone": text(form, "phone"), "name": text(form, "name")}
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    on_error.show("portal/register.html", {"values": values})
    hit("5/minute", "register", client_ip(request))
    if password != form.get("password2"):
        raise ValidationFailed("两次输入的密码不一致")
    if not values["name"]:
        raise ValidationFailed("请填写姓名")
    citizen = org_service.register_citizen(db=db, phone=values["phone"], name=values["name"], password=password)
    _start_session(request, db, citizen)
    flash(request, "注册成功，已为您登录")
    return redirect("/my/cases")


# ---------------------------------------------------------------- online application


Citizen = Annotated[User, Depends(signed_in_with(Permission.CASE_APPLY))]
"""The signed-in user who may apply online; anonymous visitors go to the login page first."""


def _applicant_from(form: FormData) -> dict[str, str]:
    values = {field: text(form, field) for field in APPLICANT_FIELDS}
    values["kind"] = values["kind"] or "personal"
    return values


def _material_choices(
    db: Session, form: FormData, materials: list[ItemMaterial], user: User, *, prefix: str = ""
) -> list[MaterialIn]:
    """Each material's choice on the form: a new upload, an earlier material or an e-licence."""
    limit = get_settings().upload_max_bytes
    chosen: list[MaterialIn] = []
    for material in materials:
        file = upload(form, f"{prefix}file_{material.id}")
        reuse = text(form, f"{prefix}reuse_{material.id}")
        if file is not None:
            content = file.file.read(limit + 1)
            stored = file_service.store(db, filename=file.filename or "", content=content, uploaded_by_id=user.id)
            db.flush()
            chosen.append(MaterialIn(item_material_id=material.id, upload_id=stored.id))
        elif reuse[:2] in ("h:", "l:"):
            number = to_int(reuse[2:], "材料")
            if reuse.startswith("h:"):
                chosen.append(MaterialIn(item_material_id=material.id, history_material_id=number))
            else:
                chosen.append(MaterialIn(item_material_id=material.id, licence_id=number))
    return chosen


@router.get("/apply/{item_id}", response_class=HTMLResponse)
def apply_page(item_id: int, request: Request, db: DB, citizen: Citizen) -> Response:
    """The online application form of an item."""
    item = _online_item(db, item_id)
    projects = major_links.linkable_projects(db, citizen, service_item_id=item.id)
    context = {"item": item, "values": {"kind": "personal"}, "major_projects": projects}
    return render(request, "portal/apply.html", context)


def _online_item(db: Session, item_id: int) -> ServiceItem:
    item = item_service.get(db, item_id, published_only=True)
    if not item.is_online:
        raise ValidationFailed(f"事项“{item.name}”暂不支持网上申报，请到窗口办理")
    return item


@router.post("/apply/{item_id}", response_class=HTMLResponse)
def apply(item_id: int, request: Request, db: DB, form: Form, citizen: Citizen, on_error: OnError) -> Response:
    """Submits the application; the page after shows the case number and the query password once."""
    item = _online_item(db, item_id)
    values = _applicant_from(form)
    typed = {**values, "project_name": text(form, "project_name"), "major_project_id": text(form, "major_project_id")}
    on_error.show(
        "portal/apply.html",
        lambda: {
            "item": item,
            "values": typed,
            "major_projects": major_links.linkable_projects(db, citizen, service_item_id=item.id),
        },
    )
    try:
        applicant = ApplicantIn.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, APPLICANT_LABELS)) from exc
    major_project_id = to_int(typed["major_project_id"], "重大项目")
    if major_project_id is not None:
        major_links.check_case_link(db, citizen, major_project_id=major_project_id, service_item_id=item.id)
    materials = _material_choices(db, form, item.materials, citizen)
    data = SubmitIn(
        service_item_id=item.id,
        applicant=applicant,
        project_name=text(form, "project_name")[:200],
        materials=materials,
        major_project_id=major_project_id,
    )
    new = case_service.submit_online(db, citizen, data)
    return render(request, "portal/apply_done.html", {"case": new.case, "query_code": new.query_code})


# ---------------------------------------------------------------- progress, publicity, statistics


@router.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request, db: DB, user: WebUser, case_no: str = "") -> HTMLResponse:
    """The progress query form, with the case number filled in when a link (a notification) gives it."""
    return render(request, "portal/progress.html", {"case_no": case_no.strip()[:20]})


@router.post("/progress", response_class=HTMLResponse)
def progress(request: Request, db: ReadDB, form: Form, user: WebUser, on_error: OnReadError) -> HTMLResponse:
    """Case number + query password → progress; wrong or unknown get one answer; attempts are limited."""
    case_no, query_code = text(form, "case_no"), text(form, "query_code")
    on_error.show("portal/progress.html", {"case_no": case_no})
    if not case_no or not query_code:
        raise ValidationFailed("请输入办件编号和查询密码")
    result = queries.guarded_progress(db, case_no, query_code, client=client_ip(request))
    return render(request, "portal/progress_result.html", {"progress": result})


@router.get("/publicity", response_class=HTMLResponse)
def publicity(
    request: Request,
    db: DB,
    user: WebUser,
    on_error: OnError,
    department_id: str | None = None,
    service_item_id: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """办件公示: concluded cases, applicants masked."""
    filters = {
        "department_id": department_id or "",
        "service_item_id": service_item_id or "",
        "date_from": date_from or "",
        "date_to": date_to or "",
    }
    context: dict[str, Any] = {
        "filters": filters,
        "departments": org_service.list_departments(db=db, active_only=True),
        "items": item_service.list_items(db),
        "result": None,
    }
    on_error.show("portal/publicity.html", context)
    context["result"] = queries.publicity(
        db,
        department_id=to_int(department_id, "部门"),
        service_item_id=to_int(service_item_id, "事项"),
        date_from=to_date(date_from, "开始日期"),
        date_to=to_date(date_to, "结束日期"),
        page=page_number(page),
        page_size=PUBLICITY_PAGE_SIZE,
    )
    return render(request, "portal/publicity.html", context)


@router.get("/statistics", response_class=HTMLResponse)
def statistics(
    request: Request,
    db: DB,
    user: WebUser,
    on_error: OnError,
    date_from: str | None = None,
    date_to: str | None = None,
) -> HTMLResponse:
    """办件统计 by department and month, with a totals row."""
    context: dict[str, Any] = {"date_from": date_from or "", "date_to": date_to or "", "rows": [], "totals": None}
    on_error.show("portal/statistics.html", dict(context))
    rows = queries.statistics(db, date_from=to_date(date_from, "开始日期"), date_to=to_date(date_to, "结束日期"))
    context["rows"] = rows
    context["departments"] = sorted(totals_by_department(rows).items(), key=lambda kv: -kv[1].received)
    context["totals"] = grand_total(rows)
    context["export_query"] = urlencode({k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v})
    return render(request, "portal/statistics.html", context)


# ---------------------------------------------------------------- the citizen's own cases


@router.get("/my/cases", response_class=HTMLResponse)
def my_cases(request: Request, db: DB, citizen: Citizen, page: str | None = None) -> Response:
    """The citizen's own cases."""
    result = queries.list_cases(db, citizen, page=page_number(page))
    return render(request, "portal/my_cases.html", {"result": result})


def own_case(case_id: int, db: DB, citizen: Citizen) -> Case:
    """The citizen's own case of the address; 404 for an unknown one, 403 for another person's."""
    case = case_service.get_for(db, citizen, case_id)
    if case.owner_user_id != citizen.id:
        raise PermissionDenied("只能查看本人申报的办件")
    return case


OwnCase = Annotated[Case, Depends(own_case)]


def _requested_materials(case: Case) -> list[ItemMaterial]:
    """Item materials named in the open supplement request."""
    names = queries.progress_view(case).pending_supplement
    return [m for m in case.item.materials if m.name in names]


def _my_case_context(case: Case) -> dict[str, Any]:
    return {"case": case, "progress": queries.progress_view(case), "requested": _requested_materials(case)}


@router.get("/my/cases/{case_id}", response_class=HTMLResponse)
def my_case(request: Request, db: DB, case: OwnCase) -> Response:
    """The citizen's view of one own case, with the resupply form while supplementing."""
    return render(request, "portal/my_case.html", _my_case_context(case))


@router.post("/my/cases/{case_id}/resupply", response_class=HTMLResponse)
def my_resupply(request: Request, db: DB, form: Form, citizen: Citizen, case: OwnCase, on_error: OnError) -> Response:
    """The citizen uploads the materials asked for; the clock runs again."""
    on_error.show("portal/my_case.html", lambda: _my_case_context(own_case(case.id, db, citizen)))
    materials = _material_choices(db, form, _requested_materials(case), citizen)
    case_service.resupply(db, citizen, case, note=text(form, "note")[:2000], materials=materials)
    flash(request, "补正材料已提交，办件继续办理")
    return redirect(f"/my/cases/{case.id}")
