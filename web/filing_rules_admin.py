"""Admin site, derivation rules: the rule editor (draft, dry-run, publish, roll back) and version history.

Every page calls the same core services as the JSON API (``core.rules.views``).
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.audit.context import acting
from core.deps import DB
from core.errors import AppError, NotFound, ValidationFailed
from core.org.models import User
from core.org.permissions import Permission
from core.projects import rules_impact
from core.projects import service as project_service
from core.projects.models import Derivation, Project
from core.rules import indicators as ind
from core.rules import service as rules_service
from core.rules.document import STAGES, RuleDef, RuleSetDocument
from core.rules.models import RuleSetVersion
from web.common import (
    Form,
    checked,
    flash,
    redirect,
    render,
    text,
    texts,
    to_int,
    validation_message,
)
from web.deps import ErrorRoute, OnError, staff_with

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


def form_lines(value: str) -> list[str]:
    """The non-empty lines of a textarea."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def invalid_input(error: ValidationError, labels: dict[str, str]) -> ValidationFailed:
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


def form_number(value: str, field: str, label: str) -> int | None:
    """A whole number from a form field, or a Chinese error naming the field."""
    try:
        return to_int(value, label)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=field) from error


# ================================================================ rule editor


RulesManager = Annotated[User, Depends(staff_with(Permission.RULES_MANAGE))]


def _versions_context(db: Session) -> dict[str, Any]:
    return {
        "versions": [rules_service.version_out(v) for v in rules_service.list_versions(db)],
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
        "draft": rules_service.version_out(version),
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
    for number, line in enumerate(form_lines(value), start=1):
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
    data["priority"] = form_number(values["priority"], "priority", RULE_LABELS["priority"])
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
        raise invalid_input(error, RULE_LABELS) from error


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
def rules_page(request: Request, db: DB, manager: RulesManager) -> HTMLResponse:
    """Every rule-set version, newest first, with the draft and rollback actions."""
    return render(request, "admin/filing/rules.html", _versions_context(db))


@router.post("/rules/draft", response_class=HTMLResponse)
def start_draft(request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """新建草稿: a copy of the version in force (or the draft already being edited)."""
    on_error.show("admin/filing/rules.html", lambda: _versions_context(db))
    with acting(action="rules.start_draft"):
        version = rules_service.start_draft(db, manager)
    flash(request, f"草稿第 {version.version} 版（依据第 {version.based_on} 版）可以编辑了")
    return redirect("/admin/filing/rules/draft")


@router.get("/rules/draft", response_class=HTMLResponse)
def draft_page(request: Request, db: DB, manager: RulesManager) -> Response:
    """The draft's rules with what each adds and removes, its problems, dry-run and publish."""
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    return render(request, "admin/filing/draft.html", _draft_context(db, version))


@router.post("/rules/draft/dry-run", response_class=HTMLResponse)
def dry_run(request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """试算: the existing projects whose flows the draft would change, and how; nothing is saved."""
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    on_error.show("admin/filing/draft.html", lambda: _draft_context(db, version))
    document = rules_service.document_of(version)
    changes = rules_impact.dry_run(db, document)
    held = rules_impact.held_back(db, document)
    return render(request, "admin/filing/draft.html", _draft_context(db, version, dry_run=changes, held=held))


@router.post("/rules/draft/publish", response_class=HTMLResponse)
def publish(request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """发布: puts the draft in force and re-derives the projects not yet with the departments."""
    note = text(form, "note")
    if rules_service.draft(db) is None:
        return _no_draft(request)

    def draft_again(error: AppError) -> Response:  # the draft may be gone meanwhile
        current = rules_service.draft(db)
        if current is None:
            return _no_draft(request)
        context = _draft_context(db, current, note=note, error=error.message)
        return render(request, "admin/filing/draft.html", context, status=error.status_code)

    on_error.answer(draft_again)
    if len(note) > 500:
        raise ValidationFailed("发布说明过长（不超过 500 字）", field="note")
    with acting(action="rules.publish"):
        version, changes = rules_impact.publish(db, manager, note=note)
    context = {
        "title": f"已发布第 {version.version} 版",
        "version": rules_service.version_out(version),
        "changes": changes,
    }
    context["project_status_labels"] = project_service.STATUS_LABELS
    return render(request, "admin/filing/changes.html", context)


@router.post("/rules/draft/discard", response_class=HTMLResponse)
def discard(request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """放弃草稿."""
    on_error.show("admin/filing/rules.html", lambda: _versions_context(db))
    with acting(action="rules.discard_draft"):
        rules_service.discard_draft(db, manager)
    flash(request, "草稿已放弃")
    return redirect("/admin/filing/rules")


@router.get("/rules/draft/rules/new", response_class=HTMLResponse)
def new_rule_page(request: Request, db: DB, manager: RulesManager) -> Response:
    """An empty rule form beside the indicator reference."""
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    context = _rule_form_context(rules_service.document_of(version), rule_values(None), None)
    return render(request, "admin/filing/rule_form.html", context)


@router.get("/rules/draft/rules/{code}", response_class=HTMLResponse)
def edit_rule_page(code: str, request: Request, db: DB, manager: RulesManager) -> Response:
    """A draft rule's form, filled in."""
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    document = rules_service.document_of(version)
    rule = document.rule(code)
    if rule is None:
        raise NotFound(f"草稿中没有规则 {code}")
    return render(request, "admin/filing/rule_form.html", _rule_form_context(document, rule_values(rule), code))


def _save_rule(
    request: Request, db: Session, form: FormData, manager: User, on_error: ErrorRoute, replacing: str | None
) -> Response:
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    document = rules_service.document_of(version)
    if replacing is not None and document.rule(replacing) is None:
        raise NotFound(f"草稿中没有规则 {replacing}")
    values = rule_form_values(form)

    def form_again(error: AppError) -> Response:  # the message goes next to the field it is about
        at_field = error.field in RULE_LABELS
        context = _rule_form_context(document, values, replacing) | {
            "error": "未保存，请修改标出的内容" if at_field else error.message,
            "field_error": error.message,
            "error_field": error.field if at_field else None,
        }
        return render(request, "admin/filing/rule_form.html", context, status=error.status_code)

    on_error.answer(form_again)
    rule = rule_from_values(values, document)
    with acting(action="rules.save_rule"):
        rules_service.save_rule(db, manager, rule, replacing=replacing)
    flash(request, f"规则“{rule.name}”（{rule.code}）已保存到草稿")
    return redirect("/admin/filing/rules/draft")


@router.post("/rules/draft/rules/new", response_class=HTMLResponse)
def create_rule(request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """Adds a rule to the draft; its condition must parse and name known indicators."""
    return _save_rule(request, db, form, manager, on_error, None)


@router.post("/rules/draft/rules/{code}", response_class=HTMLResponse)
def update_rule(code: str, request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """Replaces a draft rule (its code may change)."""
    return _save_rule(request, db, form, manager, on_error, code)


@router.post("/rules/draft/rules/{code}/delete", response_class=HTMLResponse)
def delete_rule(code: str, request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """Removes a rule from the draft."""
    version = rules_service.draft(db)
    if version is None:
        return _no_draft(request)
    on_error.show("admin/filing/draft.html", lambda: _draft_context(db, version))
    with acting(action="rules.delete_rule"):
        rules_service.delete_rule(db, manager, code)
    flash(request, f"规则 {code} 已从草稿中删除")
    return redirect("/admin/filing/rules/draft")


@router.post("/rules/versions/{number}/rollback", response_class=HTMLResponse)
def rollback(number: int, request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError) -> Response:
    """回滚: puts an earlier version's rules back in force as a new version and re-derives projects."""
    on_error.show("admin/filing/rules.html", lambda: _versions_context(db))
    with acting(action="rules.rollback"):
        version, changes = rules_impact.rollback(db, manager, number)
    context = {
        "title": f"已回滚到第 {number} 版的规则（现行第 {version.version} 版）",
        "version": rules_service.version_out(version),
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
def version_page(number: int, request: Request, db: DB, manager: RulesManager) -> HTMLResponse:
    """One version, read-only: its rules, approvals and intermediary services."""
    version = rules_service.get_version(db, number)
    document = rules_service.document_of(version)
    context = {
        "version": rules_service.version_out(version),
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
