"""Rule-set versions: edit a draft, dry-run it against existing projects, publish it, roll back to an earlier one."""

import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import Conflict, NotFound, ValidationFailed
from core.org.models import User
from core.rules.conditions import ConditionError, compile_condition
from core.rules.document import ApprovalDef, IntermediaryDef, RuleDef, RuleSetDocument
from core.rules.enums import DRAFT as DRAFT
from core.rules.enums import PUBLISHED as PUBLISHED
from core.rules.enums import RETIRED as RETIRED
from core.rules.enums import STATUS_LABELS as STATUS_LABELS
from core.rules.models import RuleSetVersion


def published(db: Session) -> RuleSetVersion | None:
    """The version in force."""
    return db.scalar(select(RuleSetVersion).where(RuleSetVersion.status == PUBLISHED))


def require_published(db: Session) -> tuple[RuleSetVersion, RuleSetDocument]:
    """The version in force and its document; a clear error when none was ever published."""
    current = published(db)
    if current is None:
        raise Conflict("流程推演规则尚未发布，请联系管理员", code="no_rules")
    return current, document_of(current)


_DOCUMENTS: dict[str, RuleSetDocument] = {}


def document_of(version: RuleSetVersion) -> RuleSetDocument:
    """The parsed document of a version (parsed once per process and content; drafts every time)."""
    if version.status == DRAFT:
        return RuleSetDocument.model_validate(version.document)
    key = hashlib.sha256(json.dumps(version.document, sort_keys=True).encode()).hexdigest()
    if key not in _DOCUMENTS:
        if len(_DOCUMENTS) > 32:
            _DOCUMENTS.clear()
        _DOCUMENTS[key] = RuleSetDocument.model_validate(version.document)
    return _DOCUMENTS[key].model_copy(deep=True)


def draft(db: Session) -> RuleSetVersion | None:
    """The draft being edited, if any."""
    return db.scalar(select(RuleSetVersion).where(RuleSetVersion.status == DRAFT))


def list_versions(db: Session) -> list[RuleSetVersion]:
    """Every version, newest first."""
    return list(db.scalars(select(RuleSetVersion).order_by(RuleSetVersion.version.desc())))


def get_version(db: Session, version: int) -> RuleSetVersion:
    """One version by its number."""
    found = db.scalar(select(RuleSetVersion).where(RuleSetVersion.version == version))
    if found is None:
        raise NotFound(f"规则版本 {version} 不存在")
    return found


def _next_number(db: Session) -> int:
    return (db.scalar(select(func.max(RuleSetVersion.version))) or 0) + 1


def install(db: Session, document: RuleSetDocument, *, note: str, user: User | None = None) -> RuleSetVersion:
    """Publishes a document as the first version (seeding); does nothing when versions exist."""
    existing = published(db)
    if existing is not None:
        return existing
    version = RuleSetVersion(
        version=_next_number(db),
        status=PUBLISHED,
        document=document.model_dump(mode="json"),
        note=note,
        created_by_id=user.id if user else None,
        published_by_id=user.id if user else None,
        published_at=now(),
    )
    db.add(version)
    db.flush()
    return version


def start_draft(db: Session, user: User | None) -> RuleSetVersion:
    """The draft to edit: the existing one, or a copy of the version in force (``user`` None: the system)."""
    existing = draft(db)
    if existing is not None:
        return existing
    current, document = require_published(db)
    new = RuleSetVersion(
        version=_next_number(db),
        status=DRAFT,
        document=document.model_dump(mode="json"),
        note="",
        based_on=current.version,
        created_by_id=user.id if user else None,
    )
    db.add(new)
    db.flush()
    return new


def require_draft(db: Session) -> tuple[RuleSetVersion, RuleSetDocument]:
    current = draft(db)
    if current is None:
        raise Conflict("没有正在编辑的规则草稿，请先新建草稿")
    return current, document_of(current)


def _store(version: RuleSetVersion, document: RuleSetDocument) -> None:
    version.document = document.model_dump(mode="json")


def replace_document(db: Session, document: RuleSetDocument) -> RuleSetVersion:
    """Puts a whole document into the draft (a seed update prepared elsewhere); checked again at publishing."""
    version, _ = require_draft(db)
    _store(version, document)
    return version


def save_rule(db: Session, user: User, rule: RuleDef, *, replacing: str | None = None) -> RuleSetVersion:
    """Adds a rule to the draft, or replaces the rule with code ``replacing``."""
    version, document = require_draft(db)
    check_rule(rule, document)
    old_code = replacing or rule.code
    if rule.code != old_code and document.rule(rule.code) is not None:
        raise ValidationFailed(f"规则编码 {rule.code} 已被使用", field="code")
    if replacing is None and document.rule(rule.code) is not None:
        raise ValidationFailed(f"规则编码 {rule.code} 已被使用", field="code")
    rules = [r for r in document.rules if r.code != old_code]
    if replacing is not None and len(rules) == len(document.rules):
        raise NotFound(f"草稿中没有规则 {replacing}")
    document.rules = [*rules, rule]
    _store(version, document)
    return version


def delete_rule(db: Session, user: User, code: str) -> RuleSetVersion:
    """Removes a rule from the draft."""
    version, document = require_draft(db)
    if document.rule(code) is None:
        raise NotFound(f"草稿中没有规则 {code}")
    document.rules = [r for r in document.rules if r.code != code]
    _store(version, document)
    return version


def save_approval(db: Session, user: User, approval: ApprovalDef) -> RuleSetVersion:
    """Adds or replaces an approval definition in the draft."""
    version, document = require_draft(db)
    unknown = [code for code in approval.depends_on if code != approval.code and document.approval(code) is None]
    if unknown:
        raise ValidationFailed(f"前置事项 {'、'.join(unknown)} 不存在", field="depends_on")
    if approval.code in approval.depends_on:
        raise ValidationFailed("审批事项不能以自身为前置事项", field="depends_on")
    document.approvals = [a for a in document.approvals if a.code != approval.code] + [approval]
    _store(version, document)
    return version


def save_intermediary(db: Session, user: User, intermediary: IntermediaryDef) -> RuleSetVersion:
    """Adds or replaces an intermediary service definition in the draft."""
    version, document = require_draft(db)
    unknown = [code for code in intermediary.serves if document.approval(code) is None]
    if unknown:
        raise ValidationFailed(f"所服务的审批事项 {'、'.join(unknown)} 不存在", field="serves")
    document.intermediaries = [i for i in document.intermediaries if i.code != intermediary.code] + [intermediary]
    _store(version, document)
    return version


def check_rule(rule: RuleDef, document: RuleSetDocument) -> None:
    """Raises ValidationFailed (naming the field) when the rule cannot be used in this document."""
    try:
        compile_condition(rule.condition)
    except ConditionError as error:
        raise ValidationFailed(str(error), field="condition") from error
    for field_name, codes, lookup, what in (
        ("add_approvals", rule.add_approvals, document.approval, "审批事项"),
        ("remove_approvals", rule.remove_approvals, document.approval, "审批事项"),
        ("add_intermediaries", rule.add_intermediaries, document.intermediary, "中介服务"),
        ("remove_intermediaries", rule.remove_intermediaries, document.intermediary, "中介服务"),
        ("add_materials", [m.approval for m in rule.add_materials], document.approval, "审批事项"),
        ("remove_materials", [m.approval for m in rule.remove_materials], document.approval, "审批事项"),
    ):
        unknown = [code for code in codes if lookup(code) is None]
        if unknown:
            raise ValidationFailed(f"{what} {'、'.join(unknown)} 不存在于规则集中", field=field_name)


def problems(document: RuleSetDocument) -> list[str]:
    """Everything that stops a document from being published, in Chinese."""
    found: list[str] = []
    for kind, codes in (
        ("审批事项", [a.code for a in document.approvals]),
        ("中介服务", [i.code for i in document.intermediaries]),
        ("规则", [r.code for r in document.rules]),
    ):
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            found.append(f"{kind}编码重复：{'、'.join(duplicates)}")
    for rule in document.rules:
        try:
            check_rule(rule, document)
        except ValidationFailed as error:
            found.append(f"规则“{rule.name}”（{rule.code}）：{error.message}")
    return found


def publish(db: Session, user: User | None, *, note: str) -> RuleSetVersion:
    """Puts the draft in force; refused while any rule is unusable (``user`` None: the system publishes)."""
    version, document = require_draft(db)
    if not note.strip():
        raise ValidationFailed("请填写发布说明（本次修改了什么、为什么）", field="note")
    found = problems(document)
    if found:
        raise ValidationFailed("规则草稿不能发布：" + "；".join(found), field="document")
    current = published(db)
    if current is not None:
        current.status = RETIRED
        db.flush()
    version.status = PUBLISHED
    version.note = note.strip()
    version.published_by_id = user.id if user else None
    version.published_at = now()
    db.flush()
    return version


def rollback(db: Session, user: User, target: int) -> RuleSetVersion:
    """Puts an earlier version's rules back in force as a new version (history stays linear)."""
    old = get_version(db, target)
    if old.status == DRAFT:
        raise Conflict("草稿不能作为回滚目标")
    if draft(db) is not None:
        raise Conflict("请先发布或放弃当前草稿，再回滚")
    current = published(db)
    if current is not None and current.version == target:
        raise Conflict(f"第 {target} 版已是现行版本")
    if current is not None:
        current.status = RETIRED
        db.flush()
    new = RuleSetVersion(
        version=_next_number(db),
        status=PUBLISHED,
        document=dict(old.document),
        note=f"回滚到第 {target} 版",
        based_on=target,
        created_by_id=user.id,
        published_by_id=user.id,
        published_at=now(),
    )
    db.add(new)
    db.flush()
    return new


def discard_draft(db: Session, user: User) -> None:
    """Throws the draft away."""
    version, _ = require_draft(db)
    db.delete(version)
    db.flush()
