"""帮办代办 pages: a project guide files a project for an enterprise (the filing wizard's first step, with the
mobile number of the enterprise's account, or the number it is invited to register with), and the enterprise confirms it from its project page. Rules in core/projects/proxy.py."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from core.audit.context import acting
from core.deps import DB
from core.errors import AppError
from core.org.models import User
from core.org.permissions import Permission
from core.projects import proxy
from core.projects.schemas import ProjectIn
from web.common import Form, flash, redirect, render, text
from web.deps import OnError, SignedIn, signed_in_with
from web.portal_filing import INFO_FIELDS, ViewedProject, _info_context, _info_values, _parse_info, _show_error

router = APIRouter(include_in_schema=False)

Guide = Annotated[User, Depends(signed_in_with(Permission.PROJECT_GUIDE))]
PROXY_FIELDS = ("owner_phone",)


def _context(values: dict[str, str]) -> dict[str, Any]:
    return {**_info_context(values), "proxy": True, "shown_fields": (*INFO_FIELDS, *PROXY_FIELDS)}


@router.get("/filing/projects/proxy", response_class=HTMLResponse)
def proxy_page(request: Request, db: DB, guide: Guide) -> Response:
    """代企业填报: the enterprise's account and the project facts."""
    values = dict.fromkeys((*INFO_FIELDS, *PROXY_FIELDS), "")
    return render(request, "filing/info.html", _context(values))


@router.post("/filing/projects/proxy", response_class=HTMLResponse)
def proxy_file(request: Request, db: DB, form: Form, guide: Guide, on_error: OnError) -> Response:
    """Starts the project in the enterprise's name and goes on to the indicators (the guide fills them in)."""
    values = {**_info_values(form), "owner_phone": text(form, "owner_phone")}

    def show(error: AppError) -> Response:
        return _show_error(request, "filing/info.html", _context(values), error)

    on_error.answer(show)
    data = _parse_info(ProjectIn, {k: v for k, v in values.items() if k != "owner_phone"})
    with acting(action="project.proxy_file"):
        filed = proxy.file_for_enterprise(db, guide, data, owner_phone=values["owner_phone"])
    project = filed.project
    phone = proxy.invited_phone_masked(project)
    invitation = (
        f"建设单位尚未注册，已向 {phone} 发送注册邀请短信；其用该号码注册登录后，项目自动归入其账号。"
        if filed.texted
        else f"建设单位尚未注册，邀请短信未能发出，请告知其用 {phone} 在门户注册；注册登录后项目自动归入其账号。"
    )
    flash(
        request,
        f"已为建设单位创建项目，编号 {project.code}；{invitation if filed.invited else ''}"
        "建设单位在门户确认后方可提交部门审核。请继续填写项目指标。",
    )
    return redirect(f"/filing/projects/{project.id}/indicators")


@router.post("/filing/projects/{project_id}/confirm", response_class=HTMLResponse)
def confirm(
    request: Request, db: DB, form: Form, viewer: SignedIn, project: ViewedProject, on_error: OnError
) -> Response:
    """The enterprise confirms the project a guide filed for it."""
    on_error.redirect(f"/filing/projects/{project.id}")
    with acting(action="project.owner_confirm"):
        proxy.confirm(db, viewer, project)
    flash(request, "已确认该项目为本单位项目，报建专员可提交部门审核。")
    return redirect(f"/filing/projects/{project.id}")
