"""Writing and publishing knowledge through the API, as the editor and the reviewer would."""

from typing import Any

from fastapi.testclient import TestClient

from tests.world import World


def draft(
    client: TestClient,
    world: World,
    kind: str,
    data: dict[str, Any],
    entity_id: int | None = None,
    who: str = "editor",
    expect: int = 201,
) -> dict[str, Any]:
    """Saves a draft and checks the status code."""
    body = {"kind": kind, "data": data, "entity_id": entity_id}
    response = client.post("/api/v1/knowledge/revisions", json=body, headers=world.auth(who))
    assert response.status_code == expect, response.text
    return dict(response.json())


def publish(client: TestClient, world: World, kind: str, data: dict[str, Any], entity_id: int | None = None) -> int:
    """Editor drafts and submits, reviewer approves; returns the live entry's id."""
    revision = draft(client, world, kind, data, entity_id)
    submitted = client.post(f"/api/v1/knowledge/revisions/{revision['id']}/submit", headers=world.auth("editor"))
    assert submitted.status_code == 200, submitted.text
    approved = client.post(f"/api/v1/knowledge/revisions/{revision['id']}/approve", headers=world.auth("reviewer"))
    assert approved.status_code == 200, approved.text
    return int(approved.json()["entity_id"])


def search(client: TestClient, q: str, kind: str = "all") -> dict[str, Any]:
    """The search API's answer."""
    response = client.get("/api/v1/knowledge/search", params={"q": q, "kind": kind})
    assert response.status_code == 200, response.text
    return dict(response.json())


FAQ = {
    "question": "建筑工程施工许可证核发需要哪些材料",
    "answer": "需提交建筑工程施工许可证申请表、建设工程规划许可证、施工合同和质量安全监督手续。",
    "keywords": ["施工许可", "材料"],
    "alternatives": ["施工许可证要带啥材料", "办施工证需要准备什么"],
}
LAW = {
    "doc_no": "中华人民共和国国务院令第198号",
    "issuer": "国务院",
    "title": "城市道路管理条例",
    "category": "行政法规",
    "articles": [
        {
            "number": "第一条",
            "text": "为了加强城市道路管理，保障城市道路完好，充分发挥城市道路功能，"
            "促进城市经济和社会发展，制定本条例。",
        },
        {
            "number": "第三十条",
            "text": "未经市政工程行政主管部门和公安交通管理部门批准，任何单位或者个人不得占用或者挖掘城市道路。",
        },
    ],
}
