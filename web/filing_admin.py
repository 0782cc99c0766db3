"""Admin site, construction filing: the derivation rule editor (draft, dry-run, publish, roll back), the projects
and their flows, and each department's review of its items.

Every page calls the same core services as the JSON API (``core.rules.views``, ``core.projects.views``).
"""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.audit.context import acting
from core.deps import DB
from core.errors import AppError, Conflict, NotFound, PermissionDenied, ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.projects import indicators as ind
from core.projects import letters, rules_impact
from core.projects import service as project_service
from core.projects.final_flow import apply_reviews
from core.projects.models import DepartmentReview, Derivation, GuidanceLetter, Project
from core.projects.schemas import AdjustmentIn, ConfirmIn
from core.rules import service as rules_service
from core.rules.document import STAGES, RuleDef, RuleSetDocument
from core.rules.engine import DerivedFlow
from core.rules.models import RuleSetVersion
from core.rules.views import version_out
from core.security import mask_phone
from web.common import (
    Form,
    WebUser,
    checked,
    fail,
    flash,
    redirect,
    render,
    require_staff,
    text,
    texts,
    to_int,
    validation_message,
)

router = APIRouter(prefix="/admin/filing", include_in_schema=False)

RULE_LABELS = {
    "code": "规则编码",
    "name": "规则名称",
    "priority": "优先级",
    "condition": "条件",
    "add_approvals": "增加的审批事项",
    "remove_approvals": "排除的审批事项",
    "add_materials": "增加的材料",
    "remove_materials": "去除的材料",
    "add_intermediaries": "增加的中介服务",
    "remove_intermediaries": "排除的中介服务",
    "reason": "理由",
    "otherwise": "条件不成立时的理由",
    "legal_basis": "法律依据",
    "enabled": "启用",
}
CODE_RULE = "只能使用小写英文字母、数字和下划线，以字母开头，共 2 至 50 个字符"
CHOICE_FIELDS = ("add_approvals", "remove_approvals", "add_intermediaries", "remove_intermediaries")
MATERIAL_FIELDS = ("add_materials", "remove_materials")
TEXT_FIELDS = ("code", "name", "priority", "condition", "reason", "otherwise", "legal_basis")
KIND_LABELS = {"choice": "选项（文字）", "yes_no": "是否（true / false）", "number": "数字"}
_MATERIAL_LINE = re.compile(r"^([^:：]+?)\s*[:：]\s*(.+)$")

ADJUSTMENT_LABELS = {
    "action": "操作",
    "approval_code": "事项",
    "name": "事项名称",
    "stage": "阶段",
    "time_limit_days": "承诺时限",
    "materials": "材料",
    "opinion": "审核意见",
}
ACTION_LABELS = {"add": "新增", "correct": "更正", "remove": "删除"}
TRIGGER_LABELS = {"filer": "填报单位推演", "guide": "报建专员推演", "rules_published": "规则发布后重新推演"}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _invalid(error: ValidationError, labels: dict[str, str]) -> ValidationFailed:
    """The first problem of a pydantic error in Chinese, naming the form field it belongs to."""
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ())]
    field = location[0] if location else None
    label = labels.get(field or "", field or "输入")
    if field == "code" and first.get("type") == "string_pattern_mismatch":
        return ValidationFailed(f"{label}{CODE_RULE}", field=field)
    if len(location) > 1 and location[1].isdigit():  # a line of a list field
        label = f"{label}第 {int(location[1]) + 1} 项"
    return ValidationFailed(validation_message(error, {location[-1]: label} if location else {}), field=field)


def _number(value: str, field: str, label: str) -> int | None:
    try:
        return to_int(value, label)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=field) from error


# ================================================================ rule editor


def _manager(user: User | None) -> User:
    return org_service.require(require_staff(user), Permission.RULES_MANAGE)


def _versions_context(db: Session) -> dict[str, Any]:
    return {
        "versions": [version_out(v) for v in rules_service.list_versions(db)],
        "draft": rules_service.draft(db),
    }


def _names(document: RuleSetDocument) -> dict[str, str]:
    return {a.code: a.name for a in document.approvals} | {i.code: i.name for i in document.intermediaries}


def rule_summary(rule: RuleDef, document: RuleSetDocument) -> list[str]:
    """What a rule adds and rules out, one line per kind, with the items' names."""
    names = _names(document)

    def named(codes: list[str]) -> str:
        return "、".join(names.get(code, code) for code in codes)

    lines = []
    for label, codes in (
        ("增加审批", rule.add_approvals),
        ("排除审批", rule.remove_approvals),
        ("增加中介", rule.add_intermediaries),
        ("排除中介", rule.remove_intermediaries),
    ):
        if codes:
            lines.append(f"{label}：{named(codes)}")
    for label, materials in (("增加材料", rule.add_materials), ("去除材料", rule.remove_materials)):
        if materials:
            lines.append(f"{label}：" + "、".join(f"{names.get(m.approval, m.approval)}/{m.name}" for m in materials))
    return lines


def _rule_rows(document: RuleSetDocument) -> list[tuple[RuleDef, list[str]]]:
    ordered = sorted(document.rules, key=lambda r: (r.priority, r.code))
    return [(rule, rule_summary(rule, document)) for rule in ordered]


def _draft_context(db: Session, version: RuleSetVersion, **extra: Any) -> dict[str, Any]:
    document = rules_service.document_of(version)
    context: dict[str, Any] = {
        "draft": version_out(version),
        "rules": _rule_rows(document),
        "problems": rules_service.problems(document),
        "dry_run": None,
        "held": [],
        "note": "",
        "project_status_labels": project_service.STATUS_LABELS,
    }
    return context | extra


def question_rows() -> list[dict[str, str]]:
    """The indicators a condition may name: key, label, type and the values it can take."""
    rows = []
    for question in ind.QUESTIONS:
        options = ind.LAND_SUPPLIES if question.key == "land_supply" else question.options
        if question.kind == "choice":
            values = "、".join(f'"{k}"（{v}）' for k, v in options.items())
        elif question.kind == "yes_no":
            values = "true（是）、false（否）"
        else:
            values = f"数字，单位：{question.unit}" if question.unit else "数字"
        implied = "；可由其他回答推定" if question.key in ind.IMPLIED else ""
        rows.append(
            {
                "key": question.key,
                "label": question.label,
                "kind": KIND_LABELS[question.kind],
                "accepts": values,
                "note": (question.help + implied).lstrip("；"),
            }
        )
    return rows


def rule_values(rule: RuleDef | None) -> dict[str, Any]:
    """A rule as the form shows it (an empty form with defaults for None)."""
    if rule is None:
        values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "") | {"priority": "100", "enabled": True}
        return values | {key: [] for key in CHOICE_FIELDS} | dict.fromkeys(MATERIAL_FIELDS, "")
    values = {key: str(getattr(rule, key)) for key in TEXT_FIELDS}
    values["enabled"] = rule.enabled
    for key in CHOICE_FIELDS:
        values[key] = list(getattr(rule, key))
    for key in MATERIAL_FIELDS:
        values[key] = "\n".join(f"{m.approval}：{m.name}" for m in getattr(rule, key))
    return values


def rule_form_values(form: FormData) -> dict[str, Any]:
    """What was typed, kept as typed, to show the form again."""
    values: dict[str, Any] = {}
    for key in (*TEXT_FIELDS, *MATERIAL_FIELDS):
        raw = form.get(key)
        values[key] = raw.replace("\r\n", "\n").strip() if isinstance(raw, str) else ""
    for key in CHOICE_FIELDS:
        values[key] = texts(form, key)
    values["enabled"] = checked(form, "enabled")
    return values


def parse_materials(value: str, field: str, document: RuleSetDocument) -> list[dict[str, str]]:
    """One material per line, "审批编码：材料名称" (the approval's name is understood too)."""
    by_name = {a.name: a.code for a in document.approvals}
    materials = []
    for number, line in enumerate(_lines(value), start=1):
        found = _MATERIAL_LINE.match(line)
        if not found:
            message = f"{RULE_LABELS[field]}第 {number} 行“{line}”应写作“审批编码：材料名称”"
            raise ValidationFailed(message, field=field)
        approval = found.group(1).strip()
        materials.append({"approval": by_name.get(approval, approval), "name": found.group(2).strip()})
    return materials


def rule_from_values(values: dict[str, Any], document: RuleSetDocument) -> RuleDef:
    """The rule the form describes; a Chinese error naming the field when something is wrong."""
    data: dict[str, Any] = {key: values[key] for key in TEXT_FIELDS if key != "priority"}
    data["priority"] = _number(values["priority"], "priority", RULE_LABELS["priority"])
    if data["priority"] is None:
        data["priority"] = 100
    data["enabled"] = bool(values["enabled"])
    for key in CHOICE_FIELDS:
        data[key] = list(values[key])
    for key in MATERIAL_FIELDS:
        data[key] = parse_materials(values[key], key, document)
    try:
        return RuleDef.model_validate(data)
    except ValidationError as error:
        raise _invalid(error, RULE_LABELS) from error


def _rule_form_context(document: RuleSetDocument, values: dict[str, Any], editing: str | None) -> dict[str, Any]:
    return {
        "values": values,
        "editing": editing,
        "approvals": document.approvals,
        "intermediaries": document.intermediaries,
        "stages": STAGES,
        "questions": question_rows(),
        "labels": RULE_LABELS,
        "error_field": None,
    }


def _no_draft(request: Request) -> Response:
    flash(request, "没有正在编辑的规则草稿，请先新建草稿", "error")
    return redirect("/admin/filing/rules")


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """Every rule-set version, newest first, with the draft and rollback actions."""
    _manager(user)
    return render(request, "admin/filing/rules.html", _versions_context(db))


@router.post("/rules/draft", response_class=HTMLResponse)
def start_draft(request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """新建草稿: a copy of the version in force (or the draft already being edited)."""
    manager = _manager(user)
    try:
        with acting(action="rules.start_draft"):
            version = rules_service.start_draft(db, manager)
    except AppError as error:
        return fail(db, request, error, "admin/filing/rules.html", _versions_context(db))
    flash(request, f"草稿第 {version.version} 版（依据第 {version.based_on} 版）可以编辑了")
    return redirect("/admin/filing/rules/draft")


@router.get("/rules/draft", response_class=HTMLResponse)
def draft_page(request: Request, db: DB, user: WebUser) -> Response:
    """The draft's rules with what each adds and removes, its problems, dry-run and publish."""
    _manager(user)
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    return render(request, "admin/filing/draft.html", _draft_context(db, version))


@router.post("/rules/draft/dry-run", response_class=HTMLResponse)
def dry_run(request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """试算: the existing projects whose flows the draft would change, and how; nothing is saved."""
    _manager(user)
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    try:
        document = rules_service.document_of(version)
        changes = rules_impact.dry_run(db, document)
        held = rules_impact.held_back(db, document)
    except AppError as error:
        return fail(db, request, error, "admin/filing/draft.html", _draft_context(db, version))
    return render(request, "admin/filing/draft.html", _draft_context(db, version, dry_run=changes, held=held))


@router.post("/rules/draft/publish", response_class=HTMLResponse)
def publish(request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """发布: puts the draft in force and re-derives the projects not yet with the departments."""
    manager = _manager(user)
    note = text(form, "note")
    if rules_service.draft(db) is None:
        return _no_draft(request)
    try:
        if len(note) > 500:
            raise ValidationFailed("发布说明过长（不超过 500 字）", field="note")
        with acting(action="rules.publish"):
            version, changes = rules_impact.publish(db, manager, note=note)
    except AppError as error:
        db.rollback()
        current = rules_service.draft(db)
        if current is None:
            return _no_draft(request)
        context = _draft_context(db, current, note=note, error=error.message)
        return render(request, "admin/filing/draft.html", context, status=error.status_code)
    context = {"title": f"已发布第 {version.version} 版", "version": version_out(version), "changes": changes}
    context["project_status_labels"] = project_service.STATUS_LABELS
    return render(request, "admin/filing/changes.html", context)


@router.post("/rules/draft/discard", response_class=HTMLResponse)
def discard(request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """放弃草稿."""
    manager = _manager(user)
    try:
        with acting(action="rules.discard_draft"):
            rules_service.discard_draft(db, manager)
    except AppError as error:
        return fail(db, request, error, "admin/filing/rules.html", _versions_context(db))
    flash(request, "草稿已放弃")
    return redirect("/admin/filing/rules")


@router.get("/rules/draft/rules/new", response_class=HTMLResponse)
def new_rule_page(request: Request, db: DB, user: WebUser) -> Response:
    """An empty rule form beside the indicator reference."""
    _manager(user)
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    context = _rule_form_context(rules_service.document_of(version), rule_values(None), None)
    return render(request, "admin/filing/rule_form.html", context)


@router.get("/rules/draft/rules/{code}", response_class=HTMLResponse)
def edit_rule_page(code: str, request: Request, db: DB, user: WebUser) -> Response:
    """A draft rule's form, filled in."""
    _manager(user)
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    document = rules_service.document_of(version)
    rule = document.rule(code)
    if rule is None:
        raise NotFound(f"草稿中没有规则 {code}")
    return render(request, "admin/filing/rule_form.html", _rule_form_context(document, rule_values(rule), code))


def _save_rule(request: Request, db: Session, form: FormData, user: User | None, replacing: str | None) -> Response:
    manager = _manager(user)
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    document = rules_service.document_of(version)
    if replacing is not None and document.rule(replacing) is None:
        raise NotFound(f"草稿中没有规则 {replacing}")
    values = rule_form_values(form)
    try:
        rule = rule_from_values(values, document)
        with acting(action="rules.save_rule"):
            rules_service.save_rule(db, manager, rule, replacing=replacing)
    except AppError as error:
        db.rollback()
        at_field = error.field in RULE_LABELS
        context = _rule_form_context(document, values, replacing) | {
            "error": "未保存，请修改标出的内容" if at_field else error.message,
            "field_error": error.message,
            "error_field": error.field if at_field else None,
        }
        return render(request, "admin/filing/rule_form.html", context, status=error.status_code)
    flash(request, f"规则“{rule.name}”（{rule.code}）已保存到草稿")
    return redirect("/admin/filing/rules/draft")


@router.post("/rules/draft/rules/new", response_class=HTMLResponse)
def create_rule(request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """Adds a rule to the draft; its condition must parse and name known indicators."""
    return _save_rule(request, db, form, user, None)


@router.post("/rules/draft/rules/{code}", response_class=HTMLResponse)
def update_rule(code: str, request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """Replaces a draft rule (its code may change)."""
    return _save_rule(request, db, form, user, code)


@router.post("/rules/draft/rules/{code}/delete", response_class=HTMLResponse)
def delete_rule(code: str, request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """Removes a rule from the draft."""
    manager = _manager(user)
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    try:
        with acting(action="rules.delete_rule"):
            rules_service.delete_rule(db, manager, code)
    except AppError as error:
        return fail(db, request, error, "admin/filing/draft.html", _draft_context(db, version))
    flash(request, f"规则 {code} 已从草稿中删除")
    return redirect("/admin/filing/rules/draft")


@router.post("/rules/versions/{number}/rollback", response_class=HTMLResponse)
def rollback(number: int, request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """回滚: puts an earlier version's rules back in force as a new version and re-derives projects."""
    manager = _manager(user)
    try:
        with acting(action="rules.rollback"):
            version, changes = rules_impact.rollback(db, manager, number)
    except AppError as error:
        return fail(db, request, error, "admin/filing/rules.html", _versions_context(db))
    context = {
        "title": f"已回滚到第 {number} 版的规则（现行第 {version.version} 版）",
        "version": version_out(version),
        "changes": changes,
        "project_status_labels": project_service.STATUS_LABELS,
    }
    return render(request, "admin/filing/changes.html", context)


def _rederived_under(db: Session, number: int) -> list[Project]:
    """Projects re-derived when this version was put in force."""
    derived = select(Derivation.project_id).where(
        Derivation.rule_set_version == number, Derivation.trigger == "rules_published"
    )
    return list(db.scalars(select(Project).where(Project.id.in_(derived)).order_by(Project.id)))


@router.get("/rules/versions/{number}", response_class=HTMLResponse)
def version_page(number: int, request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """One version, read-only: its rules, approvals and intermediary services."""
    _manager(user)
    version = rules_service.get_version(db, number)
    document = rules_service.document_of(version)
    context = {
        "version": version_out(version),
        "rules": _rule_rows(document),
        "approvals": document.approvals,
        "intermediaries": document.intermediaries,
        "names": _names(document),
        "stages": STAGES,
        "departments": project_service.department_names(db),
        "rederived": _rederived_under(db, number),
        "status_labels": project_service.STATUS_LABELS,
    }
    return render(request, "admin/filing/version.html", context)


# ================================================================ projects


def _project_reader(user: User | None) -> User:
    staff = require_staff(user)
    if not ({Permission.PROJECT_READ, Permission.PROJECT_GUIDE} & staff.permissions):
        raise PermissionDenied("您没有查看报建项目的权限，如需开通请联系管理员")
    return staff


@router.get("/projects", response_class=HTMLResponse)
def projects_page(
    request: Request, db: DB, user: WebUser, status: str | None = None, q: str | None = None
) -> HTMLResponse:
    """Projects the user may see (guides and leaders all, officers their department's), with filters."""
    staff = _project_reader(user)
    chosen = status if status in project_service.STATUS_LABELS else None
    query = (q or "").strip()[:100]
    context = {
        "projects": project_service.list_projects(db, staff, status=chosen, q=query or None),
        "filters": {"status": chosen or "", "q": query},
        "status_labels": project_service.STATUS_LABELS,
    }
    return render(request, "admin/filing/projects.html", context)


def _final_flow(db: Session, project: Project) -> tuple[Derivation | None, DerivedFlow | None]:
    try:
        return letters.final_flow(db, project)
    except Conflict:
        return None, None


def _item_names(derivation: Derivation | None) -> dict[str, str]:
    """The derived items' names by code, to name what a department corrected or removed."""
    if derivation is None:
        return {}
    return {item.code: item.name for item in DerivedFlow.model_validate(derivation.flow).items()}


def _project_context(db: Session, staff: User, project: Project) -> dict[str, Any]:
    values = project.indicators or {}
    derivation, flow = _final_flow(db, project)
    guide = Permission.PROJECT_GUIDE in staff.permissions
    return {
        "project": project,
        "phone": mask_phone(project.contact_phone) if project.contact_phone else "",
        "answers": [(q.label, ind.display(q.key, values.get(q.key))) for q in ind.applicable(values)],
        "unanswered": [q.label for q in ind.unanswered(values)],
        "status_label": project_service.STATUS_LABELS[project.status],
        "stale": project_service.derivation_stale(db, project),
        "derivation": derivation,
        "trigger_label": TRIGGER_LABELS.get(derivation.trigger, derivation.trigger) if derivation else "",
        "flow": flow,
        "reviews": derivation.reviews if derivation else [],
        "item_names": _item_names(derivation),
        "review_labels": project_service.REVIEW_STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "letters": letters.letters_of(db, project),
        "can_derive": guide,
        "can_send": guide and project.status == project_service.DERIVED,
    }


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(project_id: int, request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """A project: its facts (phone masked), answers, the flow by stage, reviews and letters."""
    staff = _project_reader(user)
    project = project_service.get_project(db, staff, project_id)
    return render(request, "admin/filing/project.html", _project_context(db, staff, project))


def _project_action(
    request: Request, db: Session, user: User | None, project_id: int, action: str, form: FormData
) -> Response:
    staff = _project_reader(user)
    project = project_service.get_project(db, staff, project_id)
    try:
        with acting(action=f"project.{action}"):
            if action == "derive":
                project_service.derive_project(db, staff, project)
                letter = letters.issue_letter(db, staff, project)
                message = f"流程推演完成，已生成指导意见书（初稿）第 {letter.version} 版"
            else:
                reviews = project_service.send_for_review(db, staff, project)
                departments = "、".join(r.department.name for r in reviews)
                message = f"已提交 {len(reviews)} 个部门审核：{departments}"
    except AppError as error:
        db.rollback()
        project = project_service.get_project(db, staff, project_id)
        context = _project_context(db, staff, project) | {"error": error.message}
        return render(request, "admin/filing/project.html", context, status=error.status_code)
    flash(request, message)
    return redirect(f"/admin/filing/projects/{project_id}")


@router.post("/projects/{project_id}/derive", response_class=HTMLResponse)
def derive(project_id: int, request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """流程推演 by a guide: derives with the rules in force and issues the draft letter."""
    return _project_action(request, db, user, project_id, "derive", form)


@router.post("/projects/{project_id}/review", response_class=HTMLResponse)
def send_for_review(project_id: int, request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """提交部门审核: every department with items in the flow gets a review."""
    return _project_action(request, db, user, project_id, "send_for_review", form)


# ================================================================ department review


def _reviewer(user: User | None) -> User:
    return org_service.require(require_staff(user), Permission.PROJECT_REVIEW)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """The department's reviews: waiting ones first, then those already confirmed."""
    officer = _reviewer(user)
    rows = []
    for status in (project_service.PENDING, project_service.CONFIRMED):
        for review in project_service.list_reviews(db, officer, status=status):
            rows.append((review, project_service.review_project(db, review)))
    return render(request, "admin/filing/reviews.html", {"rows": rows, "labels": project_service.REVIEW_STATUS_LABELS})


def _final_letter(db: Session, project: Project) -> GuidanceLetter | None:
    issued = letters.letters_of(db, project)
    return issued[0] if issued and issued[0].is_final else None


def _review_context(db: Session, review: DepartmentReview, **extra: Any) -> dict[str, Any]:
    project = project_service.review_project(db, review)
    derivation = db.get_one(Derivation, review.derivation_id)
    derived = DerivedFlow.model_validate(derivation.flow)
    final = apply_reviews(derived, derivation.reviews)
    department = review.department.code
    items = [i for i in final.items() if i.department_code == department]
    latest = project_service.latest_derivation(db, project)
    current = latest is not None and latest.id == derivation.id and project.status == project_service.IN_REVIEW
    context: dict[str, Any] = {
        "review": review,
        "project": project,
        "status_label": project_service.STATUS_LABELS[project.status],
        "review_label": project_service.REVIEW_STATUS_LABELS[review.status],
        "items": items,
        # what may still be corrected or removed: the department's derived items not removed yet, as now named
        "own_items": [i for i in items if derived.item(i.code) is not None],
        "item_names": {i.code: i.name for i in derived.items()},
        "others": [r for r in derivation.reviews if r.id != review.id],
        "review_labels": project_service.REVIEW_STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "stages": STAGES,
        "open": review.status == project_service.PENDING and current,
        "stale": review.status == project_service.PENDING and not current,
        "letter": _final_letter(db, project),
        "values": {},
        "failed_action": None,
    }
    return context | extra


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_page(review_id: int, request: Request, db: DB, user: WebUser) -> HTMLResponse:
    """A review of the user's department: the project, the department's items, and the forms to act."""
    officer = _reviewer(user)
    review = project_service.get_review(db, officer, review_id)
    return render(request, "admin/filing/review.html", _review_context(db, review))


def adjustment_from(values: dict[str, str]) -> AdjustmentIn:
    """The adjustment the review form describes; a Chinese error naming the field when something is wrong."""
    limit = _number(values["time_limit_days"], "time_limit_days", ADJUSTMENT_LABELS["time_limit_days"])
    try:
        return AdjustmentIn(
            action=values["action"],
            approval_code=values["approval_code"],
            name=values["name"],
            stage=values["stage"],
            time_limit_days=limit,
            materials=_lines(values["materials"]),
            opinion=values["opinion"],
        )
    except ValidationError as error:
        raise _invalid(error, ADJUSTMENT_LABELS) from error


@router.post("/reviews/{review_id}/adjust", response_class=HTMLResponse)
def adjust(review_id: int, request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """更正、删除 or 新增 an item, always with the department's opinion."""
    officer = _reviewer(user)
    review = project_service.get_review(db, officer, review_id)
    values = {key: text(form, key) for key in ADJUSTMENT_LABELS}
    action = values["action"] if values["action"] in ACTION_LABELS else ""
    try:
        if not action:
            raise ValidationFailed("请选择更正、删除或新增", field="action")
        data = adjustment_from(values)
        with acting(action=f"project.review.{action}"):
            project_service.add_adjustment(db, officer, review, data)
    except AppError as error:
        db.rollback()
        review = project_service.get_review(db, officer, review_id)
        extra = {"error": error.message, "values": values, "failed_action": action}
        return render(request, "admin/filing/review.html", _review_context(db, review, **extra), error.status_code)
    flash(request, f"已{ACTION_LABELS[action]}事项，确认前仍可继续调整")
    return redirect(f"/admin/filing/reviews/{review_id}")


@router.post("/reviews/{review_id}/confirm", response_class=HTMLResponse)
def confirm(review_id: int, request: Request, db: DB, form: Form, user: WebUser) -> Response:
    """确认 the department's items; when the last department confirms, the final letter is issued."""
    officer = _reviewer(user)
    review = project_service.get_review(db, officer, review_id)
    opinion = text(form, "opinion")
    try:
        try:
            data = ConfirmIn(opinion=opinion)
        except ValidationError as error:
            raise _invalid(error, ADJUSTMENT_LABELS | {"opinion": "确认意见"}) from error
        with acting(action="project.review.confirm"):
            project_service.confirm_review(db, officer, review, data.opinion)
            project = project_service.review_project(db, review)
            letter = letters.issue_letter(db, officer, project) if project.status == project_service.CONFIRMED else None
    except AppError as error:
        db.rollback()
        review = project_service.get_review(db, officer, review_id)
        extra = {"error": error.message, "values": {"opinion": opinion}, "failed_action": "confirm"}
        return render(request, "admin/filing/review.html", _review_context(db, review, **extra), error.status_code)
    if letter is not None:
        flash(request, f"已确认。各部门均已确认，已出具正式指导意见书第 {letter.version} 版")
    else:
        flash(request, "已确认本部门事项，等待其他部门确认")
    return redirect(f"/admin/filing/reviews/{review_id}")
