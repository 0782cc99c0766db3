"""Rule changes through the API: the dry-run names exactly the projects publishing changes; rollback restores them."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.rules import service as rules_service
from tests.helpers import api_error
from tests.projects.conftest import FACTORY_ANSWERS, Filing, new_project

BIG_PROJECT_RULE = {
    "code": "major_project_fire_review",
    "name": "重大项目消防设计审查",
    "priority": 300,
    "condition": "total_investment >= 50000000",
    "add_approvals": ["fire_design_review"],
    "reason": "总投资 {total_investment}，按本区重大项目管理要求进行消防设计审查",
    "legal_basis": "本区重大项目服务办法",
}


def derived_project(client: TestClient, filing: Filing, investment: float, *, review: bool = False) -> int:
    project = new_project(client, filing, answers={**FACTORY_ANSWERS, "total_investment": investment})
    citizen = filing.world.auth("citizen")
    assert client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen).status_code == 200
    if review:
        assert client.post(f"/api/v1/projects/{project['id']}/review", headers=citizen).status_code == 200
    return int(project["id"])


def approval_codes(client: TestClient, filing: Filing, project_id: int) -> set[str]:
    flow = client.get(f"/api/v1/projects/{project_id}/flow", headers=filing.world.auth("citizen")).json()["flow"]
    return {item["code"] for stage in flow["stages"] for item in stage["items"]}


def test_dry_run_publish_and_rollback(client: TestClient, filing: Filing) -> None:
    admin = filing.world.auth("admin")
    big, small = derived_project(client, filing, 8e7), derived_project(client, filing, 2e7)
    reviewed = derived_project(client, filing, 9e7, review=True)
    assert "fire_design_review" not in approval_codes(client, filing, big)

    assert client.post("/api/v1/rules/draft", headers=admin).status_code == 201
    saved = client.put(f"/api/v1/rules/draft/rules/{BIG_PROJECT_RULE['code']}", json=BIG_PROJECT_RULE, headers=admin)
    assert saved.status_code == 200, saved.text
    assert "fire_design_review" not in approval_codes(client, filing, big)  # not before publishing

    dry = client.post("/api/v1/rules/draft/dry-run", headers=admin).json()
    assert [c["project_id"] for c in dry["will_change"]] == [big]
    assert dry["will_change"][0]["added"] == ["建设工程消防设计审查"]
    assert [c["project_id"] for c in dry["held"]] == [reviewed]

    published = client.post("/api/v1/rules/draft/publish", json={"note": "重大项目增加消防设计审查"}, headers=admin)
    assert published.status_code == 200, published.text
    assert [c["project_id"] for c in published.json()["rederived"]] == [big]
    assert "fire_design_review" in approval_codes(client, filing, big)
    assert "fire_design_review" not in approval_codes(client, filing, small)
    assert "fire_design_review" not in approval_codes(client, filing, reviewed)  # the departments have it

    rolled = client.post("/api/v1/rules/versions/1/rollback", headers=admin)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["version"]["version"] == 3 and rolled.json()["version"]["based_on"] == 1
    assert "fire_design_review" not in approval_codes(client, filing, big)
    versions = client.get("/api/v1/rules/versions", headers=admin).json()
    assert [(v["version"], v["status"]) for v in versions] == [(3, "published"), (2, "retired"), (1, "retired")]


BAD_RULES: list[tuple[dict[str, Any], str]] = [
    ({"condition": "total_investment >>> 5"}, "语法"),
    ({"condition": "height >= 100"}, "height"),
    ({"condition": 'project_type == "factory"'}, "可选值"),
    ({"add_approvals": ["no_such_approval"]}, "no_such_approval"),
]


def test_bad_rules_are_refused_and_a_draft_with_one_cannot_be_published(
    client: TestClient, filing: Filing, db: Session
) -> None:
    admin = filing.world.auth("admin")
    client.post("/api/v1/rules/draft", headers=admin)
    for change, words in BAD_RULES:
        rule = {**BIG_PROJECT_RULE, **change}
        error = api_error(client.put("/api/v1/rules/draft/rules/bad_rule", json=rule, headers=admin), 422)
        assert words in error["message"], (change, error)
    draft = rules_service.draft(db)
    assert draft is not None
    db.refresh(draft)
    assert all(r["code"] != "bad_rule" for r in draft.document["rules"])
    draft.document = {**draft.document, "rules": [*draft.document["rules"], {**BIG_PROJECT_RULE, "condition": "x >"}]}
    db.commit()
    error = api_error(client.post("/api/v1/rules/draft/publish", json={"note": "试图发布"}, headers=admin), 422)
    assert "不能发布" in error["message"] and "重大项目消防设计审查" in error["message"]
    assert rules_service.published(db).version == 1  # type: ignore[union-attr]
