"""The intake → derivation → department review → letter path through the API, as the bot and the wizard use it."""

import subprocess
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import api_error
from tests.projects.conftest import FACTORY_ANSWERS, FACTORY_INFO, Filing, new_project


def answer_one_by_one(client: TestClient, filing: Filing, project_id: int, answers: dict[str, Any]) -> list[str]:
    """Answers the questions the API asks next, one per request, like a conversation; returns the keys asked."""
    citizen = filing.world.auth("citizen")
    asked = []
    for _ in range(40):
        questions = client.get(f"/api/v1/projects/{project_id}/questions", headers=citizen).json()
        if questions["next"] is None:
            return asked
        key = questions["next"]["key"]
        asked.append(key)
        saved = client.patch(
            f"/api/v1/projects/{project_id}", json={"indicators": {key: answers[key]}}, headers=citizen
        )
        assert saved.status_code == 200, saved.text
    raise AssertionError("the questions never ended")


def test_draft_is_saved_between_steps_and_only_applicable_questions_are_asked(
    client: TestClient, filing: Filing
) -> None:
    project = new_project(client, filing, answers={})
    assert project["status"] == "draft" and project["code"].startswith("XM")
    renovation = {
        **FACTORY_ANSWERS,
        "project_type": "renovation",
        "alters_structure_or_facade": False,
        "civil_building": True,
    }
    asked = answer_one_by_one(client, filing, project["id"], renovation)
    assert "land_supply" not in asked and "new_land" not in asked and "has_basement" not in asked
    assert "alters_structure_or_facade" in asked
    again = client.get(f"/api/v1/projects/{project['id']}", headers=filing.world.auth("citizen")).json()
    assert again["indicators"]["project_type"] == "renovation"
    assert again["contact_phone"] == "139****5678"


def test_enterprise_investment_brings_the_catalogue_question(client: TestClient, filing: Filing) -> None:
    project = new_project(client, filing, answers={"investor": "government"})
    citizen = filing.world.auth("citizen")
    keys = [
        q["key"]
        for q in client.get(f"/api/v1/projects/{project['id']}/questions", headers=citizen).json()["applicable"]
    ]
    assert "in_approval_catalogue" not in keys
    client.patch(f"/api/v1/projects/{project['id']}", json={"indicators": {"investor": "enterprise"}}, headers=citizen)
    questions = client.get(f"/api/v1/projects/{project['id']}/questions", headers=citizen).json()
    assert questions["next"]["key"] == "in_approval_catalogue"


def test_derivation_needs_every_applicable_answer(client: TestClient, filing: Filing) -> None:
    answers = {k: v for k, v in FACTORY_ANSWERS.items() if k != "energy_tce"}
    project = new_project(client, filing, answers=answers)
    error = api_error(
        client.post(f"/api/v1/projects/{project['id']}/derive", headers=filing.world.auth("citizen")), 422
    )
    assert "年综合能源消费量" in error["message"] and error["field"] == "indicators.energy_tce"


def pdf_text(client: TestClient, url: str) -> str:
    """The text of a PDF the API serves."""
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    return subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()


def test_whole_path_intake_derivation_review_letter(client: TestClient, filing: Filing) -> None:
    citizen = filing.world.auth("citizen")
    project = new_project(client, filing)
    derived = client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen)
    assert derived.status_code == 200, derived.text
    flow = derived.json()["flow"]
    names = [item["name"] for stage in flow["stages"] for item in stage["items"]]
    assert any("施工许可" in n for n in names)
    assert all(item["reasons"] for stage in flow["stages"] for item in stage["items"])
    energy = [r for r in flow["ruled_out"] if "节能" in r["name"]]
    assert energy and "800吨标准煤" in energy[0]["reasons"][0]["text"]

    letters = client.get(f"/api/v1/projects/{project['id']}/letters", headers=citizen).json()
    assert len(letters) == 1 and letters[0]["is_final"] is False
    draft_text = pdf_text(client, letters[0]["pdf_url"])
    assert FACTORY_INFO["name"] in draft_text and letters[0]["verification_code"] in draft_text

    reviews = client.post(f"/api/v1/projects/{project['id']}/review", headers=citizen)
    assert reviews.status_code == 200, reviews.text
    departments = {r["department_id"]: r for r in reviews.json()}
    codes = {d.id: code for code, d in filing.departments.items()}
    assert len(departments) >= 3
    first, *rest = reviews.json()
    officer = f"officer_{codes[first['department_id']].lower()}"
    item_name = first["items"][0]
    flow_items = {i["name"]: i for s in flow["stages"] for i in s["items"]}
    corrected = client.post(
        f"/api/v1/project-reviews/{first['id']}/adjustments",
        json={
            "action": "correct",
            "approval_code": flow_items[item_name]["code"],
            "time_limit_days": 3,
            "opinion": "本项目可容缺受理，承诺3个工作日办结",
        },
        headers=filing.token_of(officer),
    )
    assert corrected.status_code == 201, corrected.text
    stranger = f"officer_{codes[rest[0]['department_id']].lower()}"
    api_error(
        client.post(f"/api/v1/project-reviews/{first['id']}/confirm", json={}, headers=filing.token_of(stranger)), 404
    )
    for review in reviews.json():
        who = f"officer_{codes[review['department_id']].lower()}"
        done = client.post(
            f"/api/v1/project-reviews/{review['id']}/confirm", json={"opinion": "同意"}, headers=filing.token_of(who)
        )
        assert done.status_code == 200, done.text

    after = client.get(f"/api/v1/projects/{project['id']}", headers=citizen).json()
    assert after["status"] == "confirmed"
    final_flow = client.get(f"/api/v1/projects/{project['id']}/flow", headers=citizen).json()["flow"]
    final_items = {i["name"]: i for s in final_flow["stages"] for i in s["items"]}
    assert final_items[item_name]["time_limit_days"] == 3
    assert all(i["confirmed_by"] for i in final_items.values())

    letters = client.get(f"/api/v1/projects/{project['id']}/letters", headers=citizen).json()
    assert [x["version"] for x in letters] == [2, 1] and letters[0]["is_final"] and letters[1]["superseded"]
    text = pdf_text(client, letters[0]["pdf_url"])
    assert "承诺3个工作日办结" in text
    verified = client.get(f"/api/v1/letters/{letters[1]['verification_code'].lower()}").json()
    assert verified["project_name"] == FACTORY_INFO["name"] and verified["latest_version"] == 2


def test_projects_are_private_to_their_filer_and_reviewing_departments(client: TestClient, filing: Filing) -> None:
    project = new_project(client, filing)
    url = f"/api/v1/projects/{project['id']}"
    api_error(client.get(url, headers=filing.world.auth("citizen2")), 404)
    api_error(client.patch(url, json={"name": "改名"}, headers=filing.world.auth("citizen2")), 404)
    assert client.get(url, headers=filing.world.auth("guide")).status_code == 200
    officer = filing.token_of("officer_d04")  # 住建: the construction permit
    api_error(client.get(url, headers=officer), 404)
    citizen = filing.world.auth("citizen")
    client.post(f"{url}/derive", headers=citizen)
    client.post(f"{url}/review", headers=citizen)
    assert client.get(url, headers=officer).status_code == 200
    assert [p["id"] for p in client.get("/api/v1/projects", headers=filing.world.auth("citizen2")).json()] == []


def test_filer_cannot_change_a_project_under_review_but_a_guide_can(client: TestClient, filing: Filing) -> None:
    project = new_project(client, filing)
    url = f"/api/v1/projects/{project['id']}"
    citizen = filing.world.auth("citizen")
    client.post(f"{url}/derive", headers=citizen)
    client.post(f"{url}/review", headers=citizen)
    error = api_error(client.patch(url, json={"indicators": {"digs_road": True}}, headers=citizen), 409)
    assert "报建专员" in error["message"]
    changed = client.patch(url, json={"indicators": {"digs_road": True}}, headers=filing.world.auth("guide"))
    assert changed.status_code == 200 and changed.json()["status"] == "draft" and changed.json()["derivation_stale"]
    rederived = client.post(f"{url}/derive", headers=filing.world.auth("guide")).json()["flow"]
    assert any("道路" in i["name"] for s in rederived["stages"] for i in s["items"])


BAD_ANSWERS = [
    ({"total_investment": -5}, "indicators.total_investment", "不能为负数"),
    ({"total_investment": 1e15}, "indicators.total_investment", "超出合理范围"),
    ({"project_type": "industrial", "floor_area": 0}, "indicators.floor_area", "不能为 0"),
    ({"project_type": "factory"}, "indicators.project_type", "只能选择"),
    ({"digs_road": "maybe"}, "indicators.digs_road", "应回答“是”或“否”"),
    ({"energy_tce": "很多"}, "indicators.energy_tce", "应为数字"),
    ({"coal_tonnes": -1}, "indicators.coal_tonnes", "年煤炭消费量不能为负数"),
    ({"coal_tonnes": "一千吨"}, "indicators.coal_tonnes", "年煤炭消费量应为数字（单位：吨）"),
    ({"coal_tonnes": 2e8}, "indicators.coal_tonnes", "超出合理范围"),
    ({"regional_energy_review": "不清楚"}, "indicators.regional_energy_review", "应回答“是”或“否”"),
    ({"height": 30}, "indicators.height", "未知的指标"),
]


def test_bad_answers_get_a_chinese_error_naming_the_field_and_change_nothing(
    client: TestClient, filing: Filing
) -> None:
    project = new_project(client, filing, answers={"investor": "government"})
    url = f"/api/v1/projects/{project['id']}"
    citizen = filing.world.auth("citizen")
    for answers, field, words in BAD_ANSWERS:
        error = api_error(client.patch(url, json={"indicators": answers}, headers=citizen), 422)
        assert error["field"] == field and words in error["message"], (answers, error)
    assert client.get(url, headers=citizen).json()["indicators"] == {"investor": "government"}


def test_bad_project_facts_are_refused(client: TestClient, filing: Filing) -> None:
    citizen = filing.world.auth("citizen")
    wrong_check = FACTORY_INFO["credit_code"][:-1] + ("0" if FACTORY_INFO["credit_code"][-1] != "0" else "1")
    error = api_error(
        client.post("/api/v1/projects", json={**FACTORY_INFO, "credit_code": wrong_check}, headers=citizen), 422
    )
    assert "校验位" in error["message"] and error["field"] == "credit_code"
    error = api_error(
        client.post("/api/v1/projects", json={**FACTORY_INFO, "contact_phone": "12345"}, headers=citizen), 422
    )
    assert "联系电话" in error["message"]
    error = api_error(
        client.post("/api/v1/projects", json={"credit_code": FACTORY_INFO["credit_code"]}, headers=citizen), 422
    )
    assert "项目名称" in error["message"] or "名称" in error["message"]
    assert client.get("/api/v1/projects", headers=citizen).json() == []


def test_only_the_gating_answers_change_which_questions_apply() -> None:
    from itertools import product

    from core.rules import indicators as ind

    choices: dict[str, list[object]] = {
        "investor": [None, "government", "enterprise"],
        "project_type": [None, *ind.PROJECT_TYPES],
        "new_land": [None, True, False],
    }
    assert set(choices) == ind.GATING_KEYS
    others = {
        q.key: (1.0 if q.kind == "number" else True if q.kind == "yes_no" else next(iter(q.options)))
        for q in ind.QUESTIONS
    }
    for combination in product(*choices.values()):
        gating = {k: v for k, v in zip(choices, combination, strict=True) if v is not None}
        plain = [q.key for q in ind.applicable(gating)]
        everything = [
            q.key for q in ind.applicable({**others, **gating} | {k: None for k in ind.GATING_KEYS - set(gating)})
        ]
        assert plain == everything, gating
