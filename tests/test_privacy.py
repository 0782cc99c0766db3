"""ID and phone numbers are encrypted at rest; what the public sees of an applicant is masked."""

from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from core import clock
from core.cases.models import Applicant
from core.org.models import User
from core.security import hash_password, verify_password
from core.settings import Settings
from tests.helpers import ENTERPRISE, PERSON, act, create_officer, register
from tests.world import WORKDAY, World

ZHANG = {**PERSON, "name": "张三", "phone": "13912345678"}


def raw_rows(db, table: str) -> list[dict[str, Any]]:
    """Rows of a table exactly as stored, without the ORM's decryption."""
    quoted = db.get_bind().dialect.identifier_preparer.quote(table)
    with db.get_bind().connect() as conn:
        return [dict(row._mapping) for row in conn.execute(text(f"SELECT * FROM {quoted}"))]


def assert_not_stored(rows: list[dict[str, Any]], *secrets: str) -> None:
    for row in rows:
        for column, value in row.items():
            for secret in secrets:
                assert secret not in str(value), f"{secret} stored in clear in column {column}"


def test_applicant_id_and_phone_are_encrypted_at_rest(client: TestClient, world: World, db) -> None:
    register(client, world, applicant=ZHANG)
    register(client, world, applicant=ENTERPRISE)
    rows = raw_rows(db, "applicant")
    assert len(rows) == 2
    assert_not_stored(rows, ZHANG["id_number"], ZHANG["phone"], ENTERPRISE["id_number"], ENTERPRISE["phone"])
    assert_not_stored(rows, ZHANG["id_number"][-8:], ZHANG["phone"][-8:])  # not even a recognisable part
    # the same value encrypts differently each time: equal ID numbers are not visible as equal ciphertexts
    assert len({row["id_number"] for row in rows} | {row["phone"] for row in rows}) == 4
    # the application gets the clear values back
    db.expire_all()
    stored = db.scalar(select(Applicant).where(Applicant.name == "张三"))
    assert stored is not None and stored.id_number == ZHANG["id_number"] and stored.phone == ZHANG["phone"]
    prefill = client.get(
        "/api/v1/applicants/prefill",
        params={"kind": "personal", "id_number": ZHANG["id_number"]},
        headers=world.auth("clerk_a"),
    )
    assert prefill.status_code == 200, prefill.text
    # decrypted for the window clerk's look-up, which shows them masked
    assert prefill.json()["id_number"] == "1101**********002X" and prefill.json()["phone"] == "139****5678"


def test_staff_case_view_masks_id_and_phone(client: TestClient, world: World) -> None:
    cid = register(client, world, applicant=ZHANG)["case_id"]
    case = client.get(f"/api/v1/cases/{cid}", headers=world.auth("clerk_a"))
    assert case.status_code == 200, case.text
    assert case.json()["applicant_id_number"] == "1101**********002X"
    assert case.json()["applicant_phone"] == "139****5678"
    assert ZHANG["id_number"] not in case.text and ZHANG["phone"] not in case.text


def test_user_phone_is_encrypted_at_rest(client: TestClient, world: World, db) -> None:
    created = create_officer(client, world, "13700001234")
    assert created.json()["phone"] == "137****1234"
    changed = client.patch(
        f"/api/v1/users/{world.users['officer_a'].id}", json={"phone": "0512-57861111"}, headers=world.auth("admin")
    )
    assert changed.status_code == 200, changed.text
    rows = raw_rows(db, "user")
    assert_not_stored(rows, "13700001234", "0512-57861111", "57861111")
    db.expire_all()
    assert db.get(User, created.json()["id"]).phone == "13700001234"
    assert db.get(User, world.users["officer_a"].id).phone == "0512-57861111"


def test_query_password_is_not_stored_in_clear(client: TestClient, world: World, db) -> None:
    new = register(client, world, applicant=ZHANG)
    (row,) = raw_rows(db, "case")
    assert new["query_code"] not in str(row["query_code_hash"]) and len(row["query_code_hash"]) == 64


def concluded_case(client: TestClient, world: World, applicant: dict[str, Any]) -> dict[str, Any]:
    new = register(client, world, applicant=applicant)
    cid = new["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    return new


def test_publicity_masks_applicant_names(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    concluded_case(client, world, ZHANG)
    concluded_case(client, world, {**PERSON, "name": "欧阳娜娜", "id_number": "110105194912310038"})
    concluded_case(client, world, ENTERPRISE)
    response = client.get("/api/v1/publicity")
    assert response.status_code == 200, response.text
    names = {row["applicant_name"] for row in response.json()["items"]}
    assert names == {"张*", "欧**娜", "华睿**********公司"}
    for clear in ("张三", "欧阳娜娜", ENTERPRISE["name"], ZHANG["id_number"], ZHANG["phone"]):
        assert clear not in response.text


def test_progress_answer_masks_the_applicant_name(client: TestClient, world: World) -> None:
    new = register(client, world, applicant=ZHANG)
    response = client.post("/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]})
    assert response.status_code == 200, response.text
    assert response.json()["applicant_name"] == "张*"
    for clear in ("张三", ZHANG["id_number"], ZHANG["phone"]):
        assert clear not in response.text


def test_passwords_are_hashed_with_argon2id_at_the_recommended_cost_outside_the_tests() -> None:
    """The suite lowers the cost to create its staff quickly; the platform's defaults are RFC 9106's."""
    fields = Settings.model_fields
    defaults = (fields[n].default for n in ("argon2_time_cost", "argon2_memory_cost_kib", "argon2_parallelism"))
    time_cost, memory_cost, parallelism = defaults
    made = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism).hash("Demo@2026")
    assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(made, "Demo@2026")  # a hash made at full cost verifies whatever the current cost
    assert hash_password("Demo@2026").startswith("$argon2id$") and not verify_password(made, "demo@2026")
