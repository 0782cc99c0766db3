"""Curation with review: an author cannot publish their own draft, every version is kept, a publish is
searchable at once and an archive removes the entry from search and the portal."""

from fastapi.testclient import TestClient

from tests.knowledge.helpers import FAQ, LAW, draft, publish, search
from tests.world import World


def test_author_cannot_approve_own_draft_and_a_second_person_publishes(client: TestClient, curators: World) -> None:
    revision = draft(client, curators, "faq", FAQ, who="reviewer")  # reviewers may write too
    client.post(f"/api/v1/knowledge/revisions/{revision['id']}/submit", headers=curators.auth("reviewer"))
    own = client.post(f"/api/v1/knowledge/revisions/{revision['id']}/approve", headers=curators.auth("reviewer"))
    assert own.status_code == 403 and "不能审核发布本人编写的内容" in own.json()["error"]["message"]
    assert client.get("/api/v1/knowledge/faqs").json() == []
    editor_try = client.post(f"/api/v1/knowledge/revisions/{revision['id']}/approve", headers=curators.auth("editor"))
    assert editor_try.status_code == 403
    admin = client.post(f"/api/v1/knowledge/revisions/{revision['id']}/approve", headers=curators.auth("admin"))
    assert admin.status_code == 200 and admin.json()["status"] == "published"
    assert [f["question"] for f in client.get("/api/v1/knowledge/faqs").json()] == [FAQ["question"]]


def test_a_draft_must_be_submitted_and_a_rejection_needs_a_reason(client: TestClient, curators: World) -> None:
    revision = draft(client, curators, "faq", FAQ)
    early = client.post(f"/api/v1/knowledge/revisions/{revision['id']}/approve", headers=curators.auth("reviewer"))
    assert early.status_code == 409 and "不是待审核" in early.json()["error"]["message"]
    client.post(f"/api/v1/knowledge/revisions/{revision['id']}/submit", headers=curators.auth("editor"))
    bare = client.post(
        f"/api/v1/knowledge/revisions/{revision['id']}/reject", json={"comment": " "}, headers=curators.auth("reviewer")
    )
    assert bare.status_code == 422 and bare.json()["error"]["message"] == "退回时请写明原因"
    rejected = client.post(
        f"/api/v1/knowledge/revisions/{revision['id']}/reject",
        json={"comment": "请补充办理地点"},
        headers=curators.auth("reviewer"),
    )
    assert rejected.json()["status_label"] == "已退回" and rejected.json()["review_comment"] == "请补充办理地点"


def test_every_version_is_kept_and_the_live_entry_follows_the_latest(client: TestClient, curators: World) -> None:
    faq_id = publish(client, curators, "faq", FAQ)
    publish(client, curators, "faq", {**FAQ, "answer": "新版答案：另需提交施工图审查合格书。"}, entity_id=faq_id)
    live = client.get(f"/api/v1/knowledge/faqs/{faq_id}").json()
    assert live["answer"].startswith("新版答案") and live["version"] == 2
    versions = client.get(
        "/api/v1/knowledge/revisions", params={"kind": "faq", "entity_id": faq_id}, headers=curators.auth("editor")
    ).json()
    assert [(v["version"], v["status"]) for v in versions] == [(2, "published"), (1, "superseded")]
    assert versions[1]["data"]["answer"] == FAQ["answer"]


def test_publish_is_searchable_and_archive_removes_it(client: TestClient, curators: World) -> None:
    assert search(client, "施工证要带啥", kind="faq")["hits"] == []
    faq_id = publish(client, curators, "faq", FAQ)
    first = search(client, "施工证要带啥", kind="faq")["hits"][0]
    assert first["link"] == f"/knowledge/faqs/{faq_id}" and first["kind"] == "faq"
    archived = client.post(f"/api/v1/knowledge/faq/{faq_id}/archive", headers=curators.auth("reviewer"))
    assert archived.status_code == 200
    assert search(client, "施工证要带啥", kind="faq")["hits"] == []
    assert client.get(f"/api/v1/knowledge/faqs/{faq_id}").status_code == 404


def test_law_articles_are_citable_one_by_one(client: TestClient, curators: World) -> None:
    law_id = publish(client, curators, "law", LAW)
    article = client.get(f"/api/v1/knowledge/laws/{law_id}/articles/第三十条").json()
    assert article["text"].startswith("未经市政工程行政主管部门") and article["title"] == "城市道路管理条例"
    missing = client.get(f"/api/v1/knowledge/laws/{law_id}/articles/第九十九条")
    assert missing.status_code == 404 and "没有“第九十九条”" in missing.json()["error"]["message"]
    hit = search(client, "挖马路要谁批准", kind="law")["hits"][0]
    assert hit["title"] == "《城市道路管理条例》第三十条" and hit["link"] == f"/knowledge/laws/{law_id}#第三十条"
    assert "<mark>" in hit["snippet"]


def test_bad_input_gets_a_chinese_error_and_stores_nothing(client: TestClient, curators: World) -> None:
    empty = client.get("/api/v1/knowledge/search", params={"q": "   "})
    assert empty.status_code == 422 and empty.json()["error"]["message"] == "请输入要查询的问题或关键词"
    long = client.get("/api/v1/knowledge/search", params={"q": "办" * 1000})
    assert long.status_code == 422 and "200字以内" in long.json()["error"]["message"]
    publish(client, curators, "law", LAW)
    duplicate = draft(client, curators, "law", {**LAW, "doc_no": "国务院令第710号"}, expect=409)
    assert "法规名称“城市道路管理条例”已存在" in duplicate["error"]["message"]
    policy = {"doc_no": "国办发〔2019〕11号", "issuer": "国务院办公厅", "title": "工程建设项目审批制度改革实施意见"}
    publish(client, curators, "policy", policy)
    same_no = draft(client, curators, "policy", {**policy, "title": "另一份文件"}, expect=409)
    assert "文号“国办发〔2019〕11号”已存在" in same_no["error"]["message"]
    bad_article = draft(
        client,
        curators,
        "law",
        {**LAW, "doc_no": "新文号", "articles": [{"number": "30", "text": "x文本"}]},
        expect=422,
    )
    assert "应写作“第三十条”的形式" in bad_article["error"]["message"]
    script = "<script>alert(1)</script>怎么办理"
    revision = draft(client, curators, "faq", {**FAQ, "question": script})
    assert revision["data"]["question"] == script  # kept as typed; pages escape it when they render
    bad_kind = client.post(
        "/api/v1/knowledge/revisions", json={"kind": "novel", "data": {}}, headers=curators.auth("editor")
    )
    assert bad_kind.status_code == 422 and "知识类型应为" in bad_kind.json()["error"]["message"]
    versions = client.get("/api/v1/knowledge/revisions", headers=curators.auth("editor")).json()
    assert len(versions) == 3  # the published law and policy, the FAQ draft; the refused ones left nothing


def test_unanswered_questions_are_recorded_for_editors(client: TestClient, curators: World) -> None:
    publish(client, curators, "faq", FAQ)
    result = search(client, "宠物狗在哪里办理免疫证明")
    assert result["answered"] is False
    rows = client.get("/api/v1/knowledge/unanswered", headers=curators.auth("editor")).json()
    assert [r["text"] for r in rows] == ["宠物狗在哪里办理免疫证明"]
    assert client.get("/api/v1/knowledge/unanswered", headers=curators.auth("citizen")).status_code == 403
