"""Admin site, program modules (程序模块): which parts of the staff site each staff role has (system administrators).

The switches themselves, who may change them and what a switched-off module does are core/modules'; this page
shows every staff role with a tick per module and saves one role at a time.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from core.deps import DB
from core.modules import service as modules
from core.modules.registry import MODULES
from core.org.models import User
from core.org.permissions import Permission
from web.common import Form, flash, redirect, render, texts
from web.deps import OnError, staff_with

router = APIRouter(prefix="/admin", include_in_schema=False)

SystemManager = Annotated[User, Depends(staff_with(Permission.ORG_MANAGE))]


def _context(db: Session, user: User, failed: int | None = None, ticked: list[str] | None = None) -> dict[str, Any]:
    rows = []
    for role, off in modules.board(db, user):
        on = set(ticked) if role.id == failed and ticked is not None else {m.code for m in MODULES} - off
        rows.append({"role": role, "on": on, "own": any(held.id == role.id for held in user.roles)})
    return {"rows": rows, "modules": MODULES, "failed": failed}


@router.get("/modules", response_class=HTMLResponse)
def switchboard(request: Request, db: DB, manager: SystemManager) -> HTMLResponse:
    """Every staff role with the modules on for it."""
    return render(request, "admin/modules.html", _context(db, manager))


@router.post("/modules/{role_id}", response_class=HTMLResponse)
def save(role_id: int, request: Request, db: DB, form: Form, manager: SystemManager, on_error: OnError) -> Response:
    """Leaves on exactly the ticked modules for the role."""
    enabled = texts(form, "modules")
    on_error.show("admin/modules.html", lambda: _context(db, manager, role_id, enabled))
    role = modules.set_role_modules(db, manager, role_id=role_id, enabled=enabled)
    flash(request, f"角色“{role.name}”的功能模块已保存")
    return redirect(f"/admin/modules#role-{role.id}")
