"""Rule-set API for admins: versions, the draft, dry-run, publish and roll back."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.deps import DB, CurrentUser, ReadDB
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.projects import rules_impact
from core.rules import service
from core.rules.document import RuleDef
from core.rules.models import RuleSetVersion

router = APIRouter(prefix="/rules", tags=["流程推演规则"])


class VersionOut(BaseModel):
    """A rule-set version."""

    version: int
    status: str
    status_label: str
    note: str
    based_on: int | None
    created_at: datetime
    published_at: datetime | None
    rule_count: int
    document: dict[str, Any] | None = None


class FlowChangeOut(BaseModel):
    """A project whose flow would change (dry-run) or did change (publish/rollback)."""

    project_id: int
    project_code: str
    project_name: str
    status: str
    added: list[str]
    removed: list[str]
    changed: list[str]


class ChangeResultOut(BaseModel):
    """The version now in force and the projects re-derived."""

    version: VersionOut
    rederived: list[FlowChangeOut]


class PublishIn(BaseModel):
    """A note saying what changed and why."""

    note: str = Field(max_length=500)


def version_out(version: RuleSetVersion, *, with_document: bool = False) -> VersionOut:
    """A version for the API."""
    return VersionOut(
        version=version.version,
        status=version.status,
        status_label=service.STATUS_LABELS[version.status],
        note=version.note,
        based_on=version.based_on,
        created_at=version.created_at,
        published_at=version.published_at,
        rule_count=len(version.document.get("rules", [])),
        document=version.document if with_document else None,
    )


def _manager(user: User | None) -> User:
    return org_service.require(user, Permission.RULES_MANAGE)


def _changes(changes: list[rules_impact.FlowChange]) -> list[FlowChangeOut]:
    return [FlowChangeOut(**vars(c)) for c in changes]


@router.get("/versions", response_model=list[VersionOut], summary="规则版本列表")
def list_versions(db: ReadDB, user: CurrentUser) -> list[VersionOut]:
    """Every version, newest first."""
    _manager(user)
    return [version_out(v) for v in service.list_versions(db)]


@router.get("/versions/{version}", response_model=VersionOut, summary="规则版本详情（含全部规则）")
def get_version(version: int, db: ReadDB, user: CurrentUser) -> VersionOut:
    """One version with its whole document."""
    _manager(user)
    return version_out(service.get_version(db, version), with_document=True)


@router.post("/draft", response_model=VersionOut, status_code=201, summary="新建草稿（复制现行版本）")
def start_draft(db: DB, user: CurrentUser) -> VersionOut:
    """The draft to edit (the existing one, or a copy of the version in force)."""
    return version_out(service.start_draft(db, _manager(user)), with_document=True)


@router.put("/draft/rules/{code}", response_model=VersionOut, summary="保存草稿中的规则")
def save_rule(code: str, rule: RuleDef, db: DB, user: CurrentUser) -> VersionOut:
    """Adds the rule, or replaces the rule with this code; its condition must parse."""
    manager = _manager(user)
    draft = service.draft(db)
    existing = service.document_of(draft).rule(code) if draft else None
    return version_out(service.save_rule(db, manager, rule, replacing=code if existing else None), with_document=True)


@router.delete("/draft/rules/{code}", response_model=VersionOut, summary="删除草稿中的规则")
def delete_rule(code: str, db: DB, user: CurrentUser) -> VersionOut:
    """Removes a rule from the draft."""
    return version_out(service.delete_rule(db, _manager(user), code), with_document=True)


class DryRunOut(BaseModel):
    """What publishing the draft would do."""

    will_change: list[FlowChangeOut] = Field(description="发布后将按新规则重新推演的项目")
    held: list[FlowChangeOut] = Field(description="流程会不同、但已在审核/已确认/填报中而保持原流程的项目")


@router.post("/draft/dry-run", response_model=DryRunOut, summary="试算：草稿会改变哪些项目的流程")
def dry_run(db: DB, user: CurrentUser) -> DryRunOut:
    """The existing projects whose flows publishing the draft would change, and how (nothing is saved)."""
    _manager(user)
    _, document = service.require_draft(db)
    return DryRunOut(
        will_change=_changes(rules_impact.dry_run(db, document)),
        held=_changes(rules_impact.held_back(db, document)),
    )


@router.post("/draft/publish", response_model=ChangeResultOut, summary="发布草稿")
def publish(data: PublishIn, db: DB, user: CurrentUser) -> ChangeResultOut:
    """Puts the draft in force and re-derives projects not yet with the departments."""
    version, changes = rules_impact.publish(db, _manager(user), note=data.note)
    return ChangeResultOut(version=version_out(version), rederived=_changes(changes))


@router.delete("/draft", status_code=204, summary="放弃草稿")
def discard(db: DB, user: CurrentUser) -> None:
    """Throws the draft away."""
    service.discard_draft(db, _manager(user))


@router.post("/versions/{version}/rollback", response_model=ChangeResultOut, summary="回滚到此版本")
def rollback(version: int, db: DB, user: CurrentUser) -> ChangeResultOut:
    """Puts an earlier version's rules back in force as a new version."""
    new, changes = rules_impact.rollback(db, _manager(user), version)
    return ChangeResultOut(version=version_out(new), rederived=_changes(changes))
