"""The citizen's own cases and messages: 我的办件 (一件事 cases grouped), one case with its results to download,
好差评 and 撤回, the resupply form, and 我的消息 (the in-site inbox).

Every page takes the signed-in applicant (``Citizen``) and every case of an address is checked to be theirs
(``OwnCase``): another person's case is refused whatever its number, before anything is shown or changed.
"""

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases import bundles, queries, results, withdrawal
from core.cases import service as case_service
from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.cases.schemas import CaseSummary, MaterialIn
from core.deps import DB
from core.errors import PermissionDenied
from core.evaluation import service as evaluation_service
from core.files import service as file_service
from core.items.models import ItemMaterial
from core.settings import get_settings
from notifications import service as notification_service
from notifications.models import Notification
from web.common import Form, file_response, flash, page_number, redirect, render, text, upload
from web.deps import OnError
from web.portal_apply import Citizen

router = APIRouter(include_in_schema=False)

INBOX_PAGE_SIZE = 20


# ---------------------------------------------------------------- 我的办件


@dataclass(frozen=True)
class Group:
    """Rows of 我的办件: one case, or the cases of one 一件事 application under its theme."""

    theme: str
    bundle_id: int | None
    cases: list[CaseSummary]


def _groups(db: Session, rows: list[CaseSummary]) -> list[Group]:
    themes = bundles.themes_of(db, [row.id for row in rows])
    groups: list[Group] = []
    for row in rows:
        bundle_id, theme = themes.get(row.id, (None, ""))
        if bundle_id is not None and groups and groups[-1].bundle_id == bundle_id:
            groups[-1].cases.append(row)
        else:
            groups.append(Group(theme, bundle_id, [row]))
    return groups


@router.get("/my/cases", response_class=HTMLResponse)
def my_cases(request: Request, db: DB, citizen: Citizen, page: str | None = None) -> Response:
    """The citizen's own cases, newest first; the cases of one 一件事 application together."""
    result = queries.list_cases(db, citizen, page=page_number(page))
    context = {
        "result": result,
        "groups": _groups(db, result.items),
        "unread": notification_service.unread_count(db, citizen),
    }
    return render(request, "portal/my_cases.html", context)


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


def _my_case_context(db: Session, case: Case) -> dict[str, Any]:
    ended = case.status in (CaseStatus.CONCLUDED, CaseStatus.REFUSED)
    rating = evaluation_service.rating_of(db, case) if ended else None
    return {
        "case": case,
        "progress": queries.progress_view(case),
        "requested": _requested_materials(case),
        "documents": [(key, results.DOCUMENT_LABELS[key]) for key in results.available(db, case)],
        "may_withdraw": case.status == CaseStatus.SUBMITTED,
        "may_rate": ended,
        "rating": rating,
        "rating_label": evaluation_service.LEVEL_LABELS.get(rating.level, "") if rating else "",
        "bundle": bundles.view(db, case.bundle_id),
    }


@router.get("/my/cases/{case_id}", response_class=HTMLResponse)
def my_case(request: Request, db: DB, case: OwnCase) -> Response:
    """The citizen's view of one own case: progress, results, 好差评, 撤回 and the resupply form as they apply."""
    return render(request, "portal/my_case.html", _my_case_context(db, case))


@router.post("/my/cases/{case_id}/resupply", response_class=HTMLResponse)
def my_resupply(request: Request, db: DB, form: Form, citizen: Citizen, case: OwnCase, on_error: OnError) -> Response:
    """The citizen uploads the materials asked for; the clock runs again."""
    on_error.show("portal/my_case.html", lambda: _my_case_context(db, own_case(case.id, db, citizen)))
    limit = get_settings().upload_max_bytes
    materials = []
    for material in _requested_materials(case):
        file = upload(form, f"file_{material.id}")
        if file is not None:
            content = file.file.read(limit + 1)
            stored = file_service.store(db, filename=file.filename or "", content=content, uploaded_by_id=citizen.id)
            db.flush()
            materials.append(MaterialIn(item_material_id=material.id, upload_id=stored.id))
    case_service.resupply(db, citizen, case, note=text(form, "note")[:2000], materials=materials)
    flash(request, "补正材料已提交，办件继续办理")
    return redirect(f"/my/cases/{case.id}")


@router.post("/my/cases/{case_id}/withdraw", response_class=HTMLResponse)
def my_withdraw(request: Request, db: DB, form: Form, citizen: Citizen, case: OwnCase, on_error: OnError) -> Response:
    """撤回 an application not yet accepted, with a reason; the department is told."""
    reason = text(form, "reason")
    on_error.show(
        "portal/my_case.html",
        lambda: _my_case_context(db, own_case(case.id, db, citizen)) | {"withdraw_reason": reason},
    )
    withdrawal.withdraw(db, citizen, case, reason=reason)
    flash(request, f"办件{case.case_no}已撤回，受理部门已收到通知")
    return redirect(f"/my/cases/{case.id}")


@router.post("/my/cases/{case_id}/results/{document}")
def my_result(
    document: str, request: Request, db: DB, form: Form, citizen: Citizen, case: OwnCase, on_error: OnError
) -> Response:
    """Downloads the result notice or the e-licence of the citizen's own concluded case (audited)."""
    on_error.redirect(f"/my/cases/{case.id}")
    return file_response(results.download(db, citizen, case, document), attachment=True)


# ---------------------------------------------------------------- 我的消息


_CASE_NO = re.compile(r"[?&]case_no=([A-Za-z0-9]{1,32})")


def _own_links(db: Session, citizen_id: int, rows: list[Notification]) -> dict[int, str]:
    """Where each message leads the signed-in applicant: a progress link of their own case opens that case (no
    password needed); a rating link stays (the rating page knows its owner)."""
    numbers = {m.group(1).upper() for row in rows if (m := _CASE_NO.search(row.link)) and "/progress" in row.link}
    query = select(Case.case_no, Case.id).where(Case.case_no.in_(numbers), Case.owner_user_id == citizen_id)
    own = {case_no: case_id for case_no, case_id in db.execute(query)}
    links: dict[int, str] = {}
    for row in rows:
        found = _CASE_NO.search(row.link)
        if found and "/progress" in row.link and found.group(1).upper() in own:
            links[row.id] = f"/my/cases/{own[found.group(1).upper()]}"
        elif "/rate?" in row.link and found:
            links[row.id] = f"/rate?case_no={found.group(1).upper()}"
    return links


@router.get("/my/inbox", response_class=HTMLResponse)
def inbox(request: Request, db: DB, citizen: Citizen, page: str | None = None) -> Response:
    """我的消息: the in-site notifications, unread first, a page at a time."""
    number = page_number(page)
    rows, total = notification_service.inbox_page(db, citizen, page=number, page_size=INBOX_PAGE_SIZE)
    context = {
        "rows": rows,
        "total": total,
        "page": number,
        "page_size": INBOX_PAGE_SIZE,
        "unread": notification_service.unread_count(db, citizen),
        "links": _own_links(db, citizen.id, rows),
    }
    return render(request, "portal/inbox.html", context)


@router.post("/my/inbox/read-all", response_class=HTMLResponse)
def inbox_read_all(request: Request, db: DB, form: Form, citizen: Citizen) -> Response:
    """Marks all the citizen's messages read."""
    count = notification_service.mark_all_read(db, citizen)
    flash(request, f"已将 {count} 条消息标为已读" if count else "没有未读消息")
    return redirect("/my/inbox")


@router.post("/my/inbox/{notification_id}/read", response_class=HTMLResponse)
def inbox_read(
    notification_id: int, request: Request, db: DB, form: Form, citizen: Citizen, on_error: OnError
) -> Response:
    """Marks one of the citizen's own messages read; with ``open``, goes on to where it leads."""
    on_error.redirect("/my/inbox")
    row = notification_service.mark_read(db, citizen, notification_id)
    if text(form, "open"):
        target = _own_links(db, citizen.id, [row]).get(row.id, "")
        return redirect(target or "/my/inbox")
    return redirect(f"/my/inbox?page={page_number(text(form, 'page') or None)}")
