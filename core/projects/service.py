"""Construction projects: intake with drafts, derivation, department review and who may do what."""

import hashlib
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import Department, User
from core.org.permissions import DataScope, Permission

# The statuses and labels live in core/projects/enums.py (the schemas read them too); named here as before.
from core.projects.enums import CONFIRMED as CONFIRMED
from core.projects.enums import DERIVED as DERIVED
from core.projects.enums import DRAFT as DRAFT
from core.projects.enums import IN_REVIEW as IN_REVIEW
from core.projects.enums import PENDING as PENDING
from core.projects.enums import PROJECT_INFO_LABELS as PROJECT_INFO_LABELS
from core.projects.enums import REVIEW_STATUS_LABELS as REVIEW_STATUS_LABELS
from core.projects.enums import STATUS_LABELS as STATUS_LABELS
from core.projects.models import DepartmentReview, Derivation, Project, ReviewAdjustment
from core.projects.schemas import AdjustmentIn, ProjectIn, ProjectInfo, ProjectPatch
from core.rules import indicators as ind
from core.rules import service as rules_service
from core.rules.document import STAGES
from core.rules.engine import DerivedFlow, derive

# --- access ---------------------------------------------------------------------------------------------------------


def _departments_reviewing(db: Session, project: Project) -> set[int]:
    rows = db.scalars(
        select(DepartmentReview.department_id).join(Derivation).where(Derivation.project_id == project.id)
    )
    return set(rows)


def can_view(db: Session, user: User, project: Project, *, channel_user: str | None = None) -> bool:
    """Its filer (or the bot for the channel user who filed it), guides, leaders; reviewing departments' staff."""
    if project.owner_user_id == user.id:
        return True
    if channel_user and project.channel_user == channel_user:
        return Permission.SERVICE_CLIENT in user.permissions
    if not ({Permission.PROJECT_READ, Permission.PROJECT_GUIDE} & user.permissions):
        return False
    if user.data_scope == DataScope.ALL:
        return True
    return org_service.can_reach_department(user, _departments_reviewing(db, project))


def can_edit(user: User, project: Project) -> bool:
    """Its filer while it is not with the departments; a project guide always."""
    if Permission.PROJECT_GUIDE in user.permissions:
        return True
    if project.channel_user and Permission.SERVICE_CLIENT in user.permissions:
        return True  # the bot, acting for the channel user that get_for already matched
    return project.owner_user_id == user.id and Permission.PROJECT_FILE in user.permissions


def can_issue_letter(user: User, project: Project) -> bool:
    """Its filer (or the bot for the channel user who filed it), a project guide, an administrator — at any stage.

    Reviewing departments read the letters but do not issue them: a new version is an official document."""
    return can_edit(user, project)


PROJECT_PERMISSIONS = frozenset(
    {
        Permission.PROJECT_FILE,
        Permission.PROJECT_READ,
        Permission.PROJECT_GUIDE,
        Permission.PROJECT_REVIEW,
        Permission.SERVICE_CLIENT,
    }
)


def _require_any_project_permission(user: User | None) -> User:
    if user is None:
        raise NotAuthenticated("请先登录")
    if not (PROJECT_PERMISSIONS & user.permissions):
        raise PermissionDenied("您没有报建项目的权限，如需开通请联系管理员")
    return user


def claim_invitations(db: Session, user: User) -> list[Project]:
    """Projects a guide filed for this enterprise before it had an account join its account (帮办代办): the
    guide gave the mobile number it has now registered with, so the project waits under the login name that
    number gives (``Project.invited_login``). Run at each sign-in (core/projects/listeners.py, ``user.signed_in``),
    never on a read. Audited per project."""
    if not user.username.startswith("m:") or Permission.PROJECT_FILE not in user.permissions:
        return []
    waiting = list(
        db.scalars(select(Project).where(Project.owner_user_id.is_(None), Project.invited_login == user.username))
    )
    for project in waiting:
        project.owner_user_id = user.id
        project.invited_login = project.invited_phone = None
        record_event(db, action="project.invitation_claimed", entity="project", entity_id=str(project.id))
    if waiting:
        db.flush()
    return waiting


def get_for(db: Session, user: User | None, project_id: int, *, channel_user: str | None = None) -> Project:
    """A project the user may see; 404 otherwise, so others' projects are not even confirmed to exist."""
    user = _require_any_project_permission(user)
    project = db.get(Project, project_id)
    if project is None or not can_view(db, user, project, channel_user=channel_user):
        raise NotFound("项目不存在或您无权查看")
    return project


def locked_for(user: User, project: Project) -> bool:
    """True while the project is with the departments and the user is not a project guide."""
    return project.status in (IN_REVIEW, CONFIRMED) and Permission.PROJECT_GUIDE not in user.permissions


def may_edit(user: User, project: Project) -> bool:
    """Whether the user may change the project now (what the pages use to offer the edit buttons)."""
    return can_edit(user, project) and not locked_for(user, project)


def check_editable(db: Session, user: User, project: Project) -> None:
    """Refuses (with the reason) a change of the project by this user now."""
    _editable(db, user, project)


def _editable(db: Session, user: User, project: Project) -> None:
    if not can_edit(user, project):
        raise PermissionDenied("只有项目的填报单位或报建专员可以修改项目")
    if locked_for(user, project):
        raise Conflict("项目已提交部门审核，如需修改请联系报建专员")


def list_projects(
    db: Session, user: User | None, *, status: str | None = None, q: str | None = None, channel_user: str | None = None
) -> list[Project]:
    """Projects the user may see, newest first (the bot: those of the channel user it acts for)."""
    user = _require_any_project_permission(user)
    query = select(Project).order_by(Project.id.desc())
    if channel_user:
        return list(db.scalars(query.where(Project.channel_user == channel_user).limit(100)))
    if status:
        query = query.where(Project.status == status)
    if q:
        query = query.where(Project.name.contains(q) | Project.enterprise_name.contains(q) | (Project.code == q))
    if not ({Permission.PROJECT_READ, Permission.PROJECT_GUIDE} & user.permissions):
        query = query.where(Project.owner_user_id == user.id)
    elif user.data_scope != DataScope.ALL:
        reviewing = (
            select(Derivation.project_id)
            .join(DepartmentReview)
            .where(DepartmentReview.department_id == (user.department_id or -1))
        )
        query = query.where((Project.id.in_(reviewing)) | (Project.owner_user_id == user.id))
    return list(db.scalars(query.limit(500)))


# --- intake ---------------------------------------------------------------------------------------------------------


def check_answers(values: dict[str, ind.IndicatorValue]) -> dict[str, ind.IndicatorValue]:
    """Answers with their types checked; unknown indicators and bad values raise, naming the field."""
    clean: dict[str, ind.IndicatorValue] = {}
    for key, value in values.items():
        question = ind.QUESTION_BY_KEY.get(key)
        if question is None:
            raise ValidationFailed(f"未知的指标：{key}", field=f"indicators.{key}")
        if question.kind == "number" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        problem = ind.value_problem(question, value)
        if problem:
            raise ValidationFailed(problem, field=f"indicators.{key}")
        clean[key] = value
    return clean


def _merged(project: Project, answers: dict[str, ind.IndicatorValue]) -> dict[str, ind.IndicatorValue]:
    merged = {**(project.indicators or {}), **answers}
    merged = {k: v for k, v in merged.items() if v is not None}
    problems = ind.consistency_problems(ind.effective(merged))
    for key in answers:
        if key in problems:
            raise ValidationFailed(problems[key], field=f"indicators.{key}")
    if problems:
        key, message = next(iter(problems.items()))
        raise ValidationFailed(message, field=f"indicators.{key}")
    return merged


def _apply_info(project: Project, data: ProjectInfo) -> None:
    for key in PROJECT_INFO_LABELS:
        value = getattr(data, key)
        if value is not None:
            setattr(project, key, value.strip())


def create_project(db: Session, user: User | None, data: ProjectIn, *, channel_user: str | None = None) -> Project:
    """Starts a draft project owned by the filer (or, through the bot, by the channel user)."""
    if channel_user:
        org_service.require(user, Permission.SERVICE_CLIENT)
    else:
        org_service.require(user, Permission.PROJECT_FILE)
    assert user is not None
    return new_project(db, data, owner_user_id=None if channel_user else user.id, channel_user=channel_user)


def new_project(db: Session, data: ProjectIn, *, owner_user_id: int | None, channel_user: str | None = None) -> Project:
    """A draft project with its number, for the owner given — the caller has checked who may start it."""
    project = Project(
        name=data.name.strip(),
        owner_user_id=owner_user_id,
        channel_user=channel_user,
        status=DRAFT,
        indicators={},
        contact_phone="",
        version=1,
    )
    _apply_info(project, data)
    project.indicators = _merged(project, check_answers(data.indicators))
    db.add(project)
    db.flush()
    project.code = f"XM{now():%Y%m%d}{project.id:05d}"
    db.flush()
    return project


def update_project(db: Session, user: User | None, project: Project, data: ProjectPatch) -> Project:
    """Saves a draft step: project facts and answers; changed answers make the last derivation stale."""
    if user is None:
        raise NotAuthenticated("请先登录")
    _editable(db, user, project)
    _apply_info(project, data)
    if data.indicators:
        merged = _merged(project, check_answers(data.indicators))
        if ind.effective(merged) != ind.effective(project.indicators or {}):
            project.indicators = merged
            if project.status != DRAFT:
                project.status = DRAFT
    db.flush()
    return project


def missing_info(project: Project) -> list[str]:
    """Project facts still empty, by field name."""
    return [key for key in PROJECT_INFO_LABELS if not getattr(project, key)]


def derivation_stale(db: Session, project: Project) -> bool:
    """True when answers changed after the last derivation."""
    return project.status == DRAFT and latest_derivation(db, project) is not None


# --- derivation -----------------------------------------------------------------------------------------------------


def latest_derivation(db: Session, project: Project) -> Derivation | None:
    """The most recent derivation of the project."""
    return db.scalar(
        select(Derivation).where(Derivation.project_id == project.id).order_by(Derivation.seq.desc()).limit(1)
    )


def department_names(db: Session) -> dict[str, str]:
    """Department names by code, for flows."""
    return {code: name for code, name in db.execute(select(Department.code, Department.name))}


def _ready(project: Project) -> None:
    missing = missing_info(project)
    if missing:
        raise ValidationFailed(f"请先填写{PROJECT_INFO_LABELS[missing[0]]}", field=missing[0])
    values = project.indicators or {}
    open_questions = ind.unanswered(values)
    if open_questions:
        first = open_questions[0]
        raise ValidationFailed(f"请先回答：{first.label}", field=f"indicators.{first.key}")
    problems = ind.consistency_problems(ind.effective(values))
    if problems:
        key, message = next(iter(problems.items()))
        raise ValidationFailed(message, field=f"indicators.{key}")


def run_derivation(db: Session, project: Project) -> DerivedFlow:
    """The flow the published rules give for the project's answers now (nothing stored)."""
    version, document = rules_service.require_published(db)
    return derive(project.indicators or {}, document, version=version.version, department_names=department_names(db))


def store_derivation(
    db: Session, project: Project, flow: DerivedFlow, *, user: User | None, trigger: str
) -> Derivation:
    """Records a derivation and marks the project derived."""
    seq = (db.scalar(select(func.max(Derivation.seq)).where(Derivation.project_id == project.id)) or 0) + 1
    derivation = Derivation(
        project_id=project.id,
        seq=seq,
        rule_set_version=flow.rule_set_version,
        indicators=dict(project.indicators or {}),
        flow=flow.model_dump(mode="json"),
        trigger=trigger,
        created_by_id=user.id if user else None,
    )
    db.add(derivation)
    project.status = DERIVED
    project.submitted_at = project.submitted_at or now()
    db.flush()
    return derivation


def derive_project(db: Session, user: User | None, project: Project) -> Derivation:
    """Derives the approval flow from the project's complete answers with the rules in force."""
    if user is None:
        raise NotAuthenticated("请先登录")
    _editable(db, user, project)
    _ready(project)
    trigger = "filer" if project.owner_user_id == user.id else "bot" if project.channel_user else "guide"
    return store_derivation(db, project, run_derivation(db, project), user=user, trigger=trigger)


def _current(db: Session, project: Project) -> Derivation:
    derivation = latest_derivation(db, project)
    if derivation is None or project.status == DRAFT:
        raise Conflict("请先完成填报并进行流程推演")
    return derivation


# --- department review ----------------------------------------------------------------------------------------------


def send_for_review(db: Session, user: User | None, project: Project) -> list[DepartmentReview]:
    """Asks every department with items in the flow to review and confirm them."""
    if user is None:
        raise NotAuthenticated("请先登录")
    _editable(db, user, project)
    derivation = _current(db, project)
    if project.status != DERIVED:
        raise Conflict("项目已在部门审核中或已确认")
    if project.proxy_filer_id is not None and project.owner_confirmed_at is None:
        raise Conflict("该项目由报建专员代办，须经建设单位在门户确认后才能提交部门审核")
    codes = sorted({item.department_code for item in DerivedFlow.model_validate(derivation.flow).items()})
    departments = list(db.scalars(select(Department).where(Department.code.in_(codes))))
    if not departments:
        raise Conflict("推演结果中没有需要部门审核的事项")
    reviews = [DepartmentReview(derivation_id=derivation.id, department_id=d.id, status=PENDING) for d in departments]
    db.add_all(reviews)
    project.status = IN_REVIEW
    db.flush()
    return reviews


def get_review(db: Session, user: User | None, review_id: int) -> DepartmentReview:
    """A review the user's department may act on."""
    org_service.require(user, Permission.PROJECT_REVIEW)
    assert user is not None
    review = db.get(DepartmentReview, review_id)
    if review is None or not org_service.can_reach_department(user, {review.department_id}):
        raise NotFound("审核任务不存在或不属于您的部门")
    return review


def review_project(db: Session, review: DepartmentReview) -> Project:
    """The project a review belongs to."""
    derivation = db.get(Derivation, review.derivation_id)
    assert derivation is not None
    project = db.get(Project, derivation.project_id)
    assert project is not None
    return project


def list_reviews(db: Session, user: User | None, *, status: str | None = PENDING) -> list[DepartmentReview]:
    """Reviews waiting for (or done by) the user's department; all departments for an all-scope reviewer."""
    org_service.require(user, Permission.PROJECT_REVIEW)
    assert user is not None
    query = select(DepartmentReview).order_by(DepartmentReview.id.desc())
    if status:
        query = query.where(DepartmentReview.status == status)
    if user.data_scope != DataScope.ALL:
        query = query.where(DepartmentReview.department_id == (user.department_id or -1))
    return list(db.scalars(query.limit(500)))


def _open_review(db: Session, review: DepartmentReview) -> tuple[Project, Derivation]:
    if review.status != PENDING:
        raise Conflict("本部门已确认，不能再修改")
    project = review_project(db, review)
    derivation = latest_derivation(db, project)
    if project.status != IN_REVIEW or derivation is None or derivation.id != review.derivation_id:
        raise Conflict("项目的推演结果已更新，此审核任务已失效")
    return project, derivation


def add_adjustment(db: Session, user: User | None, review: DepartmentReview, data: AdjustmentIn) -> ReviewAdjustment:
    """Records a department's added, corrected or removed item with its opinion."""
    assert user is not None
    _, derivation = _open_review(db, review)
    flow = DerivedFlow.model_validate(derivation.flow)
    department_code = review.department.code
    if data.action == "add":
        if not data.name.strip():
            raise ValidationFailed("请填写新增事项的名称", field="name")
        if data.stage not in STAGES:
            raise ValidationFailed(f"阶段只能是：{'、'.join(STAGES.values())}", field="stage")
        code = data.approval_code or "dept_" + hashlib.sha1(data.name.encode()).hexdigest()[:8]
    else:
        item = flow.item(data.approval_code)
        if item is None:
            raise ValidationFailed("请选择推演结果中的事项", field="approval_code")
        if item.department_code != department_code:
            raise PermissionDenied("只能更正或删除本部门负责的事项")
        code = item.code
    adjustment = ReviewAdjustment(
        review_id=review.id,
        action=data.action,
        approval_code=code,
        name=data.name.strip(),
        stage=data.stage,
        time_limit_days=data.time_limit_days,
        materials=[m.strip() for m in data.materials if m.strip()],
        opinion=data.opinion.strip(),
        created_by_id=user.id,
    )
    db.add(adjustment)
    db.flush()
    db.refresh(review)
    return adjustment


def confirm_review(db: Session, user: User | None, review: DepartmentReview, *, opinion: str) -> DepartmentReview:
    """The department confirms its items; the project is confirmed when every department has."""
    assert user is not None
    project, derivation = _open_review(db, review)
    review.status = CONFIRMED
    review.opinion = opinion.strip()
    review.reviewer_id = user.id
    review.reviewer_name = user.name
    review.confirmed_at = now()
    db.flush()
    db.refresh(derivation)
    if all(r.status == CONFIRMED for r in derivation.reviews):
        project.status = CONFIRMED
        db.flush()
    return review


def flow_hash(flow: DerivedFlow) -> str:
    """A fingerprint of everything a letter shows of a flow."""
    payload: Any = flow.model_dump(mode="json")
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
