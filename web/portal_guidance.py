"""The portal's 帮办预约 pages: book guidance (choose an item or one's own project, then a free half-day and the
mode), my bookings, one booking with cancel (until the day before) and the rating. core/guidance decides."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.deps import DB
from core.errors import NotFound, ValidationFailed
from core.guidance import service
from core.guidance.enums import MODE_LABELS
from core.guidance.schemas import BookingIn, BookingOut, CancelIn, RatingIn
from core.org.models import User
from web.common import Form, flash, redirect, render, text, to_int, validation_message
from web.deps import OnError
from web.portal_apply import Citizen

router = APIRouter(include_in_schema=False)

LABELS = {"day": "日期", "period": "时段", "mode": "服务方式", "question": "需要帮办的问题", "address": "上门地址"}


def _subject(value: str) -> tuple[int | None, int | None]:
    """``item:12`` or ``project:3`` → (item id, project id)."""
    kind, _, number = value.partition(":")
    if not number.isdigit():
        return None, None
    return (int(number), None) if kind == "item" else (None, int(number)) if kind == "project" else (None, None)


def _form_context(db: Session, user: User, subject: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    items, projects = service.subjects(db, user)
    item_id, project_id = _subject(subject)
    free = []
    if item_id is not None or project_id is not None:
        free = service.free_half_days(db, user, service_item_id=item_id, project_id=project_id)
    return {
        "items": items,
        "projects": projects,
        "subject": subject,
        "is_project": project_id is not None,
        "free": free,
        "modes": MODE_LABELS,
        "values": values or {"slot": "", "mode": "window", "question": "", "address": ""},
    }


@router.get("/my/guidance", response_class=HTMLResponse)
def my_bookings(request: Request, db: DB, citizen: Citizen) -> Response:
    """我的帮办预约: coming ones first."""
    rows = [BookingOut.from_model(b) for b in service.list_mine(db, citizen)]
    return render(request, "portal/guidance_list.html", {"rows": rows})


@router.get("/my/guidance/new", response_class=HTMLResponse)
def new_booking(request: Request, db: DB, citizen: Citizen, on_error: OnError, subject: str = "") -> Response:
    """Step 1 chooses the item or project; step 2 (``subject`` given) shows its free half-days."""
    on_error.redirect("/my/guidance/new")
    return render(request, "portal/guidance_new.html", _form_context(db, citizen, subject[:40]))


@router.post("/my/guidance/new", response_class=HTMLResponse)
def book(request: Request, db: DB, form: Form, citizen: Citizen, on_error: OnError) -> Response:
    """Books the chosen half-day; a full one or a bad day shows the form again with the message."""
    subject = text(form, "subject")[:40]
    values = {k: text(form, k) for k in ("slot", "mode", "question", "address")}
    on_error.show("portal/guidance_new.html", lambda: _form_context(db, citizen, subject, values))
    item_id, project_id = _subject(subject)
    day, _, period = values["slot"].partition("|")
    if not day:
        raise ValidationFailed("请选择预约时段", field="slot")
    try:
        data = BookingIn.model_validate(
            {
                "service_item_id": item_id,
                "project_id": project_id,
                "mode": values["mode"],
                "day": day,
                "period": period,
                "question": values["question"],
                "address": values["address"],
            }
        )
    except ValidationError as error:
        raise ValidationFailed(validation_message(error, LABELS)) from error
    booking = service.book(db, citizen, data)
    flash(request, f"预约成功，预约号 {booking.booking_no}，确认消息已发送到“我的消息”")
    return redirect(f"/my/guidance/{booking.id}")


def _own(db: Session, citizen: User, booking_id: int) -> Any:
    booking = service.get_for(db, citizen, booking_id)
    if booking.user_id != citizen.id:
        raise NotFound("预约不存在或您无权查看")
    return booking


@router.get("/my/guidance/{booking_id}", response_class=HTMLResponse)
def booking_page(booking_id: int, request: Request, db: DB, citizen: Citizen) -> Response:
    """One booking: its details, what was done, cancel or rate."""
    booking = _own(db, citizen, booking_id)
    context = {"b": BookingOut.from_model(booking), "may_cancel": service.may_cancel(booking)}
    return render(request, "portal/guidance_booking.html", context)


@router.post("/my/guidance/{booking_id}/cancel", response_class=HTMLResponse)
def cancel(booking_id: int, request: Request, db: DB, form: Form, citizen: Citizen, on_error: OnError) -> Response:
    """Cancels the booking (until the day before)."""
    on_error.redirect(f"/my/guidance/{booking_id}")
    booking = _own(db, citizen, booking_id)
    service.cancel(db, citizen, booking, CancelIn(reason=text(form, "reason")[:200]))
    flash(request, "预约已取消")
    return redirect(f"/my/guidance/{booking_id}")


@router.post("/my/guidance/{booking_id}/rate", response_class=HTMLResponse)
def rate(booking_id: int, request: Request, db: DB, form: Form, citizen: Citizen, on_error: OnError) -> Response:
    """满意度评价 (1–5 and a comment)."""
    on_error.redirect(f"/my/guidance/{booking_id}")
    booking = _own(db, citizen, booking_id)
    rating = to_int(text(form, "rating"), "满意度")
    if rating is None or not 1 <= rating <= 5:
        raise ValidationFailed("请选择 1–5 分的满意度", field="rating")
    service.rate(db, citizen, booking, RatingIn(rating=rating, comment=text(form, "comment")[:500]))
    flash(request, "感谢您的评价")
    return redirect(f"/my/guidance/{booking_id}")
