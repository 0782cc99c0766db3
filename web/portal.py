"""The public portal: guides, login and registration, online application, progress, publicity, statistics,
and the citizen's own cases."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from core.cases import bundles, queries
from core.deps import DB, ReadDB, ReplicaDB
from core.edge_cache import SHARED
from core.errors import AppError, ValidationFailed
from core.items import service as item_service
from core.items import templates as item_templates
from core.items.schemas import ItemSummary
from core.org import passwords, phone_codes, sessions
from core.org import service as org_service
from core.org.models import User
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
)
from web.deps import OnError, OnReadError, OnReplicaError

router = APIRouter(include_in_schema=False)

PUBLICITY_PAGE_SIZE = 20


@router.get("/", response_class=HTMLResponse, dependencies=[SHARED])
def home(request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """The portal's front page."""
    return render(request, "portal/home.html", {"categories": item_service.CATEGORIES})


# ---------------------------------------------------------------- guides


@router.get("/guides", response_class=HTMLResponse, dependencies=[SHARED])
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
    items = item_service.catalogue(db, category=category or None, department_id=department)
    if q and q.strip():
        items = _ranked_by_search(db, items, q)
    return render(
        request,
        "portal/guides.html",
        {
            "items": items,
            "categories": item_service.CATEGORIES,
            "departments": org_service.department_choices(db=db),
            "q": q or "",
            "category": category or "",
            "department_id": department,
        },
    )


def _ranked_by_search(db: Session, items: list[ItemSummary], q: str) -> list[ItemSummary]:
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


@router.get("/guides/{item_id}", response_class=HTMLResponse, dependencies=[SHARED])
def guide(item_id: int, request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """A whole guide, its elements in the standard order (cached, like the catalogue); each material with its
    blank form and filled sample to download (and preview, for a PDF or an image), read fresh."""
    guide = item_service.published_guide(db, item_id)
    templates = item_templates.current_for_materials(db, [m.id for m in guide.materials if m.id is not None])
    context = {
        "guide": guide,
        "material_templates": templates,
        "kind_labels": item_templates.KIND_LABELS,
        "previewable": {t.id for served in templates.values() for t in served if item_templates.has_preview(t)},
    }
    return render(request, "portal/guide.html", context)


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
    return render(request, "portal/register.html", _register_context({}))


def _register_context(values: dict[str, str], sent: str = "") -> dict[str, Any]:
    rules = f"至少{passwords.MIN_LENGTH}位，包含大写字母、小写字母、数字、符号中的至少{passwords.MIN_CLASSES}类"
    return {
        "values": values,
        "sent": sent,
        "code_minutes": get_settings().sms_code_ttl_minutes,
        "password_rules": rules,
    }


@router.post("/register/code", response_class=HTMLResponse)
def register_code(request: Request, db: DB, form: Form, user: WebUser, on_error: OnError) -> Response:
    """Texts the registration code to the number typed (the form's 获取验证码 button); the form comes back filled in."""
    values = {"phone": text(form, "phone"), "name": text(form, "name")}
    on_error.show("portal/register.html", _register_context(values))
    sent_to = phone_codes.send_code(db, phone=values["phone"], client=client_ip(request))
    notice = f"验证码已发送至 {sent_to}，{get_settings().sms_code_ttl_minutes}分钟内有效，请查看短信后填写。"
    return render(request, "portal/register.html", _register_context(values, notice))


@router.post("/register", response_class=HTMLResponse)
def register(request: Request, db: DB, form: Form, user: WebUser, on_error: OnError) -> Response:
    """A citizen registers with a mobile number, proven by the code texted to it, and is signed in."""
    values = {"phone": text(form, "phone"), "name": text(form, "name")}
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    on_error.show("portal/register.html", _register_context(values))
    hit("5/minute", "register", client_ip(request))
    if password != form.get("password2"):
        raise ValidationFailed("两次输入的密码不一致")
    if not values["name"]:
        raise ValidationFailed("请填写姓名")
    citizen = phone_codes.register_with_code(
        db, phone=values["phone"], name=values["name"], password=password, sms_code=text(form, "sms_code")
    )
    _start_session(request, db, citizen)
    flash(request, "注册成功，已为您登录")
    return redirect("/my/cases")


# ---------------------------------------------------------------- progress, publicity (statistics: web/portal_statistics.py)


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
    bundle = bundles.view_by_case_no(db, case_no)  # the password fits this case: its bundle shares it
    return render(request, "portal/progress_result.html", {"progress": result, "bundle": bundle})


@router.get("/publicity", response_class=HTMLResponse, dependencies=[SHARED])
def publicity(
    request: Request,
    db: ReplicaDB,  # a moment behind the primary is fine for a public list: the replica serves it
    user: WebUser,
    on_error: OnReplicaError,
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
        "departments": org_service.department_choices(db=db),
        "items": item_service.catalogue(db),
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
