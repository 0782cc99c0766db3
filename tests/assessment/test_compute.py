"""An assessment computed on the November fixture (tests/assessment/conftest.py) equals the table worked out by hand
here, and changing a weight and recomputing the draft changes the ranking as the hand calculation says."""

from typing import Any

from fastapi.testclient import TestClient

from tests.assessment.conftest import S1, S2, compute, post, scheme, table
from tests.world import World

# ---------------------------------------------------------------- the indicator scores, by hand
#
# A (城市管理局)
#   按时办结率: concluded in November a1, a2, a3; on time a1, a3             → 2/3 = 0.6667 → 66.67
#   用时比:     used 3 + 9 + 4 = 16 days, promised 7 + 7 + 7 = 21 days        → 16/21 = 0.7619
#               score 100 × (1.5 − 0.7619) = 73.81
#   逾期办件数: a2 (concluded late), a4 (open past due) of 4 in handling      → 2 → 100 − 2 × 10 = 80.00
#   预警按时签收率: w1 in time, w2 late (w3 ended unsigned before its deadline: not counted) → 1/2 → 50.00
#   预警销警率: w1 closed, w2 not (w3 ended by itself: not counted)           → 1/2 → 50.00
#   节点按时完成率: n1 on time, n2 late, n3 not done (n4 skipped, n5 December) → 1/3 = 0.3333 → 33.33
#   监管反馈及时率: no push to A                                              → 不涉及
#   差评按时整改率: r1 in time, r2 late                                        → 1/2 → 50.00
# B (生态环境分局)
#   按时办结率: b1, b2 both on time                                            → 2/2 → 100.00
#   用时比:     used 1 + 1.5 = 2.5 days, promised 2 + 2 = 4 days              → 0.625 → 100 × 0.875 = 87.50
#   逾期办件数: none of 2                                                      → 0 → 100.00
#   监管反馈及时率: p1 in time, p2 not fed back, p3 never claimed              → 1/3 = 0.3333 → 33.33
#   warnings, nodes, ratings: none                                            → 不涉及
# C (消防救援大队): nothing in November                                        → no total, not ranked
A_SCORES = {
    "case_on_time_rate": 66.67,
    "handling_time_ratio": 73.81,
    "overdue_count": 80.0,
    "warning_sign_rate": 50.0,
    "warning_close_rate": 50.0,
    "node_on_time_rate": 33.33,
    "supervision_feedback_rate": None,
    "bad_rating_follow_up_rate": 50.0,
}
B_SCORES = {
    "case_on_time_rate": 100.0,
    "handling_time_ratio": 87.5,
    "overdue_count": 100.0,
    "warning_sign_rate": None,
    "warning_close_rate": None,
    "node_on_time_rate": None,
    "supervision_feedback_rate": 33.33,
    "bad_rating_follow_up_rate": None,
}

# ---------------------------------------------------------------- the totals under S1 (30, then 10 each), by hand
#
# total = Σ weight × score ÷ Σ weight of the indicators that apply
# A: 30×66.67 + 10×73.81 + 10×80 + 10×50 + 10×50 + 10×33.33 + 10×50 = 2000.1 + 738.1 + 800 + 500 + 500 + 333.3 + 500
#    = 5371.5; weights that apply 30 + 6×10 = 90                       → 5371.5 / 90 = 59.683… → 59.68
# B: 30×100 + 10×87.5 + 10×100 + 10×33.33 = 3000 + 875 + 1000 + 333.3 = 5208.3; weights 60 → 86.805 → 86.81
# Ranking: B 1st, A 2nd; C not ranked.
S1_TABLE = {
    "生态环境分局": (86.81, 1, B_SCORES),
    "城市管理局": (59.68, 2, A_SCORES),
    "消防救援大队": (None, None, dict.fromkeys(S1)),
}

# ---------------------------------------------------------------- the totals under S2 (supervision 65, others 5)
#
# A: 5 × (66.67 + 73.81 + 80 + 50 + 50 + 33.33 + 50) = 5 × 403.81 = 2019.05; weights 7×5 = 35 → 57.687… → 57.69
# B: 5×100 + 5×87.5 + 5×100 + 65×33.33 = 500 + 437.5 + 500 + 2166.45 = 3603.95; weights 80 → 45.049… → 45.05
# Ranking: A 1st, B 2nd.
S2_TABLE = {
    "城市管理局": (57.69, 1, A_SCORES),
    "生态环境分局": (45.05, 2, B_SCORES),
    "消防救援大队": (None, None, dict.fromkeys(S2)),
}


def test_the_computed_assessment_equals_the_table_worked_out_by_hand(
    client: TestClient, world: World, november: dict[str, Any]
) -> None:
    made = scheme(client, world, S1)
    draft = compute(client, world, made["id"])
    assert draft["status"] == "draft" and draft["version"] == 1 and draft["period_label"] == "2026年11月"
    assert table(draft) == S1_TABLE
    assert [r["department_name"] for r in draft["results"]] == ["生态环境分局", "城市管理局", "消防救援大队"]
    assert draft["ranked_count"] == 2
    a = next(r for r in draft["results"] if r["department_name"] == "城市管理局")
    measured = {s["indicator"]: (s["numerator"], s["denominator"], s["value_text"]) for s in a["scores"]}
    assert measured["case_on_time_rate"] == (2, 3, "66.67%")
    assert measured["handling_time_ratio"] == (16, 21, "0.76")
    assert measured["overdue_count"] == (2, 4, "2 件")
    assert measured["supervision_feedback_rate"] == (0, 0, "不涉及")


def test_each_score_lists_what_it_counted_and_why(client: TestClient, world: World, november: dict[str, Any]) -> None:
    draft = compute(client, world, scheme(client, world, S1)["id"])
    base = f"/api/v1/assessment/assessments/{draft['id']}/departments/{world.dept_a.id}/explanation"

    def explained(indicator: str) -> dict[str, Any]:
        response = client.get(base, params={"indicator": indicator}, headers=world.auth("admin"))
        assert response.status_code == 200, response.text
        return dict(response.json())

    on_time = explained("case_on_time_rate")
    # the late one first, then the ones on time; each with its number and why
    assert [(i["number"], i["good"]) for i in on_time["items"]] == [
        (november["a2"].case_no, False),
        (november["a1"].case_no, True),
        (november["a3"].case_no, True),
    ]
    assert on_time["listed"] == on_time["denominator"] == 3 and on_time["listed_good"] == on_time["numerator"] == 2
    assert "承诺 2026-11-10 09:00 前办结，实际 2026-11-12 09:00 办结，超时" in on_time["items"][0]["why"]
    assert on_time["items"][0]["link"] == f"/admin/cases/{november['a2'].id}"
    overdue = explained("overdue_count")
    assert {i["number"] for i in overdue["items"]} == {november["a2"].case_no, november["a4"].case_no}
    assert any("至今未办结" in i["why"] for i in overdue["items"])
    signing = explained("warning_sign_rate")
    assert [i["id"] for i in signing["items"]] == [november["w2"].id, november["w1"].id]  # w3 is not counted
    assert "应于 2026-11-09 17:30 前签收" in signing["items"][0]["why"]
    nodes = explained("node_on_time_rate")
    assert {i["id"] for i in nodes["items"]} == {november[k].id for k in ("n1", "n2", "n3")}
    ratings = explained("bad_rating_follow_up_rate")
    assert [i["good"] for i in ratings["items"]] == [False, True]
    pushes = client.get(
        f"/api/v1/assessment/assessments/{draft['id']}/departments/{world.dept_b.id}/explanation",
        params={"indicator": "supervision_feedback_rate"},
        headers=world.auth("admin"),
    ).json()
    assert [i["id"] for i in pushes["items"]][0:2] == [november["p2"].id, november["p3"].id]
    assert "至今未认领" in pushes["items"][1]["why"]


def test_changing_a_weight_and_recomputing_the_draft_changes_the_ranking(
    client: TestClient, world: World, november: dict[str, Any]
) -> None:
    made = scheme(client, world, S1)
    draft = compute(client, world, made["id"])
    assert table(draft) == S1_TABLE
    body = {
        "name": made["name"],
        "period_kind": "month",
        "indicators": [{"code": k, "weight": v} for k, v in S2.items()],
    }
    changed = client.put(f"/api/v1/assessment/schemes/{made['id']}", json=body, headers=world.auth("admin"))
    assert changed.status_code == 200, changed.text
    # the draft keeps its weights until it is recomputed
    unchanged = client.get(f"/api/v1/assessment/assessments/{draft['id']}", headers=world.auth("admin")).json()
    assert table(unchanged) == S1_TABLE
    again = post(client, world, f"/assessments/{draft['id']}/recompute")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == draft["id"] and again.json()["version"] == 1
    assert table(again.json()) == S2_TABLE
    assert [r["department_name"] for r in again.json()["results"]][:2] == ["城市管理局", "生态环境分局"]


def test_a_correction_of_a_draft_is_kept_when_it_is_recomputed(
    client: TestClient, world: World, november: dict[str, Any]
) -> None:
    made = scheme(client, world, S1)
    draft = compute(client, world, made["id"])
    # 节点 n2 was late because of the applicant: the administrator sets A's node score to 66.67 (2 of 3 on time)
    corrected = post(
        client,
        world,
        f"/assessments/{draft['id']}/corrections",
        department_id=world.dept_a.id,
        indicator="node_on_time_rate",
        value=66.67,
        reason="节点n2因申请人原因延期，经核实不计为超时",
    )
    assert corrected.status_code == 200, corrected.text
    # A: 5371.5 − 333.3 + 666.7 = 5704.9; ÷ 90 = 63.387… → 63.39; still second to B's 86.81
    assert corrected.json()["id"] == draft["id"]
    assert table(corrected.json())["城市管理局"][:2] == (63.39, 2)
    again = post(client, world, f"/assessments/{draft['id']}/recompute").json()
    assert table(again)["城市管理局"][:2] == (63.39, 2)
    a = next(r for r in again["results"] if r["department_name"] == "城市管理局")
    node = next(s for s in a["scores"] if s["indicator"] == "node_on_time_rate")
    assert node["computed_score"] == 33.33 and node["score"] == 66.67 and node["corrected"] is True
    assert [c["reason"] for c in again["corrections"]] == ["节点n2因申请人原因延期，经核实不计为超时"]
