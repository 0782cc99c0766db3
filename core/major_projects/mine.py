"""我的项目进度: a filer's own filing projects, where their filing stands and, for one registered as a major project,
where its approvals stand and what comes next (the bot's "我的项目到哪一步了", and the signed-in filer).

Whose projects: the caller's, never a value of the request — through the bot, those filed by the channel user it
speaks for (``project.channel_user``, the header a service client alone may send); signed in, those the filer owns
(``project.owner_user_id``). Staff see major projects through the register (service.py), not here.

The next steps of a major project are its running nodes and the nodes that can start now: not started, with every
prerequisite of the project done or not applicable (a prerequisite the project does not have constrains nothing,
as in planning). Running ones come first, then by planned finish.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import today
from core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from core.major_projects import planning
from core.major_projects.enums import (
    DONE,
    IN_PROGRESS,
    NODE_STATE_LABELS,
    OPEN_NODE_STATES,
    PENDING,
    SKIPPED,
    STAGE_LABELS,
    STATUS_LABELS,
)
from core.major_projects.models import MajorProject, Milestone, ProjectNode
from core.major_projects.schemas import (
    MyLetterOut,
    MyMajorProjectOut,
    MyMilestoneOut,
    MyNodeOut,
    MyProjectOut,
    Ref,
)
from core.org.models import User
from core.org.permissions import Permission
from core.projects import letters
from core.projects import service as filing_service
from core.projects.models import Project

LIMIT = 50
"""A filer with more projects sees the newest ones (the bot lists a few anyway)."""
NEXT_MILESTONES = 3


def own_projects(db: Session, user: User | None, *, channel_user: str | None) -> list[Project]:
    """The caller's filing projects, newest first; 401/403 for a caller who files none, 422 for a service client
    that names no channel user."""
    if user is None:
        raise NotAuthenticated("请先登录")
    query = select(Project).order_by(Project.id.desc()).limit(LIMIT)
    if channel_user:
        if Permission.SERVICE_CLIENT not in user.permissions:  # core.deps allows the header to service clients only
            raise PermissionDenied("只有服务客户端可以代表渠道用户调用接口")
        return list(db.scalars(query.where(Project.channel_user == channel_user)))
    if Permission.PROJECT_FILE in user.permissions:
        return list(db.scalars(query.where(Project.owner_user_id == user.id)))
    if Permission.SERVICE_CLIENT in user.permissions:
        raise ValidationFailed("缺少渠道用户标识（X-Channel-User）", field="X-Channel-User")
    raise PermissionDenied("“我的项目”只列出填报单位自己的报建项目；工作人员请在重大项目跟踪中查看")


def ready(node: ProjectNode, finished: set[str], known: set[str]) -> bool:
    """Not started, and every prerequisite the project has is done or not applicable."""
    return node.state == PENDING and all(code in finished for code in node.depends_on or [] if code in known)


def next_steps(nodes: list[ProjectNode]) -> list[ProjectNode]:
    """The running nodes, then those that can start now, each by planned finish (unplanned last), then position."""
    known = {n.approval_code for n in nodes}
    finished = {n.approval_code for n in nodes if n.state in (DONE, SKIPPED)}
    chosen = [n for n in nodes if n.state == IN_PROGRESS or ready(n, finished, known)]
    return sorted(
        chosen,
        key=lambda n: (n.state != IN_PROGRESS, n.planned_finish is None, n.planned_finish or date.max, n.position),
    )


def next_milestones(milestones: list[Milestone]) -> list[Milestone]:
    """The milestones not reached yet, the earliest planned first."""
    open_ones = [m for m in milestones if m.actual_finish is None]
    return sorted(open_ones, key=lambda m: (m.planned_finish, m.position))[:NEXT_MILESTONES]


def _node_out(node: ProjectNode, is_ready: bool, day: date) -> MyNodeOut:
    return MyNodeOut(
        id=node.id,
        name=node.name,
        stage_name=node.stage_name,
        department=Ref(id=node.department.id, name=node.department.name),
        state=node.state,
        state_label=NODE_STATE_LABELS.get(node.state, node.state),
        planned_start=node.planned_start,
        planned_finish=node.planned_finish,
        actual_start=node.actual_start,
        actual_finish=node.actual_finish,
        overdue=planning.node_overdue(node, day),
        ready=is_ready,
    )


def major_out(project: MajorProject) -> MyMajorProjectOut:
    """A major project as its filer sees it (no internal notes, problems or meetings)."""
    day = today()
    nodes = list(project.nodes)
    known = {n.approval_code for n in nodes}
    finished = {n.approval_code for n in nodes if n.state in (DONE, SKIPPED)}
    shown = {n.id: _node_out(n, ready(n, finished, known), day) for n in nodes}
    return MyMajorProjectOut(
        id=project.id,
        code=project.code,
        name=project.name,
        stage=project.stage,
        stage_label=STAGE_LABELS.get(project.stage, project.stage),
        status=project.status,
        status_label=STATUS_LABELS.get(project.status, project.status),
        lead_department_name=project.lead_department.name,
        officer_name=project.officer.name if project.officer is not None else "",
        progress=planning.progress(project),
        overdue_nodes=sum(n.state in OPEN_NODE_STATES and shown[n.id].overdue for n in nodes),
        nodes=list(shown.values()),
        next_steps=[shown[n.id] for n in next_steps(nodes)],
        next_milestones=[
            MyMilestoneOut(
                name=m.name,
                department_name=m.department.name if m.department is not None else "",
                planned_finish=m.planned_finish,
                actual_finish=m.actual_finish,
                overdue=planning.milestone_overdue(m, day),
            )
            for m in next_milestones(list(project.milestones))
        ],
    )


def _letter(db: Session, project: Project) -> MyLetterOut | None:
    found = letters.letters_of(db, project)
    if not found:
        return None
    newest = found[0]
    return MyLetterOut(
        version=newest.version,
        is_final=newest.is_final,
        issued_at=newest.issued_at,
        pdf_url=f"/api/v1/letters/{newest.verification_code}/pdf",
    )


def _reviews_pending(db: Session, project: Project) -> list[str]:
    if project.status != filing_service.IN_REVIEW:
        return []
    derivation = filing_service.latest_derivation(db, project)
    reviews = derivation.reviews if derivation is not None else []
    return [r.department.name for r in reviews if r.status == filing_service.PENDING]


def my_projects(db: Session, user: User | None, *, channel_user: str | None) -> list[MyProjectOut]:
    """The caller's projects with their filing status, letter and, when registered, the major project's progress."""
    projects = own_projects(db, user, channel_user=channel_user)
    ids = [p.id for p in projects]
    majors = {m.project_id: m for m in db.scalars(select(MajorProject).where(MajorProject.project_id.in_(ids)))}
    return [
        MyProjectOut(
            id=project.id,
            code=project.code or "",
            name=project.name,
            enterprise_name=project.enterprise_name,
            status=project.status,
            status_label=filing_service.STATUS_LABELS.get(project.status, project.status),
            reviews_pending=_reviews_pending(db, project),
            letter=_letter(db, project),
            major_project=major_out(majors[project.id]) if project.id in majors else None,
        )
        for project in projects
    ]
