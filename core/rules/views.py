"""Rule-set API for admins: versions, the draft, dry-run, publish and roll back."""

from fastapi import APIRouter

from core.deps import DB, CurrentUser, ReadDB
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.rules import service
from core.rules.document import RuleDef
from core.rules.schemas import VersionOut

router = APIRouter(prefix="/rules", tags=["流程推演规则"])


def _manager(user: User | None) -> User:
    return org_service.require(user, Permission.RULES_MANAGE)


@router.get("/versions", response_model=list[VersionOut], summary="规则版本列表")
def list_versions(db: ReadDB, user: CurrentUser) -> list[VersionOut]:
    """Every version, newest first."""
    _manager(user)
    return [VersionOut.from_model(v) for v in service.list_versions(db)]


@router.get("/versions/{version}", response_model=VersionOut, summary="规则版本详情（含全部规则）")
def get_version(version: int, db: ReadDB, user: CurrentUser) -> VersionOut:
    """One version with its whole document."""
    _manager(user)
    return VersionOut.from_model(service.get_version(db, version), with_document=True)


@router.post("/draft", response_model=VersionOut, status_code=201, summary="新建草稿（复制现行版本）")
def start_draft(db: DB, user: CurrentUser) -> VersionOut:
    """The draft to edit (the existing one, or a copy of the version in force)."""
    return VersionOut.from_model(service.start_draft(db, _manager(user)), with_document=True)


@router.put("/draft/rules/{code}", response_model=VersionOut, summary="保存草稿中的规则")
def save_rule(code: str, rule: RuleDef, db: DB, user: CurrentUser) -> VersionOut:
    """Adds the rule, or replaces the rule with this code; its condition must parse."""
    manager = _manager(user)
    draft = service.draft(db)
    existing = service.document_of(draft).rule(code) if draft else None
    return VersionOut.from_model(
        service.save_rule(db, manager, rule, replacing=code if existing else None), with_document=True
    )


@router.delete("/draft/rules/{code}", response_model=VersionOut, summary="删除草稿中的规则")
def delete_rule(code: str, db: DB, user: CurrentUser) -> VersionOut:
    """Removes a rule from the draft."""
    return VersionOut.from_model(service.delete_rule(db, _manager(user), code), with_document=True)


@router.delete("/draft", status_code=204, summary="放弃草稿")
def discard(db: DB, user: CurrentUser) -> None:
    """Throws the draft away."""
    service.discard_draft(db, _manager(user))
