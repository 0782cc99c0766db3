"""The energy review and the 划拨 选址意见书 against the law itself: what a filer is told, and that the legal basis
each reason cites is the stored article that says so.

Labels come from DOMAIN.md (节能审查 and Land entries), not from engine output: since 2025-09-01 a separate energy
review is needed at ≥ 1,000 t standard coal or ≥ 1,000 t of coal a year (国家发展改革委令2025年第31号第八条), the
electricity test is gone, and inside an area with a regional review a project below the provincial 10,000 t goes by
notify-and-commit (第十一条); a 选址意见书 is needed for allocated land only when the project needs 审批 or 核准
(《城乡规划法》第三十六条).
"""

import json
from pathlib import Path
from typing import Any

import pytest

from core.rules.engine import DerivedFlow, Reason, derive
from core.rules.indicators import QUESTION_BY_KEY, applicable, unanswered, value_problem
from core.rules.seed import initial_document
from knowledge.citations import parse

LAWS: dict[str, dict[str, Any]] = {
    law["title"]: law
    for law in json.loads((Path(__file__).parents[2] / "knowledge" / "seed" / "laws.json").read_text("utf-8"))
}
ENERGY_2025 = "固定资产投资项目节能审查和碳排放评价办法"
ENERGY_2023 = "固定资产投资项目节能审查办法"
PLANNING = "中华人民共和国城乡规划法"

FACTORY: dict[str, Any] = {
    "investor": "enterprise",
    "in_approval_catalogue": False,
    "project_type": "industrial",
    "civil_building": False,
    "new_land": True,
    "land_supply": "transfer",
    "total_investment": 60_000_000,
    "floor_area": 20_000,
    "has_basement": False,
    "energy_tce": 500,
    "electricity_kwh": 1_000_000,
    "coal_tonnes": 0,
    "industry": "equipment",
    "sewage_to_network": True,
    "digs_road": False,
    "bridge_pipeline": False,
    "moves_trees": False,
    "occupies_green_space": False,
    "outdoor_advertising": False,
}


def _answers(**changes: Any) -> dict[str, Any]:
    answers = {**FACTORY, **changes}
    if "regional_energy_review" in {q.key for q in applicable(answers)} and "regional_energy_review" not in answers:
        answers["regional_energy_review"] = False
    assert unanswered(answers) == [], "a complete answer set"
    return answers


def _flow(**changes: Any) -> DerivedFlow:
    return derive(_answers(**changes), initial_document(), version=1)


def _reasons(flow: DerivedFlow, code: str) -> list[Reason]:
    item = flow.item(code)
    if item is not None:
        return item.reasons
    return next((r.reasons for r in flow.ruled_out if r.code == code), [])


def _article(title: str, number: str) -> dict[str, Any]:
    law = LAWS[title]
    return next(a for a in law["articles"] if a["no"] == number)


def _cites(reason: Reason, title: str, number: str) -> bool:
    return any(c.title == title and number in c.articles for c in parse(reason.legal_basis))


# --- the stored law says what the rules rely on -----------------------------------------------------------------


def test_the_2025_measure_is_stored_in_force_with_article_8_in_full() -> None:
    law = LAWS[ENERGY_2025]
    assert law["doc_no"] == "国家发展和改革委员会令2025年第31号" and law["effective_on"] == "2025-09-01"
    assert law.get("legal_status", "in_force") == "in_force"
    eighth = _article(ENERGY_2025, "第八条")
    assert not eighth.get("summary")
    assert "年综合能源消费量不满1000吨标准煤且年煤炭消费量不满1000吨的固定资产投资项目" in eighth["text"]
    assert "10000吨标准煤及以上（或年煤炭消费量10000吨及以上）" in eighth["text"]
    assert "电力消费量" not in eighth["text"]
    assert "节能审查实行告知承诺制" in _article(ENERGY_2025, "第十一条")["text"]


def test_the_2023_measure_is_stored_repealed_and_replaced_by_the_2025_one() -> None:
    law = LAWS[ENERGY_2023]
    assert law["legal_status"] == "repealed" and law["repealed_on"] == "2025-09-01"
    assert law["replaced_by"] == ENERGY_2025
    assert all(article.get("summary") for article in law["articles"]), "without the original wording: 摘要"
    assert "年电力消费量不满500万千瓦时" in _article(ENERGY_2023, "第八条")["text"]


# --- energy review: both sides of each threshold ---------------------------------------------------------------

ENERGY_CASES = [
    # (label, answers, review needed, fragments of the reason the filer reads)
    ("999 tce, no coal", {"energy_tce": 999}, False, ["999吨标准煤", "不满1000吨标准煤"]),
    ("1000 tce, no coal", {"energy_tce": 1000}, True, ["1,000吨标准煤", "达到1000吨标准煤"]),
    ("999 t coal at 950 tce", {"energy_tce": 950, "coal_tonnes": 999}, False, ["999吨", "不满1000吨"]),
    ("1000 t coal at 950 tce", {"energy_tce": 950, "coal_tonnes": 1000}, True, ["年煤炭消费量 1,000吨", "达到1000吨"]),
    ("coal alone: 1300 t at 950 tce", {"energy_tce": 950, "coal_tonnes": 1300}, True, ["1,300吨", "950吨标准煤"]),
    (
        "electricity alone: 900 tce, 6,000,000 kWh",
        {"energy_tce": 900, "electricity_kwh": 6_000_000},
        False,
        ["600万千瓦时", "不再作为是否需要节能审查的标准"],
    ),
    ("electricity alone: 50,000,000 kWh", {"energy_tce": 300, "electricity_kwh": 50_000_000}, False, ["5,000万千瓦时"]),
]


@pytest.mark.parametrize(("label", "changes", "needed", "fragments"), ENERGY_CASES, ids=[c[0] for c in ENERGY_CASES])
def test_energy_review_follows_article_8(
    label: str, changes: dict[str, Any], needed: bool, fragments: list[str]
) -> None:
    flow = _flow(**changes)
    assert (flow.item("energy_review") is not None) == needed, label
    assert any(i.code == "energy_report" for i in flow.intermediaries) == needed, label
    reasons = _reasons(flow, "energy_review")
    assert reasons, "the filer is told why, either way"
    for fragment in fragments:
        assert any(fragment in r.text for r in reasons), (fragment, [r.text for r in reasons])
    for reason in reasons:
        assert _cites(reason, ENERGY_2025, "第八条"), reason.legal_basis
        assert "2025年第31号" in reason.legal_basis and ENERGY_2023 + "》" not in reason.legal_basis
    assert "500万千瓦时" not in " ".join(r.text for r in reasons), "the repealed electricity test is never cited"


def test_the_regional_question_is_asked_only_where_a_review_below_provincial_level_is_needed() -> None:
    def asked(**changes: Any) -> bool:
        return "regional_energy_review" in {q.key for q in applicable({**FACTORY, **changes})}

    assert not asked(energy_tce=999, coal_tonnes=999)
    assert asked(energy_tce=1000, coal_tonnes=0) and asked(energy_tce=10, coal_tonnes=1000)
    assert asked(energy_tce=9999, coal_tonnes=9999)
    assert not asked(energy_tce=10000, coal_tonnes=0) and not asked(energy_tce=3000, coal_tonnes=10000)
    assert not asked(energy_tce=3000, coal_tonnes=None), "not before both figures are in"
    assert "coal_tonnes" in {q.key for q in applicable({"project_type": "renovation"})}, "asked with the energy figures"


def test_inside_a_regionally_reviewed_area_the_review_goes_by_notify_and_commit() -> None:
    flow = _flow(energy_tce=3000, regional_energy_review=True)
    review = flow.item("energy_review")
    assert review is not None
    commitment = next(m for m in review.materials if m.name == "节能审查告知承诺书")
    assert commitment.reason is not None and "告知承诺制" in commitment.reason.text
    route = [r for r in review.reasons if "告知承诺制" in r.text]
    assert route and "已实施区域节能审查的区域" in route[0].text
    assert _cites(route[0], ENERGY_2025, "第十一条")
    assert "节能审查实行告知承诺制" in _article(ENERGY_2025, "第十一条")["text"]


def test_outside_such_an_area_or_at_provincial_level_there_is_no_commitment_route() -> None:
    for changes in ({"energy_tce": 3000, "regional_energy_review": False}, {"energy_tce": 9500, "coal_tonnes": 12_000}):
        review = _flow(**changes).item("energy_review")
        assert review is not None
        assert "节能审查告知承诺书" not in [m.name for m in review.materials], changes
        assert not any("告知承诺制" in r.text for r in review.reasons), changes


def test_coal_use_is_checked_like_the_other_figures() -> None:
    coal = QUESTION_BY_KEY["coal_tonnes"]
    assert coal.unit == "吨" and coal.kind == "number"
    assert value_problem(coal, 1300.0) is None and value_problem(coal, 0) is None
    assert value_problem(coal, -1) == "年煤炭消费量不能为负数"
    assert value_problem(coal, "很多") == "年煤炭消费量应为数字（单位：吨）"
    assert "超出合理范围" in (value_problem(coal, 2e8) or "")


# --- 划拨: a 选址意见书 only for projects that need 审批 or 核准 --------------------------------------------------

LAND_CASES = [
    ("government (审批), allocated", {"investor": "government", "in_approval_catalogue": None}, True, "审批制"),
    ("catalogue enterprise (核准), allocated", {"in_approval_catalogue": True}, True, "核准制"),
    ("enterprise filing (备案), allocated", {}, False, "实行备案制"),
]


@pytest.mark.parametrize(("label", "changes", "needed", "fragment"), LAND_CASES, ids=[c[0] for c in LAND_CASES])
def test_site_selection_for_allocated_land_follows_article_36(
    label: str, changes: dict[str, Any], needed: bool, fragment: str
) -> None:
    answers = {k: v for k, v in {**changes, "land_supply": "allocated"}.items() if v is not None}
    if answers.get("investor") == "government":
        answers["in_approval_catalogue"] = None
    flow = _flow(**answers)
    assert (flow.item("site_selection") is not None) == needed, label
    reasons = _reasons(flow, "site_selection")
    assert any(fragment in r.text for r in reasons), [r.text for r in reasons]
    assert all(_cites(r, PLANNING, "第三十六条") for r in reasons), [r.legal_basis for r in reasons]
    article = _article(PLANNING, "第三十六条")["text"]
    assert "按照国家规定需要有关部门批准或者核准的建设项目，以划拨方式提供国有土地使用权的" in article
    assert "前款规定以外的建设项目不需要申请选址意见书" in article
    permit = flow.item("land_use_permit")
    assert permit is not None and "国有建设用地划拨决定书" in [m.name for m in permit.materials]
    assert ("建设项目用地预审与选址意见书" in [m.name for m in permit.materials]) == needed


def test_transferred_land_needs_no_site_selection_whatever_the_investment_regime() -> None:
    for changes in ({}, {"in_approval_catalogue": True}):
        flow = _flow(**changes)
        assert flow.item("site_selection") is None
        assert any("出让" in r.text for r in _reasons(flow, "site_selection"))
