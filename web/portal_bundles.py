"""一件事 application on the portal: one form for every item of a themed bundle, filed at once (core/cases/bundles.py),
and the page after it with the cases and their one query password.

The bundles (theme, items) are the knowledge base's published ones; the form is the same as one item's — the
form's key, kept files, earlier materials — with each material asked for by several items typed once.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.cases import bundles, submissions
from core.cases.models import CaseBundle
from core.deps import DB
from core.errors import NotFound, PermissionDenied
from core.items.models import ServiceItem
from core.org.models import User
from knowledge.models import Bundle
from knowledge.service import list_bundles
from web import application_forms as forms
from web.application_forms import applicant_values, checked_applicant
from web.common import Form, redirect, render, text
from web.deps import OnError
from web.portal_apply import Citizen, done_url, remember_code, shown_code

router = APIRouter(include_in_schema=False)


def _bundle(db: Session, bundle_id: int) -> tuple[Bundle, list[ServiceItem]]:
    """A published bundle and its items in the bundle's order; 404 for an unknown or unpublished one."""
    bundle = next((b for b in list_bundles(db=db) if b.id == bundle_id), None)
    if bundle is None:
        raise NotFound("该一件事主题不存在或已下线")
    found = {i.id: i for i in db.scalars(select(ServiceItem).where(ServiceItem.id.in_(bundle.item_ids or [])))}
    return bundle, [found[i] for i in bundle.item_ids if i in found]


def _context(
    db: Session, citizen: User, bundle_id: int, values: dict[str, str], key: str, form: FormData | None = None
) -> dict[str, Any]:
    bundle, items = _bundle(db, bundle_id)
    lines = bundles.material_lines(items)
    return {
        "bundle": bundle,
        "items": items,
        "offline": bundles.offline_items(items),
        "values": values,
        **forms.form_context(db, citizen, key, lines, form),
    }


@router.get("/bundles/{bundle_id}/apply", response_class=HTMLResponse)
def bundle_page(bundle_id: int, request: Request, db: DB, citizen: Citizen) -> Response:
    """The bundle's one application form (or why it must be applied for at the window)."""
    context = _context(db, citizen, bundle_id, {"kind": "personal"}, "")
    return render(request, "portal/bundle_apply.html", context)


@router.post("/bundles/{bundle_id}/apply", response_class=HTMLResponse)
def bundle_apply(bundle_id: int, request: Request, db: DB, form: Form, citizen: Citizen, on_error: OnError) -> Response:
    """Files the case of every item of the bundle, all or none, once; redirects to the page after it."""
    bundle, items = _bundle(db, bundle_id)
    values = applicant_values(form)
    typed = {**values, "project_name": text(form, "project_name")}
    key = forms.form_key(form)
    on_error.show("portal/bundle_apply.html", lambda: _context(db, citizen, bundle_id, typed, key, form))
    submissions.checked_key(key)
    earlier = submissions.earlier(db, citizen, key)
    if earlier is not None:
        return redirect(done_url(earlier))
    lines = bundles.material_lines(items)
    forms.keep_uploads(db, form, citizen, key, lines)
    applicant = checked_applicant(values)
    chosen = forms.choices(db, form, citizen, key, lines)
    claim = submissions.claim(db, citizen, key)
    new = bundles.submit(
        db,
        citizen,
        bundle_ref=bundle.id,
        theme=bundle.theme,
        items=items,
        applicant=applicant,
        project_name=typed["project_name"][:200],
        choices=chosen,
    )
    submissions.filed(db, claim, bundle=new.bundle)
    remember_code(request, bundle_id=new.bundle.id, code=new.query_code)
    return redirect(f"/my/bundles/{new.bundle.id}/submitted")


@router.get("/my/bundles/{bundle_id}/submitted", response_class=HTMLResponse)
def bundle_submitted(bundle_id: int, request: Request, db: DB, citizen: Citizen) -> Response:
    """申报成功 of a bundle: every case of it, and the one query password the first time the page is shown."""
    row = db.get(CaseBundle, bundle_id)
    if row is None:
        raise NotFound("该一件事申请不存在")
    if row.owner_user_id != citizen.id:
        raise PermissionDenied("只能查看本人的一件事申请")
    code = shown_code(request, bundle_id=row.id)
    return render(request, "portal/apply_done.html", {"cases": row.cases, "query_code": code, "bundle": row})
