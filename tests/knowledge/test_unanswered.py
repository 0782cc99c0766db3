"""Questions nobody could answer are grouped by similarity and turned into an FAQ in one step — or, when an FAQ
already answers them in other words, added to its other phrasings, after which the search finds it for them."""

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


def test_questions_an_faq_already_answers_become_its_other_phrasings_and_then_find_it(
    client: TestClient, curators: World
) -> None:
    faq_id = publish(client, curators, "faq", FAQ)
    asked = ("盖楼开工前那个证要交哪些东西", "盖楼开工前那个证得交啥东西")
    for q in asked:
        assert search(client, q)["answered"] is False
    editor, reviewer = curators.auth("editor"), curators.auth("reviewer")
    group = client.get("/api/v1/knowledge/unanswered/groups", headers=editor).json()[0]
    first = group["question_ids"][0]
    suggested = client.get(f"/api/v1/knowledge/unanswered/{first}/suggestions", headers=editor).json()
    assert [s["id"] for s in suggested] == [faq_id]  # the search's best FAQ for it

    added = client.post(
        f"/api/v1/knowledge/unanswered/{first}/to-alternatives", json={"faq_id": faq_id}, headers=editor
    )
    assert added.status_code == 201, added.text
    revision = added.json()
    assert revision["entity_id"] == faq_id and revision["version"] == 2 and revision["status"] == "draft"
    assert revision["data"]["alternatives"] == [*FAQ["alternatives"], *reversed(asked)]  # newest first, kept
    assert revision["data"]["answer"] == FAQ["answer"]  # nothing else of the FAQ changes
    assert client.get("/api/v1/knowledge/unanswered/groups", headers=editor).json() == []
    again = client.post(
        f"/api/v1/knowledge/unanswered/{first}/to-alternatives", json={"faq_id": faq_id}, headers=editor
    )
    assert again.status_code == 409 and "已处理" in again.json()["error"]["message"]

    # reviewed and published like any new version: the search now answers the question with the FAQ
    assert client.post(f"/api/v1/knowledge/revisions/{revision['id']}/submit", headers=editor).status_code == 200
    assert client.post(f"/api/v1/knowledge/revisions/{revision['id']}/approve", headers=reviewer).status_code == 200
    found = search(client, "盖楼开工前那个证要交哪些东西")
    assert found["answered"] is True and found["hits"][0]["key"] == f"faq:{faq_id}"


def test_adding_phrasings_is_checked(client: TestClient, curators: World) -> None:
    faq_id = publish(client, curators, "faq", FAQ)
    assert search(client, "宠物狗免疫证明在哪里办")["answered"] is False
    editor = curators.auth("editor")
    question_id = client.get("/api/v1/knowledge/unanswered", headers=editor).json()[0]["id"]
    url = f"/api/v1/knowledge/unanswered/{question_id}/to-alternatives"
    unknown = client.post(url, json={"faq_id": 999999}, headers=editor)
    assert unknown.status_code == 404 and "问答不存在或已下线" in unknown.json()["error"]["message"]
    bad = client.post(url, json={"faq_id": "第一条"}, headers=editor)
    assert bad.status_code == 422 and bad.json()["error"]["message"]
    refused = client.post(url, json={"faq_id": faq_id}, headers=curators.auth("clerk_a"))
    assert refused.status_code == 403
    full = publish(
        client,
        curators,
        "faq",
        FAQ | {"question": "施工许可证能网上办吗", "alternatives": [f"问法{n}" for n in range(30)]},
    )
    too_many = client.post(url, json={"faq_id": full}, headers=editor)
    assert too_many.status_code == 422 and "最多 30 条" in too_many.json()["error"]["message"]
    # nothing was changed by the refusals: the question is still open
    assert [g["representative"] for g in client.get("/api/v1/knowledge/unanswered/groups", headers=editor).json()] == [
        "宠物狗免疫证明在哪里办"
    ]
