"""Online application of one item: the form, filing it once (post/redirect/get with the form's key), and the
page after it, which shows the query password once.

Sending the form files the case and answers with a redirect to the 申报成功 page: refreshing that page asks
for the page again, not for a second filing. Sending the same form again (the browser's resend, a double
click) finds its key already used and goes to what it filed (core/cases/submissions.py).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.cases import bundles, submissions
from core.cases import service as case_service
from core.cases.models import Submission
from core.cases.schemas import SubmitIn
from core.deps import DB
from core.errors import ValidationFailed
from core.items import service as item_service
from core.items.models import ServiceItem
from core.major_projects import links as major_links
from core.org.models import User
from core.org.permissions import Permission
from web import application_forms as forms
from web.application_forms import applicant_values, checked_applicant
from web.common import Form, redirect, render, text, to_int
from web.deps import OnError, signed_in_with

router = APIRouter(include_in_schema=False)

Citizen = Annotated[User, Depends(signed_in_with(Permission.CASE_APPLY))]
"""The signed-in user who may apply online; anonymous visitors go to the login page first."""

NEW_CASE = "new_case"
"""Session key of the query password of the application just filed, shown once by the page after it."""


def remember_code(request: Request, *, case_id: int | None = None, bundle_id: int | None = None, code: str) -> None:
    """Keeps the query password for the one page after the filing (taken from the session when shown)."""
    request.session[NEW_CASE] = {"case_id": case_id, "bundle_id": bundle_id, "code": code}


def shown_code(request: Request, *, case_id: int | None = None, bundle_id: int | None = None) -> str:
    """The query password of this filing, the first time its page is shown; '' afterwards."""
    kept = request.session.get(NEW_CASE)
    if not isinstance(kept, dict) or kept.get("case_id") != case_id or kept.get("bundle_id") != bundle_id:
        return ""
    request.session.pop(NEW_CASE, None)
    code = kept.get("code")
    return code if isinstance(code, str) else ""


def done_url(submission: Submission) -> str:
    """Where a filed form leads: its case's or its bundle's 申报成功 page."""
    if submission.bundle_id is not None:
        return f"/my/bundles/{submission.bundle_id}/submitted"
    if submission.case_id is not None:
        return f"/my/cases/{submission.case_id}/submitted"
    return "/my/cases"


def _online_item(db: Session, item_id: int) -> ServiceItem:
    item = item_service.get(db, item_id, published_only=True)
    if not item.is_online:
        raise ValidationFailed(f"事项“{item.name}”暂不支持网上申报，请到窗口办理")
    return item


def _context(
    db: Session, citizen: User, item: ServiceItem, values: dict[str, str], key: str, form: FormData | None = None
) -> dict[str, Any]:
    lines = bundles.material_lines([item])
    return {
        "item": item,
        "values": values,
        "major_projects": major_links.linkable_projects(db, citizen, service_item_id=item.id),
        **forms.form_context(db, citizen, key, lines, form),
    }


@router.get("/apply/{item_id}", response_class=HTMLResponse)
def apply_page(item_id: int, request: Request, db: DB, citizen: Citizen) -> Response:
    """The online application form of an item, with a fresh key."""
    item = _online_item(db, item_id)
    return render(request, "portal/apply.html", _context(db, citizen, item, {"kind": "personal"}, ""))


@router.post("/apply/{item_id}", response_class=HTMLResponse)
def apply(item_id: int, request: Request, db: DB, form: Form, citizen: Citizen, on_error: OnError) -> Response:
    """Files the application once and redirects to the page that shows the case number and query password."""
    item = _online_item(db, item_id)
    values = applicant_values(form)
    typed = {**values, "project_name": text(form, "project_name"), "major_project_id": text(form, "major_project_id")}
    key = forms.form_key(form)
    on_error.show("portal/apply.html", lambda: _context(db, citizen, item, typed, key, form))
    submissions.checked_key(key)
    earlier = submissions.earlier(db, citizen, key)
    if earlier is not None:
        return redirect(done_url(earlier))  # the same form again: nothing is filed twice
    lines = bundles.material_lines([item])
    forms.keep_uploads(db, form, citizen, key, lines)
    applicant = checked_applicant(values)
    major_project_id = to_int(typed["major_project_id"], "重大项目")  # checked by the case service
    chosen = forms.choices(db, form, citizen, key, lines)
    data = SubmitIn(
        service_item_id=item.id,
        applicant=applicant,
        project_name=typed["project_name"][:200],
        materials=list(chosen.values()),
        major_project_id=major_project_id,
    )
    claim = submissions.claim(db, citizen, key)
    new = case_service.submit_online(db, citizen, data)
    submissions.filed(db, claim, case_id=new.case.id)
    remember_code(request, case_id=new.case.id, code=new.query_code)
    return redirect(f"/my/cases/{new.case.id}/submitted")


@router.get("/my/cases/{case_id}/submitted", response_class=HTMLResponse)
def submitted(case_id: int, request: Request, db: DB, citizen: Citizen) -> Response:
    """申报成功: the case number, and the query password the first time the page is shown."""
    case = case_service.get_for(db, citizen, case_id)
    if case.owner_user_id != citizen.id:
        return redirect("/my/cases")
    code = shown_code(request, case_id=case.id)
    return render(request, "portal/apply_done.html", {"cases": [case], "query_code": code, "bundle": None})
