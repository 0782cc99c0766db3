"""考核配置: weights must add up to 100 and indicators must exist — refused in Chinese, nothing saved; the
catalogue shows every indicator's formula."""

from typing import Any

from fastapi.testclient import TestClient

from tests.assessment.conftest import ALL_EIGHT, S1, scheme
from tests.helpers import api_error, db_state, has_chinese
from tests.world import World


def body(weights: dict[str, int], name: str = "部门进度考核（月度）", kind: str = "month") -> dict[str, Any]:
    return {"name": name, "period_kind": kind, "indicators": [{"code": k, "weight": v} for k, v in weights.items()]}


def test_weights_not_adding_up_to_100_are_refused_naming_the_sum(client: TestClient, world: World) -> None:
    before = db_state()
    short = dict(S1, overdue_count=5)  # 95
    response = client.post("/api/v1/assessment/schemes", json=body(short), headers=world.auth("admin"))
    error = api_error(response, 422)
    assert "权重合计应为 100，现为 95" in error["message"] and error["field"] == "indicators"
    over = dict(S1, overdue_count=20)  # 110
    response = client.post("/api/v1/assessment/schemes", json=body(over), headers=world.auth("admin"))
    assert "现为 110" in api_error(response, 422)["message"]
    assert db_state() == before


def test_an_unknown_indicator_is_refused_and_nothing_is_saved(client: TestClient, world: World) -> None:
    before = db_state()
    weights = dict(S1)
    weights.pop("overdue_count")
    weights["case_count"] = 10
    response = client.post("/api/v1/assessment/schemes", json=body(weights), headers=world.auth("admin"))
    error = api_error(response, 422)
    assert error["message"].startswith("未知的考核指标：case_count") and "办件按时办结率" in error["message"]
    repeated = body(S1)
    repeated["indicators"].append({"code": "overdue_count", "weight": 0})
    response = client.post("/api/v1/assessment/schemes", json=repeated, headers=world.auth("admin"))
    assert "“逾期办件数”重复" in api_error(response, 422)["message"]
    assert db_state() == before


def test_a_refused_change_leaves_the_scheme_as_it_was(client: TestClient, world: World) -> None:
    made = scheme(client, world, S1)
    before = db_state()
    response = client.put(
        f"/api/v1/assessment/schemes/{made['id']}",
        json=body(dict(S1, case_on_time_rate=25), name="改过的名称"),
        headers=world.auth("admin"),
    )
    assert "现为 95" in api_error(response, 422)["message"]
    assert db_state() == before
    kept = client.get(f"/api/v1/assessment/schemes/{made['id']}", headers=world.auth("admin")).json()
    assert kept["name"] == made["name"] and kept["total_weight"] == 100
    assert {i["code"]: i["weight"] for i in kept["indicators"]} == S1
    # an indicator left out (weight 0) is not in the scheme; the others must then make 100 on their own
    fewer = dict.fromkeys(ALL_EIGHT, 0) | {"case_on_time_rate": 60, "overdue_count": 40}
    saved = client.put(f"/api/v1/assessment/schemes/{made['id']}", json=body(fewer), headers=world.auth("admin"))
    assert saved.status_code == 200, saved.text
    assert [(i["code"], i["weight"]) for i in saved.json()["indicators"]] == [
        ("case_on_time_rate", 60),
        ("overdue_count", 40),
    ]


def test_every_indicator_explains_its_formula_direction_and_scoring(client: TestClient, world: World) -> None:
    catalogue = client.get("/api/v1/assessment/indicators", headers=world.auth("leader")).json()
    assert [i["code"] for i in catalogue] == ALL_EIGHT
    for indicator in catalogue:
        assert all(has_chinese(indicator[k]) for k in ("name", "definition", "scoring"))
        assert indicator["direction"] in ("越高越好", "越低越好")
    overdue = next(i for i in catalogue if i["code"] == "overdue_count")
    assert overdue["direction"] == "越低越好" and "每件扣 10 分" in overdue["scoring"]


def test_a_quarterly_scheme_takes_quarters(client: TestClient, world: World) -> None:
    made = scheme(client, world, S1)
    quarterly = client.post(
        "/api/v1/assessment/schemes",
        json=body(S1, name="部门进度考核（季度）", kind="quarter"),
        headers=world.auth("admin"),
    )
    assert quarterly.status_code == 201 and quarterly.json()["period_kind_label"] == "季度"
    taken = client.post("/api/v1/assessment/schemes", json=body(S1, name=made["name"]), headers=world.auth("admin"))
    assert "已有名为" in api_error(taken, 409)["message"]
    wrong = client.post(
        "/api/v1/assessment/assessments",
        json={"scheme_id": quarterly.json()["id"], "period": "2026-11"},
        headers=world.auth("admin"),
    )
    assert "如 2026-Q4" in api_error(wrong, 422)["message"]
