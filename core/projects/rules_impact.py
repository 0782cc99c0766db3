"""What a rule change does to existing projects: the dry-run before publishing, and re-derivation after."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.org.models import User
from core.projects import service
from core.projects.models import Derivation, Project
from core.rules import indicators as ind
from core.rules import service as rules_service
from core.rules.document import RuleSetDocument
from core.rules.engine import DerivedFlow, derive
from core.rules.models import RuleSetVersion


@dataclass
class FlowChange:
    """How one project's flow differs between two rule sets."""

    project_id: int
    project_code: str
    project_name: str
    status: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


@dataclass
class Unanswered:
    """A derived project whose answers lack a question asked since (a new indicator): no rule set can re-derive it
    until the filer answers, so its flow and letter stay as they are."""

    project_id: int
    project_code: str
    project_name: str
    status: str
    missing: list[str] = field(default_factory=list)


def _derived(db: Session) -> list[Project]:
    derived_ids = select(Derivation.project_id)
    return list(db.scalars(select(Project).where(Project.id.in_(derived_ids)).order_by(Project.id)))


def unanswered(db: Session) -> list[Unanswered]:
    """Derived projects that neither the dry-run nor publishing can re-derive, with the questions they lack."""
    found = []
    for project in _derived(db):
        missing = ind.unanswered(project.indicators or {})
        if missing:
            found.append(
                Unanswered(project.id, project.code or "", project.name, project.status, [q.label for q in missing])
            )
    return found


def _derivable(db: Session) -> list[Project]:
    """Projects that have been derived at least once and whose answers are complete."""
    return [p for p in _derived(db) if not ind.unanswered(p.indicators or {})]


def _compare(project: Project, before: DerivedFlow, after: DerivedFlow) -> FlowChange | None:
    if before.signature() == after.signature():
        return None
    change = FlowChange(project.id, project.code or "", project.name, project.status)
    old = {i.code: i.name for i in before.items()} | {i.code: i.name for i in before.intermediaries}
    new = {i.code: i.name for i in after.items()} | {i.code: i.name for i in after.intermediaries}
    change.added = [name for code, name in new.items() if code not in old]
    change.removed = [name for code, name in old.items() if code not in new]
    before_items = {i.code: i for i in before.items()}
    for item in after.items():
        was = before_items.get(item.code)
        if was is None:
            continue
        if [m.name for m in was.materials] != [m.name for m in item.materials]:
            change.changed.append(f"{item.name}：材料变化")
        if was.depends_on != item.depends_on:
            change.changed.append(f"{item.name}：前置事项变化")
    if not (change.added or change.removed or change.changed):
        change.changed.append("无需办理事项的认定变化")
    return change


def _differences(
    db: Session, document: RuleSetDocument, version: int, *, statuses: tuple[str, ...]
) -> list[tuple[Project, DerivedFlow, FlowChange]]:
    """Projects in these statuses whose stored flow differs from what ``document`` derives now."""
    names = service.department_names(db)
    found = []
    for project in _derivable(db):
        latest = service.latest_derivation(db, project)
        if latest is None or project.status not in statuses:
            continue
        after = derive(project.indicators or {}, document, version=version, department_names=names)
        change = _compare(project, DerivedFlow.model_validate(latest.flow), after)
        if change is not None:
            found.append((project, after, change))
    return found


def dry_run(db: Session, candidate: RuleSetDocument) -> list[FlowChange]:
    """Exactly the projects whose flows publishing the candidate would change (those not yet with departments)."""
    current, _ = rules_service.require_published(db)
    return [change for _, _, change in _differences(db, candidate, current.version + 1, statuses=(service.DERIVED,))]


def held_back(db: Session, candidate: RuleSetDocument) -> list[FlowChange]:
    """Projects the candidate would derive differently but publishing leaves alone (in review, confirmed, editing)."""
    current, _ = rules_service.require_published(db)
    statuses = (service.IN_REVIEW, service.CONFIRMED, service.DRAFT)
    return [change for _, _, change in _differences(db, candidate, current.version + 1, statuses=statuses)]


def rederive_after_change(db: Session, user: User | None, version: RuleSetVersion) -> list[FlowChange]:
    """Re-derives projects still at the derived stage whose flow the new rules change; reviewed ones keep theirs."""
    changes = []
    document = rules_service.document_of(version)
    for project, flow, change in _differences(db, document, version.version, statuses=(service.DERIVED,)):
        service.store_derivation(db, project, flow, user=user, trigger="rules_published")
        changes.append(change)
    return changes


def publish(db: Session, user: User | None, *, note: str) -> tuple[RuleSetVersion, list[FlowChange]]:
    """Publishes the draft and brings derived projects up to date (``user`` None: the system)."""
    version = rules_service.publish(db, user, note=note)
    return version, rederive_after_change(db, user, version)


def rollback(db: Session, user: User, target: int) -> tuple[RuleSetVersion, list[FlowChange]]:
    """Restores an earlier version and brings derived projects back to its flows."""
    version = rules_service.rollback(db, user, target)
    return version, rederive_after_change(db, user, version)
