"""What every page shares: templates, the signed-in user, CSRF tokens, flash messages, form parsing."""

import functools
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.templating import Jinja2Templates

from core.cases.enums import STATUS_LABELS
from core.db import get_sessionmaker
from core.deps import current_user, session_csrf_token, session_user
from core.errors import AppError, PermissionDenied, ValidationFailed
from core.files.service import FileContent
from core.modules import service as modules
from core.modules.registry import module_of
from core.org.models import User
from core.org.permissions import Permission
from core.security import constant_time_equal
from core.settings import get_settings

WEB_DIR = Path(__file__).parent
CSRF_FIELD = "csrf_token"
CSRF_MESSAGE = "页面已过期或表单来源无法验证，请刷新页面后重新提交"

_env = Environment(loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=select_autoescape(default=True))
_env.globals["STATUS_LABELS"] = STATUS_LABELS


@functools.cache
def static(path: str) -> str:
    """The address of one of the pages' own files with a short hash of its content, so that a browser (or nginx,
    which lets /static/ be kept for an hour) fetches it again once a release changes it."""
    digest = hashlib.sha256((WEB_DIR / "static" / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


_env.globals["static"] = static


def page_link(request: Request, page: int) -> str:
    """The current page's address with another page number."""
    params = dict(request.query_params) | {"page": str(page)}
    return f"{request.url.path}?{urlencode(params)}"


_FIELD_LABELS = {
    "name": "名称",
    "step": "环节",
    "limit": "时限",
    "time_limit": "时限",
    "description": "说明",
    "notes": "备注",
    "kind": "种类",
    "question": "问题",
    "answer": "解答",
}


def field_label(key: str) -> str:
    """A Chinese column heading for a key of a guide's list entries."""
    return _FIELD_LABELS.get(key, key)


_env.globals["page_link"] = page_link
_env.globals["field_label"] = field_label
templates = Jinja2Templates(env=_env)


def web_user(request: Request, user: Annotated[User | None, Depends(current_user)]) -> User | None:
    """The signed-in user (None when anonymous), remembered for the page header."""
    if user is not None:
        department = user.department.name if user.department else ""
        closed: frozenset[str] = getattr(request.state, "closed_modules", frozenset())  # current_user found them
        request.state.viewer = Viewer(user.name, user.is_staff, frozenset(user.permissions), department, closed)
    return user


WebUser = Annotated[User | None, Depends(web_user)]


def remember_viewer(request: Request) -> None:
    """Looks up the signed-in user for a page that no route answered (a 404, a 405): the header then shows who
    is signed in instead of 登录/注册. A session that is not alive leaves the page anonymous."""
    if _viewer(request) is not None or "session" not in request.scope:
        return
    with get_sessionmaker()() as db:  # errors have no dependencies, so no request session either
        try:
            user = session_user(request, db)
        except AppError:
            return
        if user is not None:
            department = user.department.name if user.department else ""
            closed = modules.closed_for(db, user)
            request.state.viewer = Viewer(user.name, user.is_staff, frozenset(user.permissions), department, closed)


@dataclass(frozen=True)
class Viewer:
    """What pages show of the signed-in user; a copy, so that error pages work after the session closed."""

    name: str
    is_staff: bool
    permissions: frozenset[str]
    department_name: str
    closed_modules: frozenset[str] = frozenset()

    def opens(self, path: str) -> bool:
        """Whether a menu entry's page is open to them: not in a program module closed to all their roles."""
        return module_of(path) not in self.closed_modules


def _viewer(request: Request) -> Viewer | None:
    viewer = getattr(request.state, "viewer", None)
    if isinstance(viewer, Viewer):
        return viewer
    return None


class _LazyCsrfToken:
    """The CSRF token as a page's template sees it: made (and the session with it) only when the page actually
    writes it out — in a form that posts. A page without one (a guide, the catalogue, publicity) then sets no
    cookie for an anonymous visitor, and nginx may give the same page to the next one (core/edge_cache.py)."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return session_csrf_token(self.request)

    def __html__(self) -> str:
        return str(escape(session_csrf_token(self.request)))


async def checked_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, after checking its CSRF token against the session's; 403 when it does not match.

    Uploaded files of the form are closed when the request is done.
    """
    form = await request.form()
    try:
        sent = form.get(CSRF_FIELD)
        expected = request.session.get("csrf")
        if not isinstance(sent, str) or not isinstance(expected, str) or not constant_time_equal(sent, expected):
            raise PermissionDenied(CSRF_MESSAGE, code="csrf")
        yield form
    finally:
        await form.close()


Form = Annotated[FormData, Depends(checked_form)]


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """Keeps a message for the next page shown."""
    request.session.setdefault("flash", []).append([kind, message])


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """Renders a page with the user, CSRF token, flash messages and the centre's name."""
    values: dict[str, Any] = {
        "user": _viewer(request),
        "csrf_token": _LazyCsrfToken(request),
        "flashes": request.session.pop("flash", []),
        "centre_name": get_settings().centre_name,
        "Permission": Permission,
        "upload_types": "、".join(get_settings().upload_types),
    }
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status)


def redirect(url: str) -> RedirectResponse:
    """A redirect after a POST (303, so the browser follows with GET)."""
    return RedirectResponse(url, status_code=303)


def file_response(found: FileContent, *, attachment: bool = False) -> Response:
    """A file as the browser should get it: its own (Chinese) name encoded for the header, never cached, shown in
    the browser or, with ``attachment``, saved."""
    disposition = "attachment" if attachment else "inline"
    return Response(
        found.content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(found.filename)}",
            "Cache-Control": "no-store",
        },
    )


def login_redirect(request: Request) -> RedirectResponse:
    """Sends an anonymous visitor to the login page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def safe_next(value: str | None, default: str) -> str:
    """A local path to go to after login; anything else falls back to the default."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


# ---------------------------------------------------------------- form and query values


def text(form: FormData, name: str) -> str:
    """A text field of the form ('' when absent)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    """All values of a repeated field (checkboxes)."""
    return [v for v in form.getlist(name) if isinstance(v, str)]


def checked(form: FormData, name: str) -> bool:
    """True when a checkbox was ticked."""
    return form.get(name) is not None


def upload(form: FormData, name: str) -> UploadFile | None:
    """A chosen file, or None when the file field was left empty."""
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


def to_int(value: str | None, label: str, default: int | None = None) -> int | None:
    """Parses a number typed in a form or query; a Chinese error when it is not one."""
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError as exc:
        raise ValidationFailed(f"{label}应为数字") from exc
    if not -(2**63) <= number < 2**63:  # what the database's 64-bit integers hold; ids and counts are far inside
        raise ValidationFailed(f"{label}超出允许范围")
    return number


def to_date(value: str | None, label: str) -> date | None:
    """Parses a date (2026-01-31) typed in a form or query."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(f"{label}应为日期，格式如 2026-01-31") from exc


def page_number(value: str | None) -> int:
    """The page asked for; 1 when absent."""
    number = to_int(value, "页码", 1)
    return number if number is not None else 1


def validation_message(error: ValidationError, labels: dict[str, str]) -> str:
    """The first problem of a pydantic error as a Chinese sentence."""
    first = error.errors()[0]
    location = [str(p) for p in first.get("loc", ())]
    label = labels.get(location[-1], location[-1]) if location else "输入"
    kind = first.get("type", "")
    if kind == "missing":
        return f"缺少必填项：{label}"
    if kind == "string_too_short":
        return f"{label}不能为空或过短"
    if kind == "string_too_long":
        return f"{label}过长"
    if kind in ("int_parsing", "int_type"):
        return f"{label}应为数字"
    if kind.startswith(("greater", "less")):
        return f"{label}超出允许范围"
    if kind == "value_error":
        text = str(first.get("ctx", {}).get("error", f"{label}取值不正确"))
        return f"{label}{text}" if text.startswith("不能") else text  # 姓名不能包含…
    return f"{label}格式不正确"
