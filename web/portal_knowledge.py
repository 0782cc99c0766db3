"""The public knowledge base: one search over service guides, FAQs, laws, policies and the glossary (the home
page's search box leads here), and pages to browse them, with 一件事 bundles and the business-system links."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.deps import ReadDB
from core.edge_cache import SHARED
from core.items.models import ServiceItem
from core.rate_limit import client_ip
from knowledge import service as knowledge_service
from knowledge import workflow
from knowledge.models import LEGAL_STATUSES, Faq
from knowledge.schemas import HIT_KIND_LABELS, KIND_LABELS
from knowledge.search import service as search_service
from web.common import WebUser, render, to_int
from web.deps import OnReadError

router = APIRouter(prefix="/knowledge", include_in_schema=False)

SEARCH_TABS = {
    "all": "全部",
    "item": HIT_KIND_LABELS["item"],
    "faq": KIND_LABELS["faq"],
    "law": KIND_LABELS["law"],
    "policy": KIND_LABELS["policy"],
    "glossary": KIND_LABELS["glossary"],
}
SEARCH_LIMIT = 10
BROWSE = (
    ("/knowledge/faqs", "咨询问答", "按事项查看常见问题"),
    ("/knowledge/laws", "法律法规", "法律、行政法规、规章中与办事相关的条文，逐条可链接"),
    ("/knowledge/policies", "政策文件", "政策原文与政策解读"),
    ("/knowledge/glossary", "政务百科", "政务服务术语解释"),
    ("/knowledge/bundles", "一件事", "多个事项一次办"),
    ("/knowledge/links", "业务申报指导", "各业务系统入口"),
)


def _item_names(db: Session) -> dict[int, str]:
    return {i.id: i.name for i in db.scalars(select(ServiceItem).where(ServiceItem.is_published.is_(True)))}


# ---------------------------------------------------------------- search


@router.get("", response_class=HTMLResponse, dependencies=[SHARED])
def home(request: Request, db: ReadDB, user: WebUser, kind: str | None = None) -> HTMLResponse:
    """The knowledge base's front page: one search box with kind tabs, and what can be browsed."""
    return render(
        request,
        "knowledge/home.html",
        {"tabs": SEARCH_TABS, "kind": kind if kind in SEARCH_TABS else "all", "q": "", "browse": BROWSE},
    )


@router.get("/search", response_class=HTMLResponse, dependencies=[SHARED])
def search(
    request: Request,
    db: ReadDB,
    user: WebUser,
    on_error: OnReadError,
    q: str | None = None,
    kind: str | None = None,
) -> HTMLResponse:
    """Ranked results with highlighted snippets; a question nothing answers well is recorded for curators."""
    chosen = kind if kind in SEARCH_TABS else "all"
    context: dict[str, Any] = {"tabs": SEARCH_TABS, "kind": chosen, "q": q or "", "hits": [], "answered": False}
    on_error.show("knowledge/search.html", dict(context))
    found = search_service.find(db, q, kind=chosen, limit=SEARCH_LIMIT)
    hits = found.hits
    text = search_service.clean_query(q)
    answered = search_service.is_answered(hits, focused=found.focused)
    search_service.note_unanswered(hits, text, channel="web", client=client_ip(request), focused=found.focused)
    context |= {
        "hits": hits,
        "answered": answered,
        "q": text,
        "kind_labels": HIT_KIND_LABELS,
        "standing": LEGAL_STATUSES,
        "recognised": found.recognised,
    }
    return render(request, "knowledge/search.html", context)


# ---------------------------------------------------------------- FAQs


@router.get("/faqs", response_class=HTMLResponse, dependencies=[SHARED])
def faqs(request: Request, db: ReadDB, user: WebUser, service_item_id: str | None = None) -> HTMLResponse:
    """Published FAQs grouped by service item, optionally of one item."""
    item_id = to_int(service_item_id, "事项")
    names = _item_names(db)
    published = knowledge_service.list_faqs(db=db)
    groups: dict[int | None, list[Faq]] = {}
    for row in published:
        if item_id and row.service_item_id != item_id:
            continue
        key = row.service_item_id if row.service_item_id in names else None
        groups.setdefault(key, []).append(row)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, names.get(kv[0] or 0, "")))
    items = sorted(
        {row.service_item_id for row in published if row.service_item_id in names},
        key=lambda i: names[i],
    )
    context = {
        "groups": [(names.get(k or 0, "综合咨询"), k, rows) for k, rows in ordered],
        "items": [(i, names[i]) for i in items],
        "service_item_id": item_id,
    }
    return render(request, "knowledge/faqs.html", context)


@router.get("/faqs/{faq_id}", response_class=HTMLResponse, dependencies=[SHARED])
def faq(faq_id: int, request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """One published FAQ with the guide it belongs to."""
    row = workflow.get_published(db, "faq", faq_id)
    item = db.get(ServiceItem, row.service_item_id) if row.service_item_id else None
    others = knowledge_service.list_related_faqs(db=db, faq=row) if item is not None else []
    shown = item if item is not None and item.is_published else None
    return render(request, "knowledge/faq.html", {"faq": row, "item": shown, "others": others})


# ---------------------------------------------------------------- laws


@router.get("/laws", response_class=HTMLResponse, dependencies=[SHARED])
def laws(request: Request, db: ReadDB, user: WebUser, category: str | None = None) -> HTMLResponse:
    """Published laws: 文号, issuer, category and dates."""
    rows = knowledge_service.list_laws(db=db)
    categories = list(dict.fromkeys(r.category for r in rows))
    if category:
        rows = [r for r in rows if r.category == category]
    context = {"laws": rows, "categories": categories, "category": category or "", "standing": LEGAL_STATUSES}
    return render(request, "knowledge/laws.html", context)


@router.get("/laws/{law_id}", response_class=HTMLResponse, dependencies=[SHARED])
def law(law_id: int, request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """A law's text, each article with its own anchor (/knowledge/laws/1#第三十条), with its standing, dates and
    the law that replaced it (or the laws it replaced)."""
    row = workflow.get_published(db, "law", law_id)
    context = {
        "law": row,
        "standing": knowledge_service.standing_label(row),
        "replacement": knowledge_service.replacement_of(db=db, law=row),
        "replaced": knowledge_service.list_replaced(db=db, law=row),
    }
    return render(request, "knowledge/law.html", context)


# ---------------------------------------------------------------- policies


@router.get("/policies", response_class=HTMLResponse, dependencies=[SHARED])
def policies(
    request: Request, db: ReadDB, user: WebUser, category: str | None = None, group: str | None = None
) -> HTMLResponse:
    """Published policies, newest first, filtered by category or target group."""
    rows = knowledge_service.list_policies(db=db)
    categories = sorted({r.category for r in rows if r.category})
    groups = sorted({g for r in rows for g in r.target_groups})
    if category:
        rows = [r for r in rows if r.category == category]
    if group:
        rows = [r for r in rows if group in r.target_groups]
    context = {
        "policies": rows,
        "categories": categories,
        "groups": groups,
        "category": category or "",
        "group": group or "",
    }
    return render(request, "knowledge/policies.html", context)


@router.get("/policies/{policy_id}", response_class=HTMLResponse, dependencies=[SHARED])
def policy(policy_id: int, request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """A policy with its sections (#section-N) and its interpretation."""
    row = workflow.get_published(db, "policy", policy_id)
    interpretation: dict[str, Any] = row.interpretation or {}
    context = {
        "policy": row,
        "background": str(interpretation.get("background", "") or ""),
        "key_points": [str(p) for p in interpretation.get("key_points", []) or []],
        "qa": [x for x in interpretation.get("qa", []) or [] if isinstance(x, dict)],
    }
    return render(request, "knowledge/policy.html", context)


# ---------------------------------------------------------------- glossary, bundles, links


@router.get("/glossary", response_class=HTMLResponse, dependencies=[SHARED])
def glossary(request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """Every published term with its explanation (#term-ID)."""
    return render(request, "knowledge/glossary.html", {"terms": knowledge_service.list_glossary(db=db)})


@router.get("/bundles", response_class=HTMLResponse, dependencies=[SHARED])
def bundles(request: Request, db: ReadDB, user: WebUser, applicant_type: str | None = None) -> HTMLResponse:
    """一件事: themed bundles with their items, combined materials and steps."""
    every = knowledge_service.list_bundles(db=db)
    types = sorted({r.applicant_type for r in every})
    rows = knowledge_service.list_bundles(db=db, applicant_type=applicant_type) if applicant_type else every
    names = _item_names(db)
    shown = [
        {"bundle": b, "items": [(i, names[i]) for i in b.item_ids if i in names], "materials": b.materials or []}
        for b in rows
    ]
    context = {"bundles": shown, "types": types, "applicant_type": applicant_type or ""}
    return render(request, "knowledge/bundles.html", context)


@router.get("/links", response_class=HTMLResponse, dependencies=[SHARED])
def links(request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """Business systems to apply in; internal ones only for staff."""
    staff = user is not None and user.is_staff
    shown = knowledge_service.list_links(db=db, staff=staff)
    return render(request, "knowledge/links.html", {"links": shown, "staff": staff})
