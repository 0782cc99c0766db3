"""The public guidance letter verification pages: anyone holding a 指导意见书 types (or scans) its code and sees
whether it is genuine and whether a newer version replaced it. No sign-in; nothing but the letter's own facts."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from core.deps import ReadDB
from core.errors import AppError
from core.projects import letters
from core.projects.models import Project
from web.common import WebUser, redirect, render
from web.filing_views import letter_row

router = APIRouter(include_in_schema=False)


@router.get("/letters", response_class=HTMLResponse)
def verify_form(request: Request, db: ReadDB, user: WebUser, code: str | None = None) -> Response:
    """The form to type a letter's verification code; a typed code goes to its page."""
    cleaned = "".join((code or "").split()).upper()
    if cleaned:
        return redirect(f"/letters/{quote(cleaned, safe='')}")
    return render(request, "filing/verify.html", {"code": "", "result": None})


@router.get("/letters/{code}", response_class=HTMLResponse)
def verify(code: str, request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """Anyone holding a letter checks that it is genuine and whether a newer version replaced it."""
    try:
        letter = letters.by_code(db, code)
    except AppError as error:  # an unknown code is an answer of this page (the form again), not an error page
        return render(request, "filing/verify.html", {"code": code, "result": None, "error": error.message}, 404)
    project = db.get_one(Project, letter.project_id)
    newest = letters.letters_of(db, project)[0]
    context = {"code": letter.verification_code, "result": letter_row(letter), "project": project, "latest": newest}
    return render(request, "filing/verify.html", context)
