"""The seed rule set against labelled projects: what a filer must be told to do, what not, and why.

Expected outcomes come from DOMAIN.md, "Construction projects (工程建设项目审批)", not from engine output:
审批制 / 核准制 / 备案制, 划拨 (a 选址意见书 only with 审批 or 核准) vs 出让 vs 原有用地, the construction-permit
thresholds (30万元, 300 m²), the energy review of the 2025 measure (1,000 t standard coal or 1,000 t of coal a year;
electricity alone never; notify-and-commit inside an area with a regional review, below the provincial 10,000 t),
人防 for civil buildings, the municipal permits and the EIA category by industry. Each threshold is tested on both
sides; tests/rules/test_energy_and_land.py checks the legal basis of the energy and 划拨 rules against the law.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.rules.conditions import compile_condition
from core.rules.document import RuleSetDocument
from core.rules.engine import DerivedFlow, Reason, derive
from core.rules.indicators import (
    INDUSTRIES,
    INVESTORS,
    LAND_SUPPLIES,
    PROJECT_TYPES,
    QUESTION_BY_KEY,
    applicable,
    consistency_problems,
    unanswered,
    value_problem,
)
from core.rules.seed import initial_document

SCENARIOS: list[dict[str, Any]] = json.loads(Path(__file__).with_name("scenarios.json").read_text(encoding="utf-8"))
SEED_DATA = Path(__file__).parents[2] / "core" / "seed" / "data"
CHOICE_VALUES = {*INVESTORS, *PROJECT_TYPES, *LAND_SUPPLIES, *INDUSTRIES}


@pytest.fixture(scope="module")
def document() -> RuleSetDocument:
    return initial_document()


def _flow(document: RuleSetDocument, scenario: dict[str, Any]) -> DerivedFlow:
    return derive(scenario["indicators"], document, version=1)


def _included(flow: DerivedFlow) -> set[str]:
    return {i.code for i in flow.items()} | {i.code for i in flow.intermediaries}


def _reasons(flow: DerivedFlow, code: str) -> list[Reason]:
    item = flow.item(code)
    if item is not None:
        return item.reasons
    for intermediary in flow.intermediaries:
        if intermediary.code == code:
            return intermediary.reasons
    for ruled_out in flow.ruled_out:
        if ruled_out.code == code:
            return ruled_out.reasons
    return []


def _materials(flow: DerivedFlow, code: str) -> list[str]:
    item = flow.item(code)
    assert item is not None, f"{code} 不在流程中"
    return [m.name for m in item.materials]


def _ids() -> list[str]:
    return [s["name"] for s in SCENARIOS]


# --- the scenarios themselves are what a filer could submit ---------------------------------------------------


def test_scenarios_are_many_and_uniquely_named() -> None:
    names = _ids()
    assert len(names) >= 18
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_ids())
def test_scenario_is_a_complete_and_valid_answer_set(scenario: dict[str, Any]) -> None:
    indicators = scenario["indicators"]
    assert unanswered(indicators) == [], "every applicable question is answered"
    asked = {q.key for q in applicable(indicators)}
    assert set(indicators) <= asked, f"answers to questions that are not asked: {set(indicators) - asked}"
    for key, value in indicators.items():
        assert value_problem(QUESTION_BY_KEY[key], value) is None, key
    assert consistency_problems(indicators) == {}
    for key in scenario.get("not_asked", []):
        assert key not in asked, f"{key} should not be asked"


# --- outcomes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_ids())
def test_scenario_outcome(document: RuleSetDocument, scenario: dict[str, Any]) -> None:
    flow = _flow(document, scenario)
    included = _included(flow)
    missing = [code for code in scenario["must"] if code not in included]
    unexpected = [code for code in scenario["must_not"] if code in included]
    assert not missing, f"missing: {missing}"
    assert not unexpected, f"should not be in the flow: {unexpected}"
    assert flow.skipped_rules == [], "a complete answer set leaves no rule unapplied"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_ids())
def test_scenario_reasons(document: RuleSetDocument, scenario: dict[str, Any]) -> None:
    flow = _flow(document, scenario)
    for code, wanted in scenario["reasons"].items():
        texts = [r.text for r in _reasons(flow, code)]
        assert texts, f"{code}: no reason given (neither included nor ruled out)"
        for fragment in [wanted] if isinstance(wanted, str) else wanted:
            assert any(fragment in text for text in texts), f"{code}: “{fragment}” not in {texts}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_ids())
def test_scenario_materials(document: RuleSetDocument, scenario: dict[str, Any]) -> None:
    flow = _flow(document, scenario)
    for code, names in scenario.get("materials", {}).items():
        materials = _materials(flow, code)
        for name in names:
            assert name in materials, f"{code}: {name} missing from {materials}"
            added = next(m for m in flow.item(code).materials if m.name == name)  # type: ignore[union-attr]
            if name not in document.approval(code).materials:  # type: ignore[union-attr]
                assert added.reason is not None and added.reason.legal_basis, f"{code}: {name} added without reason"
    for code, names in scenario.get("no_materials", {}).items():
        materials = _materials(flow, code)
        for name in names:
            assert name not in materials, f"{code}: {name} should not be asked for"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_ids())
def test_ruled_out_items_are_not_in_the_flow(document: RuleSetDocument, scenario: dict[str, Any]) -> None:
    flow = _flow(document, scenario)
    included = _included(flow)
    for ruled_out in flow.ruled_out:
        assert ruled_out.code not in included
        assert ruled_out.reasons and all(r.text for r in ruled_out.reasons), ruled_out.code


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_ids())
def test_every_included_item_has_a_reason_with_legal_basis(document: RuleSetDocument, scenario: dict[str, Any]) -> None:
    flow = _flow(document, scenario)
    for item in flow.items():
        assert any(r.text and r.legal_basis for r in item.reasons), f"{item.code} has no reason with a legal basis"
    for intermediary in flow.intermediaries:
        assert any(r.text and r.legal_basis for r in intermediary.reasons), intermediary.code


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_ids())
def test_flow_order_respects_dependencies(document: RuleSetDocument, scenario: dict[str, Any]) -> None:
    """Every prerequisite in the flow comes earlier, also when the one in between is not needed."""
    flow = _flow(document, scenario)
    position = {item.code: index for index, item in enumerate(flow.items())}
    assert [item.order for item in flow.items()] == sorted(item.order for item in flow.items())

    def needed_before(code: str, seen: frozenset[str]) -> Iterator[str]:
        approval = document.approval(code)
        for dep in approval.depends_on if approval else []:
            if dep in seen:
                continue
            if dep in position:
                yield dep
            else:
                yield from needed_before(dep, seen | {code})

    for item in flow.items():
        for dep in needed_before(item.code, frozenset()):
            assert position[dep] < position[item.code], f"{dep} must come before {item.code}"
            assert item.start_day >= next(i.finish_day for i in flow.items() if i.code == dep)
    assert flow.total_days == max((i.finish_day for i in flow.items()), default=0)


def test_every_approval_and_intermediary_occurs_in_some_scenario(document: RuleSetDocument) -> None:
    seen: set[str] = set()
    for scenario in SCENARIOS:
        seen |= _included(_flow(document, scenario))
    assert {a.code for a in document.approvals} - seen == set()
    assert {i.code for i in document.intermediaries} - seen == set()


def test_scenarios_cover_every_industry_and_project_type() -> None:
    industries = {s["indicators"].get("industry") for s in SCENARIOS}
    kinds = {s["indicators"]["project_type"] for s in SCENARIOS}
    assert set(INDUSTRIES) - industries == set()
    assert kinds == set(PROJECT_TYPES)


# --- the document itself -----------------------------------------------------------------------------------------


def test_every_approval_and_intermediary_is_reachable_by_a_rule(document: RuleSetDocument) -> None:
    added_approvals = {code for rule in document.rules if rule.enabled for code in rule.add_approvals}
    added_intermediaries = {code for rule in document.rules if rule.enabled for code in rule.add_intermediaries}
    assert {a.code for a in document.approvals} - added_approvals == set()
    assert {i.code for i in document.intermediaries} - added_intermediaries == set()


def test_references_are_known(document: RuleSetDocument) -> None:
    approvals = {a.code for a in document.approvals}
    intermediaries = {i.code for i in document.intermediaries}
    for approval in document.approvals:
        assert set(approval.depends_on) <= approvals, approval.code
    for intermediary in document.intermediaries:
        assert intermediary.serves and set(intermediary.serves) <= approvals, intermediary.code
    for rule in document.rules:
        assert set(rule.add_approvals) | set(rule.remove_approvals) <= approvals, rule.code
        assert set(rule.add_intermediaries) | set(rule.remove_intermediaries) <= intermediaries, rule.code
        for change in [*rule.add_materials, *rule.remove_materials]:
            assert change.approval in approvals, rule.code
        for change in rule.remove_materials:
            assert change.name in document.approval(change.approval).materials, rule.code  # type: ignore[union-attr]


def test_codes_are_unique(document: RuleSetDocument) -> None:
    for codes in (
        [a.code for a in document.approvals],
        [i.code for i in document.intermediaries],
        [r.code for r in document.rules],
    ):
        assert len(codes) == len(set(codes))


def test_dependencies_have_no_cycle(document: RuleSetDocument) -> None:
    def visit(code: str, path: tuple[str, ...]) -> None:
        assert code not in path, " → ".join((*path, code))
        for dep in document.approval(code).depends_on:  # type: ignore[union-attr]
            visit(dep, (*path, code))

    for approval in document.approvals:
        visit(approval.code, ())


def test_approvals_match_the_item_catalogue_and_departments(document: RuleSetDocument) -> None:
    items = {i["code"]: i for i in json.loads((SEED_DATA / "items.json").read_text(encoding="utf-8"))}
    departments = {d["code"] for d in json.loads((SEED_DATA / "departments.json").read_text(encoding="utf-8"))}
    for approval in document.approvals:
        assert approval.department_code in departments, approval.code
        assert 3 <= len(approval.materials) <= 7, approval.code
        assert approval.time_limit_days > 0, approval.code
        if approval.service_item_code:
            item = items.get(approval.service_item_code)
            assert item is not None, f"{approval.code}: unknown service item"
            assert item["department_code"] == approval.department_code, approval.code


def test_rules_are_well_formed(document: RuleSetDocument) -> None:
    placeholder = re.compile(r"\{([a-z_]+)\}")
    for rule in document.rules:
        compile_condition(rule.condition)
        assert rule.legal_basis, f"{rule.code} has no legal basis"
        for text in (rule.reason, rule.otherwise):
            assert set(placeholder.findall(text)) <= set(QUESTION_BY_KEY), rule.code
        literals = set(re.findall(r'"([^"]*)"', rule.condition))
        assert literals <= CHOICE_VALUES, f"{rule.code}: unknown choice {literals - CHOICE_VALUES}"
        assert rule.priority in (100, 200), rule.code
        removes = rule.remove_approvals or rule.remove_intermediaries or rule.remove_materials
        assert (rule.priority == 200) == bool(removes), f"{rule.code}: removals run after the additions"


def test_initial_document_is_a_fresh_copy() -> None:
    first = initial_document()
    first.rules.clear()
    assert initial_document().rules
