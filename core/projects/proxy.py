"""帮办代办: a project guide (报建专员) files a construction project on an enterprise's behalf.

The project belongs to the enterprise from the start — it is in the enterprise's own list, under its account —
and names the guide who filed it. The enterprise confirms it as its own before the departments are asked to
review it, since the flow and the guidance letter will be addressed to the enterprise. The guide picks the
enterprise by the mobile number its portal account was registered with; an enterprise without an account
registers first (the platform does not create accounts for people who have not asked for one). Both steps are
audited (the project row's writes, and a named event each).
"""

from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.clock import now
from core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.projects import service as project_service
from core.projects.models import Project
from core.projects.schemas import ProjectIn


def find_enterprise(db: Session, phone: str) -> User:
    """The portal account of the enterprise a guide files for, by its registered mobile number."""
    if not phone.strip():
        raise ValidationFailed("请填写建设单位在门户注册的手机号", field="owner_phone")
    owner = org_service.get_user_by_login(db=db, login=phone)
    if owner is None or owner.is_staff or not owner.is_active:
        raise ValidationFailed(
            "未找到用该手机号注册的建设单位账号：请建设单位先在门户用此手机号注册，再由报建专员代办",
            field="owner_phone",
        )
    if Permission.PROJECT_FILE not in owner.permissions:
        raise ValidationFailed("该账号没有报建申报权限，不能作为建设单位", field="owner_phone")
    return owner


def file_for_enterprise(db: Session, user: User | None, data: ProjectIn, *, owner_phone: str) -> Project:
    """A guide starts a project owned by the enterprise; it waits for the enterprise's confirmation."""
    guide = org_service.require(user, Permission.PROJECT_GUIDE)
    owner = find_enterprise(db, owner_phone)
    project = project_service.create_project(db, owner, data)
    project.proxy_filer_id = guide.id
    db.flush()
    record_event(
        db,
        action="project.proxy_file",
        entity="project",
        entity_id=str(project.id),
        details={"项目": project.name, "建设单位账号": owner.name, "代办人": guide.name},
    )
    return project


def awaiting_owner(project: Project) -> bool:
    """True for a project a guide filed that its enterprise has not confirmed yet."""
    return project.proxy_filer_id is not None and project.owner_confirmed_at is None


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
