"""Online application: applicant data reused by ID number, materials as new uploads, earlier materials
(历史材料) or e-licences from the licence library (电子证照库)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.items.models import ItemMaterial
from tests.helpers import ENTERPRISE, act
from tests.world import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def upload(client: TestClient, world: World, who: str = "citizen", name: str = "申请表.pdf") -> int:
    response = client.post("/api/v1/uploads", files={"file": (name, PDF, "application/pdf")}, headers=world.auth(who))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def apply(client: TestClient, world: World, materials: list[dict[str, object]], applicant: dict[str, str]) -> dict:
    body = {"service_item_id": world.item.id, "applicant": applicant, "materials": materials}
    return client.post("/api/v1/cases", json=body, headers=world.auth("citizen")).json()


def test_second_application_reuses_applicant_history_and_licence(client: TestClient, world: World, db: Session) -> None:
    first_materials = [{"item_material_id": m.id, "upload_id": upload(client, world)} for m in world.item.materials]
    first = apply(client, world, first_materials, ENTERPRISE)
    assert len(first["query_code"]) == 6
    cid = first["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="officer_a", agree=True, opinion="同意")
    act(client, world, cid, "conclude", who="officer_a", result=0)

    headers = world.auth("citizen")
    prefill = client.get(
        "/api/v1/applicants/prefill",
        params={"kind": "enterprise", "id_number": ENTERPRISE["id_number"]},
        headers=headers,
    ).json()
    assert prefill["name"] == ENTERPRISE["name"] and prefill["phone"] == ENTERPRISE["phone"]
    # another citizen typing the same credit code learns nothing
    stranger = client.get(
        "/api/v1/applicants/prefill",
        params={"kind": "enterprise", "id_number": ENTERPRISE["id_number"]},
        headers=world.auth("citizen2"),
    )
    assert stranger.json() is None

    reusable = client.get(
        "/api/v1/applicants/reusable",
        params={"kind": "enterprise", "id_number": ENTERPRISE["id_number"]},
        headers=headers,
    ).json()
    assert [lic["name"] for lic in reusable["licences"]] == ["占用挖掘城市道路许可决定书"]
    assert reusable["licences"][0]["trust_level"] == "A"
    specs = world.item.materials
    # the guide names the licence for the first material (材料目录的证照名称): only there may it stand in
    db.get(ItemMaterial, specs[0].id).licence_name = "占用挖掘城市道路许可决定书"  # type: ignore[union-attr]
    db.commit()
    history = next(h for h in reusable["history"] if h["item_material_id"] == specs[1].id)
    second = apply(
        client,
        world,
        [
            {"item_material_id": specs[0].id, "licence_id": reusable["licences"][0]["id"]},
            {"item_material_id": specs[1].id, "history_material_id": history["id"]},
        ],
        ENTERPRISE,
    )
    case = client.get(f"/api/v1/cases/{second['case_id']}", headers=headers).json()
    assert [(m["source"], m["trust_level"]) for m in case["materials"]] == [("licence", "A"), ("history", "C")]


def test_someone_elses_licence_cannot_be_used(client: TestClient, world: World) -> None:
    first_materials = [{"item_material_id": m.id, "upload_id": upload(client, world)} for m in world.item.materials]
    cid = apply(client, world, first_materials, ENTERPRISE)["case_id"]
    for action, who, body in (
        ("accept", "clerk_a", {}),
        ("review", "officer_a", {"agree": True, "opinion": "可"}),
        ("decide", "officer_a", {"agree": True, "opinion": "同意"}),
        ("conclude", "officer_a", {"result": 0}),
    ):
        act(client, world, cid, action, who=who, **body)
    case = client.get(f"/api/v1/cases/{cid}", headers=world.auth("citizen")).json()
    other = {"kind": "personal", "name": "孙市民", "id_number": "11010519491231002X", "phone": "13800000001"}
    licence_id = client.get(
        "/api/v1/applicants/reusable",
        params={"kind": "enterprise", "id_number": ENTERPRISE["id_number"]},
        headers=world.auth("citizen"),
    ).json()["licences"][0]["id"]
    answer = apply(
        client,
        world,
        [
            {"item_material_id": world.item.materials[0].id, "licence_id": licence_id},
            {"item_material_id": world.item.materials[1].id, "upload_id": upload(client, world)},
        ],
        other,
    )
    assert answer["error"]["message"] == "材料“申请表”选择的电子证照不属于该申请人"
    assert case["status"] == "concluded"
