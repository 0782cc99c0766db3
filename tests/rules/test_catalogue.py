"""Issue 16: each approval a flow can hold is a catalogue item — one name, one guide link — and the land a new
project is built on is registered (国有建设用地使用权首次登记) before its construction permit, which asks for the
用地批准手续 (《建筑工程施工许可管理办法》第四条)."""

import json
from typing import Any

from core.rules.document import RuleSetDocument
from core.rules.engine import derive
from core.rules.seed import initial_document
from core.rules.seed.updates import CATALOGUE_2026
from tests.rules.test_scenarios import SCENARIOS, SEED_DATA

ITEMS: dict[str, dict[str, Any]] = {
    i["code"]: i for i in json.loads((SEED_DATA / "items.json").read_text(encoding="utf-8"))
}


def derivable(document: RuleSetDocument) -> set[str]:
    """Every approval some rule can put into a flow, and every approval those depend on."""
    codes = {code for rule in document.rules for code in rule.add_approvals}
    while True:
        more = {d for c in codes if (a := document.approval(c)) is not None for d in a.depends_on} - codes
        if not more:
            return codes
        codes |= more


def test_every_derivable_approval_is_a_catalogue_item_of_the_same_name() -> None:
    document = initial_document()
    wrong = []
    for code in sorted(derivable(document)):
        approval = document.approval(code)
        assert approval is not None, code
        item = ITEMS.get(approval.service_item_code)
        if item is None:
            wrong.append(f"{code} {approval.name}: no catalogue item")
        elif item["name"] != approval.name or item["department_code"] != approval.department_code:
            wrong.append(f"{code}: {approval.name} ≠ {item['name']}")
    assert not wrong, "\n".join(wrong)


def test_every_scenario_flow_links_each_approval_to_its_guide() -> None:
    document = initial_document()
    for scenario in SCENARIOS:
        flow = derive(scenario["indicators"], document, version=1)
        for item in flow.items():
            approval = document.approval(item.code)
            assert approval is not None and approval.service_item_code in ITEMS, (scenario.get("name"), item.code)


def test_new_land_is_registered_before_the_construction_permit() -> None:
    document = initial_document()
    new_land = [s for s in SCENARIOS if s["indicators"].get("land_supply") in ("allocated", "transfer")]
    assert new_land
    for scenario in new_land:
        flow = derive(scenario["indicators"], document, version=1)
        codes = {i.code for i in flow.items()}
        assert "land_registration" in codes, scenario.get("name")
        permit = flow.item("construction_permit")
        if permit is not None:
            registration = flow.item("land_registration")
            assert registration is not None and registration.finish_day <= permit.start_day
    existing = [s for s in SCENARIOS if s["indicators"].get("land_supply") == "existing"]
    for scenario in existing:
        assert flow_codes(document, scenario) & {"land_registration"} == set(), scenario.get("name")


def flow_codes(document: RuleSetDocument, scenario: dict[str, Any]) -> set[str]:
    return {i.code for i in derive(scenario["indicators"], document, version=1).items()}


def test_the_catalogue_update_brings_an_old_rule_set_in_line() -> None:
    """A database seeded before: its rule set gets the land registration and the catalogue names."""
    old = initial_document()
    old.approvals = [a for a in old.approvals if a.code != "land_registration"]
    for approval in old.approvals:
        if approval.code == "outdoor_ad":
            approval.name = "户外广告设置审批"
        if approval.code == "construction_permit":
            approval.depends_on = [d for d in approval.depends_on if d != "land_registration"]
    land_new = old.rule("land_new")
    assert land_new is not None
    land_new.add_approvals = ["land_use_permit"]
    updated = CATALOGUE_2026.apply(old)
    assert updated.approval("land_registration") is not None
    assert updated.approval("outdoor_ad").name == "户外广告设置的审批"  # type: ignore[union-attr]
    assert "land_registration" in updated.rule("land_new").add_approvals  # type: ignore[union-attr]
    assert CATALOGUE_2026.apply(initial_document()) == initial_document()
