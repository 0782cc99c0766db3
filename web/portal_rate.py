"""The portal's rating page (好差评), where the rating invitation links: ``/rate?case_no=...``.

Five levels and an optional comment; the case's query password unless the visitor is logged in as the
case's owner. The rating itself is core/evaluation's (one per concluded case; a bad one goes to the
department for follow-up).
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.cases.queries import WRONG_CREDENTIALS, guarded_progress
from core.deps import DB
from core.errors import NotFound, ValidationFailed
from core.evaluation import service as evaluation_service
from core.org.models import User
from core.rate_limit import client_ip
from web.common import Form, WebUser, render, text, to_int
from web.deps import OnError

router = APIRouter(include_in_schema=False)

CASE_NO_MAX = 32


def _owned_case(db: Session, user: User | None, case_no: str) -> Case | None:
    """The case when the visitor is logged in as its owner (no password needed then)."""
    if user is None or not case_no:
        return None
    case = db.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))
    return case if case is not None and case.owner_user_id == user.id else None


def _context(case_no: str, owner: bool, values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "owner": owner,
        "levels": evaluation_service.LEVEL_LABELS,
        "values": values or {"level": None, "comment": ""},
    }


@router.get("/rate", response_class=HTMLResponse)
def rate_page(request: Request, db: DB, user: WebUser, case_no: str = "") -> HTMLResponse:
    """The rating form, the case number filled in from the invitation's link."""
    case_no = case_no.strip()[:CASE_NO_MAX]
    return render(request, "portal/rate.html", _context(case_no, _owned_case(db, user, case_no) is not None))


@router.post("/rate", response_class=HTMLResponse)
def rate(request: Request, db: DB, form: Form, user: WebUser, on_error: OnError) -> HTMLResponse:
    """Records the rating: with the case's password, or as the logged-in owner."""
    case_no, query_code = text(form, "case_no")[:CASE_NO_MAX], text(form, "query_code")
    values = {"level": text(form, "level"), "comment": text(form, "comment")}
    owned = _owned_case(db, user, case_no)
    on_error.show("portal/rate.html", _context(case_no, owned is not None, values))
    if not case_no:
        raise ValidationFailed("请输入办件编号", field="case_no")
    level = to_int(values["level"], "评价等级")
    if level is None:
        raise ValidationFailed("请选择评价等级", field="level")
    if len(values["comment"]) > 1000:
        raise ValidationFailed("评价内容不能超过1000字", field="comment")
    case = owned
    if case is None:
        if not query_code:
            raise ValidationFailed("请输入查询密码（见受理通知书），或登录后评价本人的办件", field="query_code")
        guarded_progress(db, case_no, query_code, client=client_ip(request))
        case = db.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))
        if case is None:
            raise NotFound(WRONG_CREDENTIALS, code="wrong_case_or_code")
    evaluation = evaluation_service.rate(
        db, case, level=level, comment=values["comment"], channel="web", rater=user if owned else None
    )
    done = {
        "case_no": case.case_no,
        "level_label": evaluation_service.LEVEL_LABELS[evaluation.level],
        "follow_up_due_at": evaluation.follow_up_due_at,
    }
    return render(request, "portal/rate_done.html", done)
