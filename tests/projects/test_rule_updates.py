"""A database seeded with the 2023 energy rules gets the 2025 ones through the normal path: a draft, a dry-run,
publishing as the system (audited), re-derivation of the projects still at the derived stage; everything else
keeps its flow and letters, and the update is published once."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.projects import letters, rule_updates
from core.projects import service as project_service
from core.projects.models import Project
from core.projects.schemas import ProjectIn
from core.rules import service as rules_service
from core.rules.document import RuleSetDocument
from core.rules.seed import initial_document
from core.rules.seed.updates import CATALOGUE_2026, ENERGY_REVIEW_2025
from tests.projects.conftest import FACTORY_ANSWERS, FACTORY_INFO, Filing

OLD_RULES = RuleSetDocument.model_validate(
    json.loads((Path(__file__).parents[1] / "rules" / "ruleset_2023.json").read_text(encoding="utf-8"))
)
"""The seed rule set as databases seeded before the 2025 measure have it (国家发展改革委令2023年第2号)."""

ELECTRICITY_ONLY = {**FACTORY_ANSWERS, "energy_tce": 900.0, "electricity_kwh": 6_000_000.0, "coal_tonnes": 0.0}
"""Told to have an energy review by the 2023 rules (≥ 5,000,000 kWh); not by the 2025 ones."""
BEFORE_COAL = {k: v for k, v in ELECTRICITY_ONLY.items() if k != "coal_tonnes"}
"""The same project filed before the coal question existed."""


def _old_rules_in_force(db: Session) -> None:
    """The filing world's version 1 replaced by the 2023 rules, as an older database has them."""
    version = rules_service.published(db)
    assert version is not None
    version.document = OLD_RULES.model_dump(mode="json")
    db.commit()


def _derived_project(db: Session, filing: Filing, answers: dict[str, Any], name: str) -> Project:
    """A project derived with its draft letter under the rules in force, as the filer does it."""
    citizen = filing.world.users["citizen"]
    project = project_service.create_project(
        db, citizen, ProjectIn(**{**FACTORY_INFO, "name": name, "indicators": answers})
    )
    letters.derive_with_letter(db, citizen, project)
    db.commit()
    return project


def _approvals(db: Session, project: Project) -> tuple[int, set[str]]:
    db.expire_all()
    latest = project_service.latest_derivation(db, project)
    assert latest is not None
    return latest.rule_set_version, {i["code"] for s in latest.flow["stages"] for i in s["items"]}


def _letters(db: Session, project: Project) -> list[tuple[int, str]]:
    return [(letter.version, letter.verification_code) for letter in letters.letters_of(db, project)]


def test_an_older_database_gets_the_2025_rules_by_draft_dry_run_and_publish(filing: Filing, db: Session) -> None:
    _old_rules_in_force(db)
    derived = _derived_project(db, filing, ELECTRICITY_ONLY, "电耗较高的装配厂房")
    legacy = _derived_project(db, filing, ELECTRICITY_ONLY, "早先填报的装配厂房")
    legacy.indicators = BEFORE_COAL  # filed before the coal question existed
    db.commit()
    assert "energy_review" in _approvals(db, derived)[1] and "energy_review" in _approvals(db, legacy)[1]
    letters_before = {p.id: _letters(db, p) for p in (derived, legacy)}
    assert all(letters_before.values())

    reports = rule_updates.apply_pending(db)
    db.commit()

    report, catalogue = reports  # the updates in order: the energy rules, then the catalogue's approvals
    assert report.version == 2, report.text()
    assert catalogue.version == 3, catalogue.text()
    assert "电耗较高的装配厂房：新增国有建设用地使用权首次登记" in catalogue.text()
    assert [c.project_name for c in report.dry_run] == ["电耗较高的装配厂房"]
    assert "固定资产投资项目节能审查" in report.dry_run[0].removed and "节能报告编制" in report.dry_run[0].removed
    assert [c.project_name for c in report.rederived] == ["电耗较高的装配厂房"]
    assert [(u.project_name, u.missing) for u in report.unanswered] == [("早先填报的装配厂房", ["年煤炭消费量"])]
    text = report.text()
    assert "已发布为第 2 版" in text and "电耗较高的装配厂房：不再需要固定资产投资项目节能审查" in text
    assert "早先填报的装配厂房（已推演）：未回答年煤炭消费量" in text

    versions = [(v.version, v.status) for v in rules_service.list_versions(db)]
    assert versions == [(3, "published"), (2, "retired"), (1, "retired")]
    published = rules_service.get_version(db, 2)
    assert published.note.startswith(ENERGY_REVIEW_2025.title) and published.based_on == 1
    assert published.created_by_id is None and published.published_by_id is None
    document = rules_service.document_of(published)
    assert document.rule("energy_by_electricity") is None and document.rule("energy_by_coal_use") is not None
    assert document.rule("invest_government") == OLD_RULES.rule("invest_government"), "other rules left as they were"

    version, approvals = _approvals(db, derived)
    assert version == 3 and "energy_review" not in approvals and "land_registration" in approvals
    latest = project_service.latest_derivation(db, derived)
    assert latest is not None and latest.trigger == "rules_published"
    version, approvals = _approvals(db, legacy)
    assert version == 1 and "energy_review" in approvals, "an incomplete project keeps its flow"
    assert {p.id: _letters(db, p) for p in (derived, legacy)} == letters_before, "letters are kept"

    audited = db.scalars(select(AuditLog).where(AuditLog.action == rule_updates.ACTION)).all()
    assert audited and {a.actor_kind for a in audited} == {"system"}
    assert {a.actor_name for a in audited} == {rule_updates.SYSTEM.name}
    assert {"rule_set_version", "derivation"} <= {a.entity for a in audited}


def test_the_update_is_published_once_and_never_over_a_fresh_seed_or_an_admins_draft(
    filing: Filing, db: Session
) -> None:
    fresh = rule_updates.apply_pending(db)  # the filing world starts from the current seed
    assert [(r.version, r.skipped) for r in fresh] == [(None, "现行规则已包含本次更新")] * 2
    assert [v.version for v in rules_service.list_versions(db)] == [1]

    _old_rules_in_force(db)
    admin = filing.world.users["admin"]
    rules_service.start_draft(db, admin)
    waiting, _ = rule_updates.apply_pending(db)
    assert waiting.version is None and "尚未发布的规则草稿" in waiting.skipped
    draft = rules_service.draft(db)
    assert draft is not None and rules_service.document_of(draft) == OLD_RULES, "the admin's draft is left alone"
    rules_service.discard_draft(db, admin)

    done, catalogue = rule_updates.apply_pending(db)
    assert (done.version, catalogue.version) == (2, 3)  # the discarded draft left its number free
    rules_service.rollback(db, admin, 1)  # the administrators may go back; the update does not return by itself
    again = rule_updates.apply_pending(db)
    assert [(r.version, r.skipped) for r in again] == [(None, "此前已发布过本次更新")] * 2
    assert rules_service.document_of(rules_service.require_published(db)[0]) == OLD_RULES


def test_the_update_brings_the_seed_rules_and_nothing_else() -> None:
    updated = CATALOGUE_2026.apply(ENERGY_REVIEW_2025.apply(OLD_RULES))  # every update, in order
    seed = initial_document()
    assert updated == CATALOGUE_2026.apply(ENERGY_REVIEW_2025.apply(updated)), "applying twice changes nothing"
    for code in CATALOGUE_2026.approvals:
        assert updated.approval(code) == seed.approval(code), code
    assert {r.code for r in updated.rules} == {r.code for r in seed.rules}
    for rule in updated.rules:
        assert rule == seed.rule(rule.code), rule.code
    assert ENERGY_REVIEW_2025.apply(seed) == seed and CATALOGUE_2026.apply(seed) == seed
