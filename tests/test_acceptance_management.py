"""Acceptance management through the API (issue 18, 4.13): material templates uploaded by an item's managers,
versioned, previewed and served to everyone; 受理指导 for the clerks who accept the item's cases; publishing a
guide as a version that new cases record and keep."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.items.demo import form_pdf
from core.org import service as org_service
from core.org.models import Role
from core.seed.demo import DEMO_PASSWORD
from tests.helpers import PERSON, PNG_BYTES, act, api_error, db_state, register
from tests.world import World

DOCX = b"PK\x03\x04" + b"\x00" * 200


@pytest.fixture(scope="module")
def blank_pdf() -> bytes:
    """A real one-page PDF form (the demo's, laid out by WeasyPrint)."""
    return form_pdf("户外广告设置申请表", False)


def upload(
    client: TestClient, world: World, who: str, content: bytes, *, name: str = "申请表.pdf", kind: str = "blank"
) -> Any:
    material = world.item.materials[0]
    return client.post(
        f"/api/v1/items/{world.item.id}/materials/{material.id}/templates",
        data={"kind": kind, "note": "2027年版"},
        files={"file": (name, content, "application/octet-stream")},
        headers=world.auth(who),
    )


def test_an_uploaded_template_is_listed_previewed_and_downloaded_by_anyone(
    client: TestClient, world: World, blank_pdf: bytes
) -> None:
    made = upload(client, world, "admin", blank_pdf)
    assert made.status_code == 201, made.text
    template = made.json()
    assert template["version"] == 1 and template["kind_label"] == "空白表格"
    assert template["filename"] == "申请表-空白表格-第1版.pdf"

    listed = client.get(f"/api/v1/items/{world.item.id}/templates").json()
    assert [t["id"] for t in listed] == [template["id"]]
    download = client.get(template["download_link"])  # the guide page's link, for an anonymous visitor
    assert download.status_code == 200 and download.content == blank_pdf
    assert "attachment" in download.headers["content-disposition"]
    preview = client.get(template["preview_link"])
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/png"
    assert preview.content.startswith(b"\x89PNG") and client.get(template["preview_link"]).content == preview.content


def test_a_new_upload_is_a_new_version_and_the_old_one_is_kept_for_managers(
    client: TestClient, world: World, blank_pdf: bytes
) -> None:
    first = upload(client, world, "admin", blank_pdf).json()
    second = upload(client, world, "admin", PNG_BYTES, name="申请表.png").json()
    assert second["version"] == 2
    assert second["preview_link"]  # an image previews as itself
    assert [t["id"] for t in client.get(f"/api/v1/items/{world.item.id}/templates").json()] == [second["id"]]
    history = client.get(f"/api/v1/items/{world.item.id}/templates/history", headers=world.auth("admin")).json()
    assert [(t["version"], t["sha256"]) for t in history][1][0] == 1 and len(history) == 2
    assert client.get(first["download_link"]).status_code == 404  # the public gets the current version only
    old = client.get(f"/api/v1/items/{world.item.id}/templates/{first['id']}/file", headers=world.auth("admin"))
    assert old.status_code == 200 and old.content == blank_pdf


def test_an_office_template_has_no_preview_but_downloads(client: TestClient, world: World) -> None:
    made = upload(client, world, "admin", DOCX, name="申请表.docx", kind="sample").json()
    assert made["preview_link"] is None and made["kind_label"] == "填写样表"
    refused = client.get(f"{made['download_link']}/preview")
    assert refused.status_code == 404 and "没有预览" in refused.text
    assert client.get(made["download_link"]).content == DOCX


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("申请表.zip", b"PK\x03\x04" + b"\x00" * 10, "不能作为模板"),
        ("申请表.ofd", b"PK\x03\x04" + b"\x00" * 10, "不能作为模板"),
        ("申请表.pdf", b"not a pdf at all", "内容与扩展名"),
        ("申请表.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
    ],
)
def test_a_refused_file_gets_a_chinese_reason_and_nothing_is_kept(
    client: TestClient, world: World, name: str, content: bytes, words: str
) -> None:
    before = db_state()
    error = api_error(upload(client, world, "admin", content, name=name), 422)
    assert words in error["message"]
    assert db_state() == before


def test_only_the_items_managers_upload(client: TestClient, world: World, db: Session, blank_pdf: bytes) -> None:
    before = db_state()
    api_error(upload(client, world, "clerk_a", blank_pdf), 403)
    api_error(upload(client, world, "citizen", blank_pdf), 403)
    assert upload(client, world, "nobody", blank_pdf).status_code == 401
    db.add(Role(code="item_b", name="环保事项管理员", data_scope="department", permissions=["item.manage"]))
    db.flush()
    org_service.create_user(
        db=db,
        username="items_b",
        name="钱事项",
        password=DEMO_PASSWORD,
        role_codes=["item_b"],
        department_id=world.dept_b.id,
    )
    world.tokens["items_b"] = org_service.issue_token(
        db=db, user=org_service.get_user_by_username(db=db, username="items_b"), name="t"
    )  # type: ignore[arg-type]
    db.commit()
    before = db_state()
    assert "本部门" in api_error(upload(client, world, "items_b", blank_pdf), 403)["message"]
    assert db_state() == before
    material = world.item.materials[0]
    wrong_kind = client.post(
        f"/api/v1/items/{world.item.id}/materials/{material.id}/templates",
        data={"kind": "draft"},
        files={"file": ("申请表.pdf", blank_pdf, "application/pdf")},
        headers=world.auth("admin"),
    )
    assert "空白表格或填写样表" in api_error(wrong_kind, 422)["message"]
    other_material = world.joint_item.materials[0]
    foreign = client.post(
        f"/api/v1/items/{world.item.id}/materials/{other_material.id}/templates",
        data={"kind": "blank"},
        files={"file": ("申请表.pdf", blank_pdf, "application/pdf")},
        headers=world.auth("admin"),
    )
    api_error(foreign, 404)


def case_of(client: TestClient, world: World, case_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/cases/{case_id}", headers=world.auth("clerk_a"))
    assert response.status_code == 200, response.text
    return dict(response.json())


GUIDANCE = {
    "acceptance_checklist": ["核对申请表盖章", "核对施工方案签字"],
    "common_mistakes": ["交通疏导方案缺少示意图"],
    "refusal_grounds": [{"what": "占用快速路主线", "why": "依据《城市道路管理条例》第三十一条，不予受理"}],
}


def test_guidance_is_kept_by_managers_and_read_by_the_items_clerks(client: TestClient, world: World) -> None:
    url = f"/api/v1/items/{world.item.id}/guidance"
    saved = client.put(url, json=GUIDANCE, headers=world.auth("admin"))
    assert saved.status_code == 200 and saved.json()["refusal_grounds"] == GUIDANCE["refusal_grounds"]
    assert client.get(url, headers=world.auth("clerk_a")).json()["acceptance_checklist"] == [
        "核对申请表盖章",
        "核对施工方案签字",
    ]
    for who in ("clerk_b", "citizen"):
        api_error(client.get(url, headers=world.auth(who)), 403)
    before = db_state()
    api_error(client.put(url, json=GUIDANCE, headers=world.auth("clerk_a")), 403)
    api_error(
        client.put(url, json={"refusal_grounds": [{"what": "占用快速路", "why": ""}]}, headers=world.auth("admin")), 422
    )
    assert db_state() == before
    assert "guidance" not in str(client.get(f"/api/v1/items/{world.item.id}").json())  # never in the public guide


def test_cases_keep_the_version_they_were_filed_under(client: TestClient, world: World, db: Session) -> None:
    published = client.post(
        f"/api/v1/items/{world.item.id}/publish", json={"note": "首版"}, headers=world.auth("admin")
    )
    assert published.status_code == 201 and published.json()["version"] == 1
    first = register(client, world)["case_id"]
    assert case_of(client, world, first)["item_version"] == 1

    guide = client.get(f"/api/v1/items/{world.item.id}").json()
    body = {k: v for k, v in guide.items() if k not in ("id", "department_name", "case_type_label", "elements")}
    body["materials"] = [m for m in guide["materials"] if m["name"] != "施工方案"] + [
        {"name": "道路恢复承诺书", "required": True}
    ]
    changed = client.put(f"/api/v1/items/{world.item.id}", json=body, headers=world.auth("admin"))
    assert changed.status_code == 200, changed.text
    versions = client.get(f"/api/v1/items/{world.item.id}/versions", headers=world.auth("admin")).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert "道路恢复承诺书" not in [m["name"] for m in versions[1]["materials"]]

    # filed under version 1: the material added since is not asked of it (a new case under version 2 lacks it)
    accepted = act(client, world, first, "accept")
    assert accepted["accepted_at"] is not None
    db.rollback()  # ends the test session's read snapshot: the guide as changed
    db.refresh(world.item)
    kept = [{"item_material_id": m.id, "paper": True} for m in world.item.materials if m.name != "道路恢复承诺书"]
    filed = client.post(
        "/api/v1/cases/window",
        json={"service_item_id": world.item.id, "applicant": PERSON, "materials": kept},
        headers=world.auth("clerk_a"),
    )
    second = filed.json()["case_id"]
    assert case_of(client, world, second)["item_version"] == 2
    refused = client.post(f"/api/v1/cases/{second}/accept", json={}, headers=world.auth("clerk_a"))
    assert "道路恢复承诺书" in api_error(refused, 422)["message"]

    offline = client.post(f"/api/v1/items/{world.item.id}/unpublish", headers=world.auth("admin"))
    assert offline.status_code == 200 and offline.json()["is_published"] is False
    assert client.get(f"/api/v1/items/{world.item.id}/templates").status_code == 404
    act(client, world, first, "review", who="officer_a", agree=True, opinion="同意")  # a case in flight goes on
    api_error(client.post(f"/api/v1/items/{world.item.id}/unpublish", headers=world.auth("admin")), 422)
    api_error(client.post(f"/api/v1/items/{world.item.id}/publish", json={}, headers=world.auth("clerk_a")), 403)
