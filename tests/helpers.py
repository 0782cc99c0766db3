"""Small helpers shared by the tests."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import get_engine
from core.models import Base
from core.validators import id_number_check_char
from tests.world import World

PERSON = {
    "kind": "personal",
    "name": "孙市民",
    "id_number": "11010519491231002X",
    "phone": "13800000001",
    "address": "绿地大道721号",
}
ENTERPRISE = {
    "kind": "enterprise",
    "name": "华睿精密机械（XX）有限公司",
    "id_number": "91350100M000100Y43",
    "phone": "0512-57861234",
}


def paper_materials(world: World, item_id: int | None = None) -> list[dict[str, Any]]:
    """Every material of the item, received on paper at the window."""
    item = {
        world.item.id: world.item,
        world.immediate_item.id: world.immediate_item,
        world.joint_item.id: world.joint_item,
    }[item_id or world.item.id]
    return [{"item_material_id": m.id, "paper": True} for m in item.materials]


def register(
    client: TestClient,
    world: World,
    item_id: int | None = None,
    who: str = "clerk_a",
    applicant: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Registers a case at the window and returns the API's answer."""
    body = {
        "service_item_id": item_id or world.item.id,
        "applicant": applicant or PERSON,
        "materials": paper_materials(world, item_id),
    }
    response = client.post("/api/v1/cases/window", json=body, headers=world.auth(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


DECIDER_ACTIONS = frozenset({"decide", "conclude", "return"})


def act(
    client: TestClient,
    world: World,
    case_id: int,
    action: str,
    who: str | None = None,
    expect: int = 200,
    **body: Any,
) -> dict[str, Any]:
    """Performs a step on a case through the API and checks the status code. By default the window clerk of A
    acts, and A's officer for 决定, 办结 and 退回 (a clerk holds no ``case.decide``)."""
    who = who or ("officer_a" if action in DECIDER_ACTIONS else "clerk_a")
    response = client.post(f"/api/v1/cases/{case_id}/{action}", json=body, headers=world.auth(who))
    assert response.status_code == expect, response.text
    return dict(response.json())


# ---------------------------------------------------------------- added for the acceptance tests

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    """True when the text contains at least one Chinese character."""
    return bool(_CHINESE.search(text))


def api_error(response: Any, status: int) -> dict[str, Any]:
    """Checks an error answer: the status, the ``{"error": {"code", "message"}}`` shape and a Chinese message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and has_chinese(error["message"]), body
    return dict(error)


def upload_pdf(client: TestClient, world: World, who: str, name: str = "申请表.pdf") -> int:
    """Uploads a small real PDF as ``who`` and returns its upload id."""
    response = client.post(
        "/api/v1/uploads", files={"file": (name, PDF_BYTES, "application/pdf")}, headers=world.auth(who)
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def submit_online(
    client: TestClient, world: World, who: str = "citizen", applicant: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A citizen applies online for the main item, uploading a PDF for every required material."""
    materials = [
        {"item_material_id": m.id, "upload_id": upload_pdf(client, world, who, f"{m.name}.pdf")}
        for m in world.item.materials
        if m.required
    ]
    body = {"service_item_id": world.item.id, "applicant": applicant or PERSON, "materials": materials}
    response = client.post("/api/v1/cases", json=body, headers=world.auth(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def valid_id_number(serial: int, birthday: str = "19800101") -> str:
    """A resident ID number with a correct check character (area 320583, the given birthday and serial)."""
    first17 = f"320583{birthday}{serial % 1000:03d}"
    return first17 + id_number_check_char(first17)


def db_state() -> dict[str, Any]:
    """Row counts of every table (every write leaves an audit row, so this also shows updates) and the
    state columns of every case, read through a fresh connection."""
    state: dict[str, Any] = {}
    tables = Base.metadata.sorted_tables
    with get_engine().connect() as conn:
        # one query for all the counts: a round trip a table made this the slowest part of many tests on MariaDB
        counts = select(
            *(select(func.count()).select_from(t).scalar_subquery().label(f"n{i}") for i, t in enumerate(tables))
        )
        state.update(zip((t.name for t in tables), conn.execute(counts).one(), strict=True))
        case = Base.metadata.tables["case"]
        state["case rows"] = [
            tuple(row)
            for row in conn.execute(
                select(case.c.id, case.c.status, case.c.current_step, case.c.version, case.c.query_code_hash).order_by(
                    case.c.id
                )
            )
        ]
    return state


def create_officer(client: TestClient, world: World, phone: str) -> Any:
    """An admin creates an officer of department A with a phone number, through the API."""
    body = {
        "username": "officer_new",
        "name": "郑审批",
        "password": "Tongban#2026x",
        "roles": ["officer"],
        "department_id": world.dept_a.id,
        "phone": phone,
    }
    created = client.post("/api/v1/users", json=body, headers=world.auth("admin"))
    assert created.status_code == 201, created.text
    return created
