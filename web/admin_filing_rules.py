"""Admin site, derivation rules: the rule editor (draft, dry-run, publish, roll back) and version history.

Every page calls the same core services as the JSON API (``core.rules.views``).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
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
from core.rules import service as rules_service
from core.rules.document import STAGES, RuleDef, RuleSetDocument
from core.rules.models import RuleSetVersion
from core.rules.schemas import VersionOut
from knowledge import citations
from web.common import Form, flash, redirect, render, text
from web.deps import ErrorRoute, OnError, staff_with
from web.rule_forms import RULE_LABELS, question_rows, rule_form_values, rule_from_values, rule_values

router = APIRouter(prefix="/admin/filing", include_in_schema=False)

# ================================================================ rule editor


RulesManager = Annotated[User, Depends(staff_with(Permission.RULES_MANAGE))]


def _law_checks(db: Session, version: RuleSetVersion | None) -> dict[str, Any]:
    """The rules of a version whose cited law was repealed, superseded or amended after the version was published
    (a draft: repealed or superseded only), and the rules citing no stored article."""
    if version is None:
        return {"law_alerts": [], "uncited": []}
    published_at = version.published_at if version.status != rules_service.DRAFT else None
    alerts, uncited = citations.check(db, rules_service.document_of(version), published_at=published_at)
    return {"law_alerts": alerts, "uncited": uncited}


def _versions_context(db: Session) -> dict[str, Any]:
    current = rules_service.published(db)
    return {
        "versions": [VersionOut.from_model(v) for v in rules_service.list_versions(db)],
        "draft": rules_service.draft(db),
        "current": VersionOut.from_model(current) if current else None,
        **_law_checks(db, current),
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
        "draft": VersionOut.from_model(version),
        "rules": _rule_rows(document),
        "problems": rules_service.problems(document),
        "dry_run": None,
        "held": [],
        "note": "",
        "project_status_labels": project_service.STATUS_LABELS,
        "unanswered": [],
        **_law_checks(db, version),
    }
    return context | extra


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
    context = _draft_context(db, version, dry_run=changes, held=held, unanswered=rules_impact.unanswered(db))
    return render(request, "admin/filing/draft.html", context)


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
        "version": VersionOut.from_model(version),
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
        "version": VersionOut.from_model(version),
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
        "version": VersionOut.from_model(version),
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
