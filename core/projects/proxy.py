"""帮办代办: a project guide (报建专员) files a construction project on an enterprise's behalf.

The project belongs to the enterprise from the start — it is in the enterprise's own list, under its account —
and names the guide who filed it. The enterprise confirms it as its own before the departments are asked to
review it, since the flow and the guidance letter will be addressed to the enterprise. The guide names the
enterprise by the mobile number of its portal account. An enterprise without an account yet is invited: the
project waits under the login name that number will have (``Project.invited_login``), the enterprise gets a text
message, and the project joins its account at its first sign-in after registering (``claim_invitations``, run by
core/projects/listeners.py on ``user.signed_in``) — the platform still creates no account for anyone who has not
asked for one. Every step is audited.
"""

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.clock import now
from core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.org.phone_codes import mobile_problem
from core.projects import service as project_service
from core.projects.models import Project
from core.projects.schemas import ProjectIn
from core.settings import get_settings
from core.sms import SmsFailed, masked, sms_sender

log = logging.getLogger("tongban.projects")


def find_enterprise(db: Session, phone: str) -> User | None:
    """The portal account of the enterprise a guide files for, by its mobile number; None when it has none yet."""
    if not phone.strip():
        raise ValidationFailed("请填写建设单位联系人的手机号", field="owner_phone")
    if mobile_problem(phone.strip()):
        raise ValidationFailed("请填写建设单位联系人的11位手机号（账号或注册邀请以此号码为准）", field="owner_phone")
    owner = org_service.get_user_by_login(db=db, login=phone)
    if owner is None:
        return None
    if owner.is_staff or not owner.is_active:
        raise ValidationFailed("该手机号对应的不是可用的建设单位账号，请核对", field="owner_phone")
    if Permission.PROJECT_FILE not in owner.permissions:
        raise ValidationFailed("该账号没有报建申报权限，不能作为建设单位", field="owner_phone")
    return owner


@dataclass(frozen=True)
class ProxyFiling:
    """What the guide is told after filing: the project, and whether the enterprise was invited by text message
    (``invited``; ``texted`` is False when the gateway did not take the message — the guide tells them)."""

    project: Project
    invited: bool = False
    texted: bool = False


def file_for_enterprise(db: Session, user: User | None, data: ProjectIn, *, owner_phone: str) -> ProxyFiling:
    """A guide starts a project owned by the enterprise (or waiting for its account); it waits for the
    enterprise's confirmation either way."""
    guide = org_service.require(user, Permission.PROJECT_GUIDE)
    phone = owner_phone.strip()
    owner = find_enterprise(db, phone)
    project = project_service.new_project(db, data, owner_user_id=owner.id if owner else None)
    project.proxy_filer_id = guide.id
    if owner is None:
        project.invited_login = org_service.citizen_login_name(phone)
        project.invited_phone = phone
    db.flush()
    record_event(
        db,
        action="project.proxy_file",
        entity="project",
        entity_id=str(project.id),
        details={
            "项目": project.name,
            "建设单位账号": owner.name if owner else f"尚未注册（已邀请 {masked(phone)}）",
            "代办人": guide.name,
        },
    )
    if owner is not None:
        return ProxyFiling(project)
    return ProxyFiling(project, invited=True, texted=_text_invitation(project, guide, phone))


def _text_invitation(project: Project, guide: User, phone: str) -> bool:
    centre = get_settings().centre_name
    text = (
        f"【{centre}】报建专员{guide.name}已为{project.enterprise_name or '贵单位'}代办建设项目“{project.name}”"
        f"（编号 {project.code}）。请用本手机号在{centre}门户注册并登录，在“全流程报建指导”中核对并确认该项目。"
    )
    try:
        sms_sender().send(phone, text)
    except SmsFailed:
        log.warning("帮办代办邀请短信未发出：项目 %s，手机号 %s", project.code, masked(phone))
        return False
    return True


def invited_phone_masked(project: Project) -> str:
    """139****0099: the number an invited enterprise will register with, as a page may show it."""
    return masked(project.invited_phone) if project.invited_phone else ""


def awaiting_owner(project: Project) -> bool:
    """True for a project a guide filed that its enterprise has not confirmed yet."""
    return project.proxy_filer_id is not None and project.owner_confirmed_at is None


def awaiting_registration(project: Project) -> bool:
    """True for a project filed for an enterprise that has not registered (or not signed in) yet."""
    return project.owner_user_id is None and project.invited_login is not None


def confirm(db: Session, user: User | None, project: Project) -> Project:
    """The enterprise confirms the project a guide filed for it."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if project.owner_user_id != user.id or Permission.PROJECT_FILE not in user.permissions:
        raise PermissionDenied("只有建设单位本身可以确认代办的项目")
    if project.proxy_filer_id is None:
        raise Conflict("该项目由本单位自行填报，无需确认")
    if project.owner_confirmed_at is not None:
        raise Conflict("该项目已确认")
    project.owner_confirmed_at = now()
    record_event(db, action="project.owner_confirm", entity="project", entity_id=str(project.id))
    return project


def filer_name(db: Session, project: Project) -> str:
    """The name of the guide who filed the project for the enterprise ("" when the enterprise filed it)."""
    if project.proxy_filer_id is None:
        return ""
    guide = org_service.get_user(db=db, user_id=project.proxy_filer_id)
    return guide.name if guide is not None else "报建专员"
