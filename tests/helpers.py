"""Small helpers shared by the tests."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import World

PERSON = {"kind": "personal", "name": "孙市民", "id_number": "11010519491231002X", "phone": "13800000001",
          "address": "绿地大道721号"}
ENTERPRISE = {"kind": "enterprise", "name": "华睿精密机械（XX）有限公司", "id_number": "91350100M000100Y43",
              "phone": "0512-57861234"}


def paper_materials(world: World, item_id: int | None = None) -> list[dict[str, Any]]:
    """Every material of the item, received on paper at the window."""
    item = {world.item.id: world.item, world.immediate_item.id: world.immediate_item,
            world.joint_item.id: world.joint_item}[item_id or world.item.id]
    return [{"item_material_id": m.id, "paper": True} for m in item.materials]


def register(client: TestClient, world: World, item_id: int | None = None, who: str = "clerk_a",
             applicant: dict[str, Any] | None = None) -> dict[str, Any]:
    """Registers a case at the window and returns the API's answer."""
    body = {"service_item_id": item_id or world.item.id, "applicant": applicant or PERSON,
            "materials": paper_materials(world, item_id)}
    response = client.post("/api/v1/cases/window", json=body, headers=world.auth(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def act(client: TestClient, world: World, case_id: int, action: str, who: str = "clerk_a",
        expect: int = 200, **body: Any) -> dict[str, Any]:
    """Performs a step on a case through the API and checks the status code."""
    response = client.post(f"/api/v1/cases/{case_id}/{action}", json=body, headers=world.auth(who))
    assert response.status_code == expect, response.text
    return dict(response.json())
