"""Ships the seed rule-set updates (``core.rules.seed.updates``) to a database seeded before them.

Each update goes the way an administrator's change goes: a draft copied from the version in force, the update
put into it, a dry-run against the existing projects, then publishing with its note, which re-derives the
projects still at the derived stage. It runs as the system, under its own audit action, once per update: a
version whose note starts with the update's title means it was published (and perhaps rolled back since, which
is the administrators' call), and a rule set that already has the change (a fresh database) needs no version.
An administrator's unpublished draft is never published along: the update waits until it is published or
discarded.
"""

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from core.audit.context import Actor, acting
from core.projects import rules_impact
from core.projects import service as project_service
from core.projects.rules_impact import FlowChange, Unanswered
from core.rules import service as rules_service
from core.rules.seed.updates import UPDATES, SeedUpdate

SYSTEM = Actor(id=None, name="系统（规则更新）", kind="system")
ACTION = "rules.system_update"


@dataclass
class UpdateReport:
    """What one update did: published as which version, or why not; the dry-run and what publishing changed."""

    title: str
    version: int | None = None
    skipped: str = ""
    dry_run: list[FlowChange] = field(default_factory=list)
    held: list[FlowChange] = field(default_factory=list)
    unanswered: list[Unanswered] = field(default_factory=list)
    rederived: list[FlowChange] = field(default_factory=list)

    def text(self) -> str:
        """The report as an administrator reads it (the command line prints it)."""
        if self.version is None:
            return f"【{self.title}】未发布：{self.skipped}"
        lines = [f"【{self.title}】已发布为第 {self.version} 版。", "试算（发布前）："]
        lines += _changes(self.dry_run, "发布后将按新规则重新推演")
        lines += _changes(self.held, "已提交部门审核或已确认，保留原流程")
        if self.unanswered:
            lines.append(f"  缺少新增问题的回答、保留原流程和指导意见书的项目 {len(self.unanswered)} 个：")
            for item in self.unanswered:
                status = project_service.STATUS_LABELS.get(item.status, item.status)
                lines.append(
                    f"    {item.project_code} {item.project_name}（{status}）：未回答{'、'.join(item.missing)}"
                )
        lines.append(f"发布后重新推演的项目 {len(self.rederived)} 个。")
        return "\n".join(lines)


def _changes(changes: list[FlowChange], what: str) -> list[str]:
    if not changes:
        return [f"  流程变化、{what}的项目：无"]
    lines = [f"  流程变化、{what}的项目 {len(changes)} 个："]
    for change in changes:
        parts = [f"新增{'、'.join(change.added)}" if change.added else ""]
        parts += [f"不再需要{'、'.join(change.removed)}" if change.removed else ""]
        parts += change.changed
        lines.append(f"    {change.project_code} {change.project_name}：{'；'.join(p for p in parts if p)}")
    return lines


def apply_update(db: Session, update: SeedUpdate) -> UpdateReport:
    """Publishes one update through draft, dry-run and publish, unless it was published or is not needed."""
    report = UpdateReport(update.title)
    current = rules_service.published(db)
    if current is None:
        report.skipped = "还没有现行规则版本"
        return report
    if any(v.note.startswith(update.title) for v in rules_service.list_versions(db)):
        report.skipped = "此前已发布过本次更新"
        return report
    document = rules_service.document_of(current)
    updated = update.apply(document)
    if updated == document:
        report.skipped = "现行规则已包含本次更新"
        return report
    if rules_service.draft(db) is not None:
        report.skipped = "管理员有尚未发布的规则草稿，请发布或放弃该草稿后再更新"
        return report
    with acting(SYSTEM, action=ACTION):
        rules_service.start_draft(db, None)
        rules_service.replace_document(db, updated)
        report.dry_run = rules_impact.dry_run(db, updated)
        report.held = rules_impact.held_back(db, updated)
        report.unanswered = rules_impact.unanswered(db)
        version, report.rederived = rules_impact.publish(db, None, note=update.note)
    report.version = version.version
    return report


def apply_pending(db: Session) -> list[UpdateReport]:
    """Every seed update in order (each only once); the caller commits."""
    return [apply_update(db, update) for update in UPDATES]
