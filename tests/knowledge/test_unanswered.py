"""Questions nobody could answer are grouped by similarity and turned into an FAQ in one step."""

from fastapi.testclient import TestClient

from tests.knowledge.helpers import FAQ, publish, search
from tests.world import World


def test_similar_questions_group_and_become_one_faq_draft(client: TestClient, curators: World) -> None:
    publish(client, curators, "faq", FAQ)
    for q in ("宠物狗免疫证明在哪里办", "狗狗免疫证明去哪里办", "宠物狗的免疫证明在哪办理", "公积金怎么提取"):
        assert search(client, q)["answered"] is False
    groups = client.get("/api/v1/knowledge/unanswered/groups", headers=curators.auth("editor")).json()
    assert [g["count"] for g in groups] == [3, 1]
    dog = groups[0]
    draft = client.post(
        f"/api/v1/knowledge/unanswered/{dog['question_ids'][0]}/to-faq", headers=curators.auth("editor")
    )
    assert draft.status_code == 201
    data = draft.json()["data"]
    assert data["question"] in dog["texts"] and len(data["alternatives"]) == 2
    remaining = client.get("/api/v1/knowledge/unanswered/groups", headers=curators.auth("editor")).json()
    assert [g["representative"] for g in remaining] == ["公积金怎么提取"]
    # the draft cannot go to review before someone writes the answer
    revision_id = draft.json()["id"]
    early = client.post(f"/api/v1/knowledge/revisions/{revision_id}/submit", headers=curators.auth("editor"))
    assert early.status_code == 422 and "答案尚未填写" in early.json()["error"]["message"]


def test_one_client_cannot_flood_the_unanswered_list(client: TestClient, curators: World) -> None:
    for n in range(40):
        result = search(client, f"宠物第{n}号问题怎么处理")
        assert result["answered"] is False  # every search still answers
    rows = client.get("/api/v1/knowledge/unanswered", headers=curators.auth("editor")).json()
    assert len(rows) == 30
