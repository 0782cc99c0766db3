"""The engine's semantics on small hand-made rule sets, and the checks on rule conditions."""

from typing import Any

import pytest

from core.rules.conditions import ConditionError, compile_condition, holds
from core.rules.document import ApprovalDef, IntermediaryDef, MaterialChange, RuleDef, RuleSetDocument
from core.rules.engine import DerivedFlow, derive, fill

# A filer's answers for an enterprise project on transferred land; tests override what they need.
BASE: dict[str, Any] = {
    "investor": "enterprise",
    "in_approval_catalogue": False,
    "project_type": "industrial",
    "new_land": True,
    "land_supply": "transfer",
    "total_investment": 5_000_000,
    "floor_area": 2_000,
    "civil_building": False,
    "has_basement": False,
    "energy_tce": 100,
    "electricity_kwh": 1_000_000,
    "coal_tonnes": 0,
    "industry": "equipment",
    "sewage_to_network": False,
    "digs_road": False,
    "bridge_pipeline": False,
    "moves_trees": False,
    "occupies_green_space": False,
    "outdoor_advertising": False,
}


def approval(
    code: str, days: int = 5, depends_on: tuple[str, ...] = (), stage: str = "land_planning", **kw: Any
) -> ApprovalDef:
    return ApprovalDef(
        code=code,
        name=f"审批{code}",
        stage=stage,
        department_code="D01",
        time_limit_days=days,
        depends_on=list(depends_on),
        **kw,
    )


def rule(code: str, condition: str, reason: str = "理由", priority: int = 100, **kw: Any) -> RuleDef:
    return RuleDef(
        code=code,
        name=f"规则{code}",
        condition=condition,
        reason=reason,
        priority=priority,
        legal_basis="某法第一条",
        **kw,
    )


def run(document: RuleSetDocument, **answers: Any) -> DerivedFlow:
    return derive({**BASE, **answers}, document, version=7)


def codes(flow: DerivedFlow) -> list[str]:
    return [i.code for i in flow.items()]


def ruled_out(flow: DerivedFlow) -> dict[str, list[str]]:
    return {r.code: [reason.text for reason in r.reasons] for r in flow.ruled_out}


# --- priority and removal ---------------------------------------------------------------------------------------


def test_a_later_removal_beats_an_earlier_addition_and_gives_its_reason() -> None:
    document = RuleSetDocument(
        approvals=[approval("permit")],
        rules=[
            rule("add_permit", "total_investment >= 300000", "达到限额", add_approvals=["permit"]),
            rule("small_area", "floor_area < 3000", "面积不足，免办", priority=200, remove_approvals=["permit"]),
        ],
    )
    flow = run(document)
    assert codes(flow) == []
    out = next(r for r in flow.ruled_out if r.code == "permit")
    assert [r.rule_code for r in out.reasons] == ["small_area"]
    assert out.reasons[0].text == "面积不足，免办"
    assert out.kind == "approval" and out.name == "审批permit"


def test_rules_run_by_priority_not_by_position() -> None:
    document = RuleSetDocument(
        approvals=[approval("permit")],
        rules=[
            rule("late_add", "true", "最后加入", priority=300, add_approvals=["permit"]),
            rule("early_remove", "true", "先去掉", priority=200, remove_approvals=["permit"]),
        ],
    )
    flow = run(document)
    assert codes(flow) == ["permit"]
    assert [r.text for r in flow.items()[0].reasons] == ["最后加入"]
    assert "permit" not in ruled_out(flow)


def test_equal_priority_runs_in_code_order() -> None:
    document = RuleSetDocument(
        approvals=[approval("permit")],
        rules=[
            rule("b_remove", "true", "去掉", remove_approvals=["permit"]),
            rule("a_add", "true", "加入", add_approvals=["permit"]),
        ],
    )
    assert codes(run(document)) == []


def test_disabled_rules_do_nothing() -> None:
    document = RuleSetDocument(
        approvals=[approval("permit")],
        rules=[rule("add", "true", add_approvals=["permit"], enabled=False)],
    )
    flow = run(document)
    assert codes(flow) == [] and flow.ruled_out == []


# --- otherwise ----------------------------------------------------------------------------------------------------


def test_otherwise_lists_what_an_unmatched_rule_would_have_added() -> None:
    document = RuleSetDocument(
        approvals=[approval("energy"), approval("quiet")],
        intermediaries=[IntermediaryDef(code="report", name="节能报告编制", serves=["energy"])],
        rules=[
            rule(
                "energy",
                "energy_tce >= 1000",
                "达到标准",
                add_approvals=["energy"],
                add_intermediaries=["report"],
                otherwise="年综合能耗 {energy_tce}，低于标准",
            ),
            rule("quiet", "digs_road", "挖路", add_approvals=["quiet"]),  # no otherwise: not listed
        ],
    )
    flow = run(document, energy_tce=999)
    assert codes(flow) == [] and flow.intermediaries == []
    out = ruled_out(flow)
    assert out == {"energy": ["年综合能耗 999吨标准煤，低于标准"], "report": ["年综合能耗 999吨标准煤，低于标准"]}
    assert {r.code: r.kind for r in flow.ruled_out} == {"energy": "approval", "report": "intermediary"}


def test_otherwise_is_not_listed_when_another_rule_adds_the_item() -> None:
    document = RuleSetDocument(
        approvals=[approval("energy")],
        rules=[
            rule("by_coal", "energy_tce >= 1000", "煤", add_approvals=["energy"], otherwise="均低于标准"),
            rule("by_power", "electricity_kwh >= 5000000", "电", add_approvals=["energy"]),
        ],
    )
    flow = run(document, energy_tce=10, electricity_kwh=6_000_000)
    assert codes(flow) == ["energy"]
    assert [r.text for r in flow.items()[0].reasons] == ["电"]
    assert flow.ruled_out == []


def test_a_removal_reason_wins_over_an_otherwise_text() -> None:
    document = RuleSetDocument(
        approvals=[approval("permit")],
        rules=[
            rule("add", "floor_area >= 300", add_approvals=["permit"], otherwise="面积不足"),
            rule("exempt", "total_investment < 300000", "投资不足", priority=200, remove_approvals=["permit"]),
        ],
    )
    flow = run(document, floor_area=100, total_investment=100_000)
    assert ruled_out(flow) == {"permit": ["投资不足"]}


# --- not asked --------------------------------------------------------------------------------------------------


def test_a_rule_needing_a_number_that_was_not_asked_is_skipped() -> None:
    document = RuleSetDocument(
        approvals=[approval("energy")],
        rules=[rule("energy", "energy_tce >= 1000", add_approvals=["energy"], otherwise="低于标准")],
    )
    flow = run(document, energy_tce=None)
    assert flow.skipped_rules == ["energy"]
    assert codes(flow) == [] and flow.ruled_out == []


def test_a_guard_keeps_a_rule_applicable_when_the_number_is_not_needed() -> None:
    document = RuleSetDocument(
        approvals=[approval("xx")],
        rules=[rule("xx", 'project_type != "renovation" and energy_tce >= 1000', add_approvals=["xx"])],
    )
    flow = run(document, project_type="renovation", alters_structure_or_facade=False, energy_tce=None)
    assert flow.skipped_rules == []


def test_answers_to_questions_that_do_not_apply_are_ignored() -> None:
    document = RuleSetDocument(
        approvals=[approval("catalogue")],
        rules=[rule("catalogue", "in_approval_catalogue", add_approvals=["catalogue"])],
    )
    flow = run(document, investor="government", in_approval_catalogue=True)
    assert codes(flow) == []
    assert flow.indicators["in_approval_catalogue"] is None


# --- order and timing -----------------------------------------------------------------------------------------------


def test_a_dependency_passes_through_an_excluded_approval() -> None:
    document = RuleSetDocument(
        approvals=[
            approval("aa", days=4),
            approval("bb", days=6, depends_on=("aa",)),
            approval("cc", days=2, depends_on=("bb",), stage="engineering"),
        ],
        rules=[rule("base", "true", add_approvals=["aa", "cc"])],
    )
    flow = run(document)
    assert codes(flow) == ["aa", "cc"]
    c = flow.item("cc")
    assert c is not None
    assert c.depends_on == ["aa"]
    assert (c.start_day, c.finish_day) == (4, 6)


def test_order_follows_dependencies_across_catalogue_position() -> None:
    document = RuleSetDocument(
        approvals=[approval("late", depends_on=("early",)), approval("early")],
        rules=[rule("base", "true", add_approvals=["late", "early"])],
    )
    flow = run(document)
    assert codes(flow) == ["early", "late"]
    assert [i.order for i in flow.items()] == [1, 2]


def test_total_days_is_the_critical_path() -> None:
    document = RuleSetDocument(
        approvals=[
            approval("aa", days=5),
            approval("bb", days=10),
            approval("cc", days=3, depends_on=("aa",)),
            approval("dd", days=2, depends_on=("aa", "bb"), stage="construction"),
        ],
        rules=[rule("base", "true", add_approvals=["aa", "bb", "cc", "dd"])],
    )
    flow = run(document)
    timing = {i.code: (i.start_day, i.finish_day) for i in flow.items()}
    assert timing == {"aa": (0, 5), "bb": (0, 10), "cc": (5, 8), "dd": (10, 12)}
    assert flow.total_days == 12  # b → d, not the sum of all limits (20)


def test_items_are_grouped_into_the_four_stages() -> None:
    document = RuleSetDocument(
        approvals=[approval("done", stage="completion"), approval("start")],
        rules=[rule("base", "true", add_approvals=["done", "start"])],
    )
    flow = run(document)
    assert [s.code for s in flow.stages] == ["land_planning", "engineering", "construction", "completion"]
    assert [[i.code for i in s.items] for s in flow.stages] == [["start"], [], [], ["done"]]
    assert flow.rule_set_version == 7


def test_department_names_are_filled_in() -> None:
    document = RuleSetDocument(approvals=[approval("aa")], rules=[rule("base", "true", add_approvals=["aa"])])
    flow = derive(BASE, document, version=1, department_names={"D01": "审批局"})
    assert flow.items()[0].department_name == "审批局"


# --- materials ----------------------------------------------------------------------------------------------------


def test_rules_add_and_remove_materials_with_their_reason() -> None:
    document = RuleSetDocument(
        approvals=[approval("civil", materials=["申请表", "设计方案", "易地建设申请"])],
        rules=[
            rule("base", "true", add_approvals=["civil"]),
            rule(
                "basement",
                "has_basement",
                "建设地下室，结合修建防空地下室",
                add_materials=[MaterialChange(approval="civil", name="防空地下室设计图纸")],
                remove_materials=[MaterialChange(approval="civil", name="易地建设申请")],
            ),
            rule("elsewhere", "true", add_materials=[MaterialChange(approval="absent", name="不会出现")]),
        ],
    )
    item = run(document, has_basement=True).item("civil")
    assert item is not None
    assert [m.name for m in item.materials] == ["申请表", "设计方案", "防空地下室设计图纸"]
    assert item.materials[0].reason is None
    added = item.materials[-1].reason
    assert added is not None and added.rule_code == "basement" and added.text == "建设地下室，结合修建防空地下室"

    unchanged = run(document, has_basement=False).item("civil")
    assert unchanged is not None
    assert [m.name for m in unchanged.materials] == ["申请表", "设计方案", "易地建设申请"]


def test_a_material_added_twice_appears_once() -> None:
    document = RuleSetDocument(
        approvals=[approval("aa", materials=["申请表"])],
        rules=[
            rule("base", "true", add_approvals=["aa"]),
            rule("one", "true", "一", add_materials=[MaterialChange(approval="aa", name="节能审查意见")]),
            rule("two", "true", "二", add_materials=[MaterialChange(approval="aa", name="节能审查意见")]),
        ],
    )
    item = run(document).item("aa")
    assert item is not None
    assert [m.name for m in item.materials] == ["申请表", "节能审查意见"]


# --- intermediaries -------------------------------------------------------------------------------------------------


def test_intermediaries_serve_only_approvals_in_the_flow() -> None:
    document = RuleSetDocument(
        approvals=[approval("permit"), approval("fire")],
        intermediaries=[IntermediaryDef(code="drawings", name="施工图审查", serves=["permit", "fire"])],
        rules=[rule("base", "true", "理由", add_approvals=["permit"], add_intermediaries=["drawings"])],
    )
    flow = run(document)
    assert [(i.code, i.serves) for i in flow.intermediaries] == [("drawings", ["permit"])]
    assert flow.item("permit").intermediaries == ["drawings"]  # type: ignore[union-attr]
    assert flow.intermediaries[0].reasons[0].legal_basis == "某法第一条"


# --- placeholders -------------------------------------------------------------------------------------------------


def test_placeholders_are_filled_with_units() -> None:
    document = RuleSetDocument(
        approvals=[approval("permit")],
        rules=[
            rule(
                "small",
                "total_investment < 300000",
                "总投资 {total_investment}、面积 {floor_area}、用电 {electricity_kwh}，{land_supply}用地",
                remove_approvals=["permit"],
                priority=200,
            ),
        ],
    )
    flow = run(document, total_investment=250_000, floor_area=1_200, electricity_kwh=3_000_000)
    assert ruled_out(flow)["permit"] == ["总投资 25万元、面积 1,200平方米、用电 300万千瓦时，出让用地"]


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("总投资 {total_investment}", {"total_investment": 250000}, "总投资 25万元"),
        ("能耗 {energy_tce}", {"energy_tce": 999}, "能耗 999吨标准煤"),
        ("{investor}项目", {"investor": "government"}, "政府投资项目"),
        ("地下室：{has_basement}", {"has_basement": False}, "地下室：否"),
        ("未填：{energy_tce}", {}, "未填：—"),
        ("无占位符", {}, "无占位符"),
    ],
)
def test_fill(template: str, values: dict[str, Any], expected: str) -> None:
    assert fill(template, values) == expected


# --- conditions ---------------------------------------------------------------------------------------------------


def test_an_unknown_indicator_is_named_in_the_error() -> None:
    with pytest.raises(ConditionError, match="annual_energy"):
        compile_condition("annual_energy >= 1000")


@pytest.mark.parametrize("text", ["investor ==", "energy_tce >= >= 1000", "(digs_road"])
def test_a_syntax_error_is_a_condition_error(text: str) -> None:
    with pytest.raises(ConditionError, match="语法错误"):
        compile_condition(text)


def test_a_type_mismatch_is_a_condition_error() -> None:
    with pytest.raises(ConditionError):
        compile_condition('total_investment >= "很多"')


def test_holds() -> None:
    assert holds('investor == "enterprise" and not in_approval_catalogue', BASE) is True
    assert holds("total_investment >= 300000 and floor_area >= 300", {**BASE, "floor_area": 299}) is False
    assert holds('industry in ["chemical", "pharmaceutical"]', BASE) is False
    assert holds("energy_tce >= 1000", {**BASE, "energy_tce": None}) is None


def test_a_bad_condition_cannot_enter_a_derivation() -> None:
    document = RuleSetDocument(rules=[rule("bad", "nonsense > 1")])
    with pytest.raises(ConditionError):
        run(document)


def test_a_choice_value_the_question_does_not_offer_is_refused() -> None:
    with pytest.raises(ConditionError, match=r"chemcial.*所属行业"):
        compile_condition('industry in ["chemical", "chemcial"]')
    with pytest.raises(ConditionError, match=r"factory.*项目类型"):
        compile_condition('project_type == "factory"')
    assert compile_condition('land_supply == "existing"') is not None


def test_reasons_never_round_a_figure_across_a_threshold() -> None:
    assert fill("年用电 {electricity_kwh}", {"electricity_kwh": 4_999_999.0}) == "年用电 4,999,999千瓦时"
    assert fill("总投资 {total_investment}", {"total_investment": 299_999.0}) == "总投资 299,999元"
    assert fill("总投资 {total_investment}", {"total_investment": 300_000.0}) == "总投资 30万元"


def test_comparing_a_number_or_yes_no_answer_with_text_is_refused() -> None:
    with pytest.raises(ConditionError, match="不是选择题"):
        compile_condition('total_investment == "big"')
    with pytest.raises(ConditionError, match="类型不一致"):
        compile_condition("investor > 5")
