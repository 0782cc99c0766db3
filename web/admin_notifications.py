"""Admin site, notifications: the delivery list with retries (notification.manage), every staff member's
in-site inbox, and the personal page where staff bind WeCom / WeChat and choose their channels."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.deps import DB
from core.events.kinds import kind_label
from core.org.models import User
from core.org.permissions import Permission
from notifications import service
from notifications.models import CHANNEL_LABELS, STATUS_LABELS, Channel
from web.account import account_context
from web.common import Form, flash, page_number, redirect, render, text, texts
from web.deps import OnError, Staff, staff_with

router = APIRouter(prefix="/admin", include_in_schema=False)

PAGE_SIZE = 30


Manager = Annotated[User, Depends(staff_with(Permission.NOTIFICATION_MANAGE))]


def _filters(status: str | None, channel: str | None, kind: str | None) -> dict[str, str]:
    return {"status": status or "", "channel": channel or "", "kind": kind or ""}


@router.get("/notifications", response_class=HTMLResponse)
def notifications(
    request: Request,
    db: DB,
    manager: Manager,
    status: str | None = None,
    channel: str | None = None,
    kind: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """Every notification with its status, attempts, last error and provider msgid; filters and retries."""
    number = page_number(page)
    filters = _filters(status, channel, kind)
    rows, total = service.deliveries(
        db,
        manager,
        status=status or None,
        channel=channel or None,
        kind=kind or None,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    context = {
        "rows": rows,
        "total": total,
        "page": number,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "kinds": [(k, kind_label(k)) for k in service.kinds(db)],
        "kind_label": kind_label,
        "recipients": service.recipient_names(db, rows),
        "STATUS_LABELS": STATUS_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
    }
    return render(request, "admin/notifications.html", context)


@router.post("/notifications/retry-failed", response_class=HTMLResponse)
def retry_failed(request: Request, db: DB, form: Form, manager: Manager) -> Response:
    """Queues every failed notification (of the filtered channel and kind) again."""
    count = service.retry_failed(db, manager, channel=text(form, "channel") or None, kind=text(form, "kind") or None)
    flash(request, f"已重新发送 {count} 条失败的通知" if count else "没有失败的通知")
    return redirect("/admin/notifications?status=created" if count else "/admin/notifications")


@router.post("/notifications/{notification_id}/retry", response_class=HTMLResponse)
def retry(notification_id: int, request: Request, db: DB, form: Form, manager: Manager, on_error: OnError) -> Response:
    """Queues one failed notification again."""
    on_error.redirect("/admin/notifications")
    row = service.retry(db, manager, notification_id)
    flash(request, f"通知 #{row.id} 已重新排队发送")
    return redirect("/admin/notifications")


# ---------------------------------------------------------------- the inbox


INBOX_PAGE_SIZE = 20


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, db: DB, staff: Staff, page: str | None = None) -> HTMLResponse:
    """The staff member's in-site messages, unread first, a page of 20 at a time."""
    number = page_number(page)
    rows, total = service.inbox_page(db, staff, page=number, page_size=INBOX_PAGE_SIZE)
    context = {
        "rows": rows,
        "unread": service.unread_count(db, staff),
        "page": number,
        "total": total,
        "page_size": INBOX_PAGE_SIZE,
    }
    return render(request, "admin/inbox.html", context)


@router.post("/inbox/read-all", response_class=HTMLResponse)
def read_all(request: Request, db: DB, form: Form, staff: Staff) -> Response:
    """Marks all messages read."""
    count = service.mark_all_read(db, staff)
    flash(request, f"已将 {count} 条消息标为已读" if count else "没有未读消息")
    return redirect("/admin/inbox")


@router.post("/inbox/{notification_id}/read", response_class=HTMLResponse)
def read(notification_id: int, request: Request, db: DB, form: Form, staff: Staff) -> Response:
    """Marks a message read; with ``open`` goes on to the page it links to."""
    row = service.mark_read(db, staff, notification_id)
    if text(form, "open") and row.link.startswith(("http://", "https://", "/")):
        return redirect(row.link)
    return redirect("/admin/inbox")


# ---------------------------------------------------------------- personal notification settings


def notify_values(form: FormData) -> dict[str, Any]:
    """The WeCom UserID, openid and channels typed in a form (the user form and the personal page)."""
    return {
        "wecom_userid": text(form, "wecom_userid"),
        "wechat_openid": text(form, "wechat_openid"),
        "notify_channels": texts(form, "notify_channels"),
    }


def notify_context(person: User) -> dict[str, Any]:
    """What the notification fields show for a person."""
    return {
        "wecom_userid": person.wecom_userid or "",
        "wechat_openid": person.wechat_openid or "",
        "notify_channels": list(person.notify_channels or [Channel.INBOX.value]),
    }


def save_notify_values(db: Session, person: User, values: dict[str, Any], by: User) -> None:
    """Checks and saves the notification fields (raises the service's Chinese errors)."""
    service.update_channels(
        db,
        person,
        by=by,
        wecom_userid=values["wecom_userid"],
        wechat_openid=values["wechat_openid"],
        channels=values["notify_channels"],
    )


def _me_context(values: dict[str, Any], staff: User) -> dict[str, Any]:
    bindings_locked = Permission.ORG_MANAGE not in staff.permissions  # accounts are bound by an administrator
    return {
        "notify": values,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "bindings_locked": bindings_locked,
        "account": account_context(staff),  # profile, password and two-factor (web/account.py)
    }


def me_context(request: Request, staff: User) -> dict[str, Any]:
    """The whole personal page's context (web/account.py shows it again with an error)."""
    return _me_context(notify_context(staff), staff) | {"reason": request.session.get("password_change")}


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, db: DB, staff: Staff) -> HTMLResponse:
    """The staff member's notification settings."""
    return render(request, "admin/me.html", me_context(request, staff))


@router.post("/me", response_class=HTMLResponse)
def me_update(request: Request, db: DB, form: Form, staff: Staff, on_error: OnError) -> Response:
    """Saves the staff member's WeCom UserID, openid and channels."""
    values = notify_values(form)
    on_error.show("admin/me.html", lambda: _me_context(values, staff))
    save_notify_values(db, staff, values, staff)
    flash(request, "通知设置已保存")
    return redirect("/admin/me")
