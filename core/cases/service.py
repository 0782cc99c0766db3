"""Handling a case step by step: the rules of which action is allowed when, and what each records.

Every action checks the actor's permission and department scope, the case's status and step, and the
inputs it needs, and raises a Chinese error before changing anything when one of them fails.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from core.calendar.service import Deadline, LimitUnit, Pause, TimeState, compute_deadline
from core.cases import applicants, registration
from core.cases import events as case_events
from core.cases.enums import (
    ACTION_LABELS,
    CONCLUSION_RESULT_LABELS,
    RESULTS_NEEDING_REASON,
    SPECIAL_PROCEDURE_KINDS,
    STATUS_LABELS,
    STEP_LABELS,
    CaseStatus,
    CaseType,
    ConclusionResult,
    Step,
    StepResult,
    SubmitChannel,
)
from core.cases.models import Case, CaseMaterial, CaseStep, JointTask, Licence, Supplement, Suspension
from core.cases.numbering import next_case_no
from core.cases.schemas import MaterialIn, SubmitIn
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.files.models import StoredFile
from core.items import versions as item_versions
from core.items.models import ItemMaterial, ServiceItem
from core.items.schemas import MaterialSpec
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.security import keyed_hash, new_query_code
from core.warning_settings.thresholds import DEFAULTS, SubjectKind, case_warning_days

OPEN_STATUSES = {CaseStatus.SUBMITTED, CaseStatus.PROCESSING, CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED}


# ---------------------------------------------------------------- reading and permissions


def get(db: Session, case_id: int) -> Case:
    """Returns a case or raises NotFound."""
    case = db.get(Case, case_id)
    if case is None:
        raise NotFound("办件不存在")
    return case


def get_by_no(db: Session, case_no: str) -> Case | None:
    """Returns a case based on its case number."""
    return db.scalar(select(Case).where(Case.case_no == case_no.strip().upper()))


def case_departments(case: Case) -> set[int]:
    """The handling department and every department with a joint task."""
    return {case.department_id, *(task.department_id for task in case.joint_tasks)}


def can_view(user: User, case: Case) -> bool:
    """True when the user may read this case (staff by department scope, citizens their own)."""
    if Permission.CASE_READ in user.permissions and org_service.can_reach_department(user, case_departments(case)):
        return True
    return Permission.CASE_APPLY in user.permissions and case.owner_user_id == user.id


def get_for(db: Session, user: User | None, case_id: int) -> Case:
    """Returns a case the user may see; raises 401/403/404 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    case = get(db, case_id)
    if not can_view(user, case):
        raise PermissionDenied("该办件不在您的数据权限范围内")
    return case


def _require_handler(user: User | None, case: Case, departments: set[int] | None = None) -> User:
    handler = org_service.require(user, Permission.CASE_HANDLE)
    if not org_service.can_reach_department(handler, departments or {case.department_id}):
        raise PermissionDenied("该办件不属于您所在部门，不能办理")
    return handler


def _require_decider(user: User | None, case: Case) -> User:
    """决定 and 办结 (and sending a case back from them) are a separate permission from 受理 and 审查, so that the
    person who takes a case on is not the one who decides it (DOMAIN.md's steps)."""
    decider = org_service.require(user, Permission.CASE_DECIDE)
    if not org_service.can_reach_department(decider, {case.department_id}):
        raise PermissionDenied("该办件不属于您所在部门，不能办理")
    return decider


def concluded_on_the_spot(case: Case) -> bool:
    """A 即办件 still at 审查 is concluded where it was accepted (当场办结): the window clerk who took it on may
    do that, as well as anyone who decides the department's cases."""
    return case.case_type == CaseType.IMMEDIATE and case.current_step == Step.REVIEW


def _require_concluder(user: User | None, case: Case) -> User:
    if concluded_on_the_spot(case) and user is not None and Permission.CASE_HANDLE in user.permissions:
        return _require_handler(user, case)
    return _require_decider(user, case)


def _out_of_order(case: Case, action: str) -> Conflict:
    where = STATUS_LABELS[case.status]
    if case.status == CaseStatus.PROCESSING:
        where += f"（当前环节：{STEP_LABELS[case.current_step]}）"
    return Conflict(f"办件{case.case_no}当前状态为“{where}”，不能执行“{ACTION_LABELS[action]}”", code="out_of_order")


def _expect(case: Case, action: str, statuses: set[CaseStatus], steps: set[Step] | None = None) -> None:
    if case.status not in statuses or (
        steps is not None and case.status == CaseStatus.PROCESSING and case.current_step not in steps
    ):
        raise _out_of_order(case, action)


def _require_text(value: str, message: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationFailed(message, field=field)
    return text


# ---------------------------------------------------------------- time


def pauses(case: Case) -> list[Pause]:
    """The periods when the case's clock stood still (补正 and 特别程序 after acceptance)."""
    accepted = case.accepted_at
    found = [Pause(s.notified_at, s.resupplied_at) for s in case.supplements if accepted and s.notified_at >= accepted]
    found += [Pause(s.started_at, s.ended_at) for s in case.suspensions]
    return found


def warning_days(case: Case) -> int:
    """The case threshold of the case's department (预警设置): 预警 when this many working days or less are left."""
    session = object_session(case)
    if session is None:
        return DEFAULTS[SubjectKind.CASE].yellow_days
    with session.no_autoflush:  # a look-up in the middle of an action must not write the action half done
        return case_warning_days(session, case.department_id)


def deadline(case: Case, at: datetime | None = None, *, threshold: int | None = None) -> Deadline | None:
    """The case's due moment and time state at ``at`` (always at its conclusion once concluded); ``threshold`` is
    the department's case threshold when the caller has it already (a scan), else it is looked up."""
    if case.accepted_at is None:
        return None
    seen_at = case.concluded_at or at or now()
    days = warning_days(case) if threshold is None else threshold
    unit = LimitUnit(case.limit_unit)
    return compute_deadline(case.accepted_at, case.promised_limit, unit, pauses(case), seen_at, days)


def refresh_time_state(case: Case, at: datetime | None = None, *, threshold: int | None = None) -> None:
    """Stores due date and state for lists and statistics, keeping the first overdue moment."""
    result = deadline(case, at, threshold=threshold)
    if result is None:
        return
    if case.due_at != result.due_at:
        case.due_at = result.due_at
    state = result.state
    if case.concluded_at is not None and state is TimeState.WARNING:
        state = TimeState.NORMAL  # a concluded case was either on time or overdue
    if case.time_state != state.value:
        case.time_state = state.value
    if result.state is TimeState.OVERDUE and case.first_overdue_at is None:
        case.first_overdue_at = result.overdue_since


# ---------------------------------------------------------------- recording


def _record_step(
    db: Session,
    case: Case,
    user: User | None,
    *,
    action: str,
    result: int | None,
    opinion: str = "",
    public: bool = True,
    department_id: int | None = None,
    step: str | None = None,
) -> CaseStep:
    department = None
    if department_id is not None:
        department = org_service.get_department(db=db, department_id=department_id)
    elif user is not None and user.department is not None:
        department = user.department
    row = CaseStep(
        step=step or case.current_step,
        action=action,
        result_code=result,
        opinion=opinion,
        opinion_public=public,
        handler_id=user.id if user else None,
        handler_name=user.name if user else "申请人",
        department_id=department.id if department else None,
        department_name=department.name if department else "",
        created_at=now(),
    )
    case.steps.append(row)  # the collection adds it to the session; no db.add, or a lazy load lists it twice
    return row


# ---------------------------------------------------------------- materials


def _attach_materials(
    db: Session,
    case: Case,
    item: ServiceItem,
    materials: list[MaterialIn],
    user: User | None,
    supplement: Supplement | None = None,
) -> None:
    by_id = {m.id: m for m in item.materials}
    for entry in materials:
        spec = by_id.get(entry.item_material_id)
        if spec is None:
            raise ValidationFailed(f"材料编号 {entry.item_material_id} 不属于事项“{item.name}”", field="materials")
        chosen = [x for x in (entry.upload_id, entry.history_material_id, entry.licence_id) if x is not None]
        if len(chosen) + int(entry.paper) != 1:
            raise ValidationFailed(
                f"材料“{spec.name}”请选择一种提供方式：上传文件、历史材料、电子证照或窗口收取纸质件",
                field="materials",
            )
        row = CaseMaterial(item_material_id=spec.id, name=spec.name, supplement_id=None)
        if supplement is not None:
            row.supplement_id = supplement.id
        if entry.upload_id is not None:
            stored = db.get(StoredFile, entry.upload_id)
            if stored is None or (user is not None and stored.uploaded_by_id not in (None, user.id)):
                raise ValidationFailed(f"材料“{spec.name}”的上传文件不存在，请重新上传", field="materials")
            row.source, row.file_id, row.trust_level = "upload", stored.id, "C"
        elif entry.history_material_id is not None:
            earlier = db.get(CaseMaterial, entry.history_material_id)
            earlier_case = db.get(Case, earlier.case_id) if earlier else None
            if earlier is None or earlier_case is None or not _may_reuse(user, earlier_case, case):
                raise ValidationFailed(f"材料“{spec.name}”选择的历史材料不属于该申请人", field="materials")
            row.source, row.file_id, row.licence_id = "history", earlier.file_id, earlier.licence_id
            row.reused_from_id, row.trust_level = earlier.id, earlier.trust_level
        elif entry.licence_id is not None:
            licence = db.get(Licence, entry.licence_id)
            licence_case = db.get(Case, licence.case_id) if licence else None
            if (
                licence is None
                or licence.holder_id != case.applicant_id
                or licence_case is None
                or not _may_reuse(user, licence_case, case)
            ):
                raise ValidationFailed(f"材料“{spec.name}”选择的电子证照不属于该申请人", field="materials")
            if not licence_fits(spec, licence):
                raise ValidationFailed(
                    f"电子证照“{licence.name}”不能作为材料“{spec.name}”，请上传文件或选用相符的证照", field="materials"
                )
            row.source, row.licence_id, row.trust_level = "licence", licence.id, licence.trust_level
        else:
            row.source, row.trust_level = "paper", "B"
        case.materials.append(row)


def licence_fits(spec: ItemMaterial, licence: Licence) -> bool:
    """Whether the licence may stand for the material: the guide names that licence for it (材料目录的证照名称)."""
    return bool(spec.licence_name) and licence.name == spec.licence_name


def missing_required(case: Case) -> list[MaterialSpec]:
    """Required materials that the case does not have yet, by the guide version it was filed under (a guide
    changed since does not change what this case needs); a material is had by its entry, or by its name once the
    entry was taken out of the guide."""
    session = Session.object_session(case)
    listed = (
        item_versions.filed_materials(session, case.item, case.item_version)
        if session is not None
        else [MaterialSpec.model_validate(m).model_dump() for m in case.item.materials]
    )
    have_ids = {m.item_material_id for m in case.materials if m.item_material_id is not None}
    have_names = {m.name for m in case.materials}
    return [
        MaterialSpec.model_validate(m)
        for m in listed
        if m.get("required") and m.get("id") not in have_ids and m.get("name") not in have_names
    ]


def _check_required(case: Case) -> None:
    missing = missing_required(case)
    if missing:
        names = "、".join(f"“{m.name}”" for m in missing)
        raise ValidationFailed(f"缺少必需材料：{names}，请补充后再提交", code="missing_materials", field="materials")


def _may_reuse(user: User | None, earlier: Case, case: Case) -> bool:
    """Whether a material or licence of the earlier case may go into this one: the same applicant record (so the
    same account, or the centre's window), and an earlier case the user may see."""
    return earlier.applicant_id == case.applicant_id and (user is None or can_view(user, earlier))


def reusable_materials(db: Session, applicant_id: int, user: User) -> tuple[list[CaseMaterial], list[Licence]]:
    """An applicant record's earlier materials (历史材料, newest first) and e-licences (电子证照库), from the cases
    the user may see."""
    history = db.execute(
        select(CaseMaterial, Case)
        .join(Case, Case.id == CaseMaterial.case_id)
        .where(Case.applicant_id == applicant_id, CaseMaterial.source.in_(("upload", "licence")))
        .order_by(CaseMaterial.id.desc())
        .limit(100)
    ).all()
    licences = db.execute(
        select(Licence, Case)
        .join(Case, Case.id == Licence.case_id)
        .where(Licence.holder_id == applicant_id, Case.applicant_id == applicant_id)
        .order_by(Licence.id.desc())
    ).all()
    return (
        [material for material, case in history if can_view(user, case)],
        [licence for licence, case in licences if can_view(user, case)],
    )


# ---------------------------------------------------------------- creating cases


@dataclass(frozen=True)
class NewCase:
    """A case just created and the query password to show this once."""

    case: Case
    query_code: str


def _create(db: Session, user: User | None, data: SubmitIn, channel: SubmitChannel) -> NewCase:
    item = db.get(ServiceItem, data.service_item_id)
    if item is None or not item.is_published:
        raise NotFound("事项不存在或已下线", field="service_item_id")
    registration.check(db, user, data)  # e.g. the major project named is one this user may register for
    applicant = applicants.upsert(db, data.applicant, owner_user_id=applicants.owner_for(user))
    db.flush()
    at = now()
    code = new_query_code()
    case = Case(
        case_no=next_case_no(db, at),
        query_code_hash=keyed_hash(code),
        service_item_id=item.id,
        item_version=item.published_version or None,  # handled by the guide as published now, whatever comes later
        department_id=item.department_id,
        applicant_id=applicant.id,
        owner_user_id=user.id if user is not None and not user.is_staff else None,
        project_name=data.project_name.strip(),
        major_project_id=data.major_project_id,
        case_type=item.case_type,
        submit_channel=channel,
        status=CaseStatus.SUBMITTED,
        current_step=Step.ACCEPT,
        promised_limit=item.promised_limit,
        limit_unit=item.promised_unit,
        submitted_at=at,
        created_by_id=user.id if user else None,
        # the window it was brought to: the registering clerk's own, never a value of the request
        window=user.window if channel == SubmitChannel.WINDOW and user is not None and user.is_staff else None,
    )
    case.item, case.applicant = item, applicant
    db.add(case)
    db.flush()
    _attach_materials(db, case, item, data.materials, user)
    return NewCase(case, code)


def submit_online(
    db: Session, user: User | None, data: SubmitIn, *, channel: SubmitChannel = SubmitChannel.ONLINE
) -> NewCase:
    """A citizen's or enterprise's online application; every required material must come with it."""
    citizen = org_service.require(user, Permission.CASE_APPLY)
    item = db.get(ServiceItem, data.service_item_id)
    if item is not None and not item.is_online:
        raise ValidationFailed(f"事项“{item.name}”暂不支持网上申报，请到窗口办理", field="service_item_id")
    if any(m.paper for m in data.materials):
        raise ValidationFailed("网上申报请上传电子材料或选用历史材料、电子证照", field="materials")
    new = _create(db, citizen, data, channel)
    _check_required(new.case)
    _record_step(db, new.case, citizen, action="submit", result=None, step=Step.ACCEPT)
    db.flush()
    return new


def register_at_window(db: Session, user: User | None, data: SubmitIn) -> NewCase:
    """A window clerk registers an application brought in person (materials may be paper)."""
    clerk = org_service.require(user, Permission.CASE_REGISTER)
    item = db.get(ServiceItem, data.service_item_id)
    if item is None:
        raise NotFound("事项不存在", field="service_item_id")
    if not org_service.can_reach_department(clerk, {item.department_id}):
        raise PermissionDenied("只能登记本部门的事项")
    new = _create(db, clerk, data, SubmitChannel.WINDOW)
    _record_step(db, new.case, clerk, action="register", result=None, step=Step.ACCEPT)
    db.flush()
    return new


# ---------------------------------------------------------------- steps


def accept(db: Session, user: User | None, case: Case, *, opinion: str = "") -> None:
    """受理: the clock starts; every required material must be there."""
    handler = _require_handler(user, case)
    _expect(case, "accept", {CaseStatus.SUBMITTED})
    _check_required(case)
    at = now()
    case.accepted_at = at
    if case.window is None:  # an online application is counted at the window that accepted it (set once)
        case.window = handler.window
    _record_step(
        db,
        case,
        handler,
        action="accept",
        result=StepResult.ACCEPTED,
        opinion=opinion or "材料齐全，予以受理",
    )
    case.status = CaseStatus.PROCESSING
    case.current_step = Step.REVIEW
    if case.case_type == CaseType.JOINT and case.item.joint_route:
        _open_joint_stage(db, case, 0)
    refresh_time_state(case)
    case_events.accepted(db, case, opinion or "材料齐全，予以受理")


def refuse(db: Session, user: User | None, case: Case, *, reason: str) -> None:
    """不予受理 with a reason; the case ends with conclusion result 6."""
    handler = _require_handler(user, case)
    _expect(case, "refuse", {CaseStatus.SUBMITTED})
    text = _require_text(reason, "不予受理必须填写理由", "reason")
    _record_step(db, case, handler, action="refuse", result=StepResult.REFUSED, opinion=text)
    case.status = CaseStatus.REFUSED
    case.current_step = Step.CONCLUDE
    case.concluded_at = now()
    case.conclusion_result = ConclusionResult.REFUSED
    case.conclusion_reason = text
    case_events.concluded(db, case)


def _open_joint_stage(db: Session, case: Case, stage: int) -> None:
    for code in case.item.joint_route[stage]:
        department = org_service.get_department_by_code(db=db, code=code)
        if department is None:
            raise ValidationFailed(f"联办部门编码 {code} 不存在，请管理员检查事项配置")
        task = JointTask(stage=stage, department_id=department.id)
        task.department = department
        case.joint_tasks.append(task)
    case.joint_stage = stage


def review(db: Session, user: User | None, case: Case, *, agree: bool, opinion: str, public: bool = True) -> None:
    """审查. For a 联办件, each co-reviewing department of the current stage records its part — always the
    handler's own department's, whatever their data scope; the case moves on when the stage is complete (to the
    next stage, or to 决定)."""
    handler = _require_handler(user, case, case_departments(case))
    _expect(case, "review", {CaseStatus.PROCESSING}, {Step.REVIEW})
    pending = _open_joint_tasks(case)
    if pending:
        task = next((t for t in pending if t.department_id == handler.department_id), None)
        if task is None:
            raise PermissionDenied("当前会办阶段没有需要您所在部门办理的任务")
        text = _require_text(opinion, "会办审查必须填写意见", "opinion")
        task.result_code = StepResult.AGREE if agree else StepResult.DISAGREE
        task.opinion, task.handler_id, task.decided_at = text, handler.id, now()
        _record_step(
            db,
            case,
            handler,
            action="joint_review",
            result=task.result_code,
            opinion=text,
            public=public,
            department_id=task.department_id,
        )
        if len(pending) == 1:
            stage_agreed = all(
                t.result_code == StepResult.AGREE for t in case.joint_tasks if t.stage == case.joint_stage
            )
            if stage_agreed and case.joint_stage + 1 < len(case.item.joint_route):
                _open_joint_stage(db, case, case.joint_stage + 1)
            else:
                case.current_step = Step.DECIDE
                case_events.decision_needed(db, case, text)
        return
    _require_handler(user, case)
    text = opinion.strip() or ("审查通过" if agree else "")
    if not text:
        raise ValidationFailed("审查不同意时必须填写意见", field="opinion")
    _record_step(
        db,
        case,
        handler,
        action="review",
        result=StepResult.AGREE if agree else StepResult.DISAGREE,
        opinion=text,
        public=public,
    )
    case.current_step = Step.DECIDE
    case_events.decision_needed(db, case, text)


def decide(db: Session, user: User | None, case: Case, *, agree: bool, opinion: str, public: bool = True) -> None:
    """决定: 同意 or 不同意 with an opinion; the case moves to 办结."""
    handler = _require_decider(user, case)
    _expect(case, "decide", {CaseStatus.PROCESSING}, {Step.DECIDE})
    text = _require_text(opinion, "决定必须填写意见", "opinion")
    _record_step(
        db,
        case,
        handler,
        action="decide",
        result=StepResult.AGREE if agree else StepResult.DISAGREE,
        opinion=text,
        public=public,
    )
    case.decision = 1 if agree else 0
    case.current_step = Step.CONCLUDE


def conclude(
    db: Session,
    user: User | None,
    case: Case,
    *,
    result: int,
    reason: str = "",
    licence_valid_until: datetime | None = None,
) -> Licence | None:
    """办结 with a conclusion result; 出证办结 of a licensed item stores the licence for its holder."""
    handler = _require_concluder(user, case)
    immediate = case.case_type == CaseType.IMMEDIATE
    steps = {Step.CONCLUDE, Step.REVIEW} if immediate else {Step.CONCLUDE}
    _expect(case, "conclude", {CaseStatus.PROCESSING}, steps)
    if result not in CONCLUSION_RESULT_LABELS or result == ConclusionResult.REFUSED:
        raise ValidationFailed("办结结果代码应为 0–5（不予受理请使用“不予受理”操作）", field="result")
    text = reason.strip()
    if result in RESULTS_NEEDING_REASON and not text:
        raise ValidationFailed(f"办结结果“{CONCLUSION_RESULT_LABELS[result]}”必须填写理由", field="reason")
    if not immediate or case.current_step == Step.CONCLUDE:
        if result == ConclusionResult.CERTIFIED and case.decision != 1:
            raise Conflict("决定意见为“不同意”，不能出证办结", code="out_of_order")
        if result == ConclusionResult.NOT_PERMITTED and case.decision != 0:
            raise Conflict("决定意见为“同意”，不能以“不予许可”办结", code="out_of_order")
    at = now()
    _record_step(
        db,
        case,
        handler,
        action="conclude",
        result=None,
        opinion=text or CONCLUSION_RESULT_LABELS[result],
        step=Step.CONCLUDE,
    )
    case.status = CaseStatus.CONCLUDED
    case.current_step = Step.CONCLUDE
    case.concluded_at = at
    case.conclusion_result = result
    case.conclusion_reason = text
    refresh_time_state(case, at)
    licence = None
    if result == ConclusionResult.CERTIFIED and case.item.issues_licence:
        licence = Licence(
            licence_no=f"{case.case_no}-Z",
            name=case.item.result_name,
            holder_id=case.applicant_id,
            holder_name=case.applicant.name,
            department_id=case.department_id,
            case_id=case.id,
            issued_at=at,
            valid_until=licence_valid_until,
            trust_level="A",
            details={"service_item": case.item.name, "project_name": case.project_name},
        )
        db.add(licence)
        db.flush()  # the licence gets its id, which the event names
    # 审管衔接: supervision hears of the licence through this event (core/supervision/listeners.py)
    case_events.concluded(db, case, licence)
    return licence


def request_supplement(db: Session, user: User | None, case: Case, *, reason: str, materials: list[str]) -> Supplement:
    """补齐补正告知: the clock pauses until the applicant resupplies."""
    handler = _require_handler(user, case)
    _expect(case, "request_supplement", {CaseStatus.SUBMITTED, CaseStatus.PROCESSING})
    text = _require_text(reason, "补正告知必须写明原因", "reason")
    names = [m.strip() for m in materials if m.strip()]
    if not names:
        raise ValidationFailed("补正告知必须列出需要补正的材料", field="materials")
    supplement = Supplement(
        reason=text,
        materials=names,
        notified_at=now(),
        notified_by_id=handler.id,
        resume_status=case.status,
    )
    case.supplements.append(supplement)
    _record_step(
        db,
        case,
        handler,
        action="request_supplement",
        result=StepResult.SUPPLEMENT,
        opinion=f"{text}（需补正：{'、'.join(names)}）",
    )
    case.status = CaseStatus.SUPPLEMENTING
    refresh_time_state(case)
    case_events.supplement_requested(db, case, text, names)
    return supplement


def resupply(db: Session, user: User | None, case: Case, *, note: str, materials: list[MaterialIn]) -> None:
    """The applicant resupplies (online, or recorded by the window); the clock runs again."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if Permission.CASE_HANDLE in user.permissions:
        _require_handler(user, case)
        actor: User | None = user
    elif Permission.CASE_APPLY in user.permissions and case.owner_user_id == user.id:
        actor = None
    else:
        raise PermissionDenied("只有申请人本人或受理部门可以提交补正材料")
    _expect(case, "resupply", {CaseStatus.SUPPLEMENTING})
    supplement = next(s for s in reversed(case.supplements) if s.resupplied_at is None)
    if not materials and not note.strip():
        raise ValidationFailed("请上传补正材料或填写补正说明", field="materials")
    _attach_materials(db, case, case.item, materials, user, supplement)
    supplement.resupplied_at = now()
    supplement.resupply_note = note.strip()
    case.status = supplement.resume_status
    _record_step(db, case, actor, action="resupply", result=None, opinion=note.strip() or "已补正材料")
    refresh_time_state(case)


def start_special(db: Session, user: User | None, case: Case, *, kind: str, reason: str) -> Suspension:
    """特别程序开始: the clock pauses."""
    handler = _require_handler(user, case)
    _expect(case, "start_special", {CaseStatus.PROCESSING})
    if kind not in SPECIAL_PROCEDURE_KINDS:
        raise ValidationFailed(f"特别程序种类应为：{'、'.join(SPECIAL_PROCEDURE_KINDS)}", field="kind")
    text = _require_text(reason, "特别程序必须写明原因", "reason")
    suspension = Suspension(kind=kind, reason=text, started_at=now(), started_by_id=handler.id)
    case.suspensions.append(suspension)
    _record_step(db, case, handler, action="start_special", result=StepResult.SUSPENDED, opinion=f"{kind}：{text}")
    case.status = CaseStatus.SUSPENDED
    refresh_time_state(case)
    return suspension


def end_special(db: Session, user: User | None, case: Case, *, result: str) -> None:
    """特别程序结束 with its result: the clock runs again."""
    handler = _require_handler(user, case)
    _expect(case, "end_special", {CaseStatus.SUSPENDED})
    text = _require_text(result, "特别程序结束必须填写结果", "result")
    suspension = next(s for s in reversed(case.suspensions) if s.ended_at is None)
    suspension.ended_at = now()
    suspension.result = text
    case.status = CaseStatus.PROCESSING
    _record_step(db, case, handler, action="end_special", result=None, opinion=f"{suspension.kind}结束：{text}")
    refresh_time_state(case)


def return_case(db: Session, user: User | None, case: Case, *, opinion: str) -> None:
    """退回: back to the previous step (决定 → 审查, 办结 → 决定) with a reason."""
    handler = _require_decider(user, case)
    _expect(case, "return", {CaseStatus.PROCESSING}, {Step.DECIDE, Step.CONCLUDE})
    text = _require_text(opinion, "退回必须填写原因", "opinion")
    _record_step(db, case, handler, action="return", result=StepResult.RETURNED, opinion=text)
    case.current_step = Step.REVIEW if case.current_step == Step.DECIDE else Step.DECIDE
    case.decision = None
    if case.current_step == Step.DECIDE:
        case_events.decision_needed(db, case, text)
    if case.current_step == Step.REVIEW and case.case_type == CaseType.JOINT and case.item.joint_route:
        _open_joint_stage(db, case, 0)


DECIDER_ACTIONS = frozenset({"decide", "conclude", "return"})
"""Actions that need ``case.decide``; every other handling action needs ``case.handle`` (and so does 当场办结 of a
即办件, which ``case.decide`` may also do)."""


def actions_for(user: User, case: Case) -> list[str]:
    """The actions this member of staff may take on the case now (state and permission together)."""
    held = user.permissions
    handle, decide = Permission.CASE_HANDLE in held, Permission.CASE_DECIDE in held
    on_the_spot = concluded_on_the_spot(case)
    return [
        a
        for a in allowed_actions(case)
        if ((decide or (handle and a == "conclude" and on_the_spot)) if a in DECIDER_ACTIONS else handle)
        and (a != "review" or _reviews_now(user, case))
    ]


def _reviews_now(user: User, case: Case) -> bool:
    """Whether ``user``'s department has a part in the review now: for a 联办件 in a 会办 stage only the stage's
    departments whose part is still open (``review`` refuses the others), otherwise anyone who may handle it."""
    pending = _open_joint_tasks(case)
    return not pending or any(t.department_id == user.department_id for t in pending)


def _open_joint_tasks(case: Case) -> list[JointTask]:
    """The current 会办 stage's tasks whose department has not answered yet (none but for a 联办件)."""
    if case.case_type != CaseType.JOINT:
        return []
    return [t for t in case.joint_tasks if t.stage == case.joint_stage and t.result_code is None]


def allowed_actions(case: Case) -> list[str]:
    """Actions the case's state allows now (permissions aside), for the admin pages and the API."""
    status, step = case.status, case.current_step
    if status == CaseStatus.SUBMITTED:
        return ["accept", "refuse", "request_supplement"]
    if status == CaseStatus.SUPPLEMENTING:
        return ["resupply"]
    if status == CaseStatus.SUSPENDED:
        return ["end_special"]
    if status != CaseStatus.PROCESSING:
        return []
    common = ["request_supplement", "start_special"]
    if step == Step.REVIEW:
        extra = ["conclude"] if case.case_type == CaseType.IMMEDIATE else []
        return ["review", *extra, *common]
    if step == Step.DECIDE:
        return ["decide", "return", *common]
    return ["conclude", "return", *common]
