"""An applicant's details and materials belong to the account (or the centre's window) that gave them.

Typing someone else's ID number must not rewrite their details, list their materials, let one reuse them, or
show their cases through a chat binding; a clerk's look-up by ID number reaches only their own department's
applicants, masked, and leaves an audit record (issue 12, findings 1 and 8).
"""

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.cases import bindings
from core.cases import service as case_service
from core.cases.models import Case, Licence
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn
from core.db import make_engine
from core.files import service as file_service
from core.items import service as item_service
from core.migrate import downgrade, upgrade
from core.org import service as org_service
from core.org.models import Department, User
from core.seed.demo import DEMO_PASSWORD, ensure_roles
from tests.helpers import ENTERPRISE, PDF_BYTES, PERSON, api_error, register, submit_online, upload_pdf
from tests.test_migrations import fresh_url  # noqa: F401  (the fixture: an empty database beside the test one)
from tests.world import World, item_in

IMPOSTOR = {**PERSON, "name": "周冒名", "phone": "13900000009", "address": "别处路1号"}
"""citizen2 typing the victim's (孙市民's) ID number with their own name and phone."""

OPENID = "wechat:oImpostor00000000000000000000"


def case_view(client: TestClient, world: World, case_id: int, who: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/cases/{case_id}", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def lookup(client: TestClient, world: World, path: str, who: str, id_number: str = PERSON["id_number"]) -> Any:
    response = client.get(
        f"/api/v1/applicants/{path}", params={"kind": "personal", "id_number": id_number}, headers=world.auth(who)
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def bot(world: World, db: Session) -> dict[str, str]:
    """The bot's service token, speaking for the impostor's WeChat user."""
    user = org_service.create_user(db=db, username="bot", name="机器人", password=DEMO_PASSWORD, role_codes=["service"])
    token = org_service.issue_token(db=db, user=user, name="bot")
    db.commit()
    return {"Authorization": f"Bearer {token}", "X-Channel-User": OPENID}


# ---------------------------------------------------------------- finding 1: taking over an applicant


def test_applying_with_someone_elses_id_number_leaves_their_cases_as_they_were(
    client: TestClient, world: World
) -> None:
    online = submit_online(client, world, "citizen")  # 孙市民 applies online from their own account
    at_window = register(client, world)  # ... and once in person at the window

    impostor = submit_online(client, world, "citizen2", applicant=IMPOSTOR)

    for case_id, who in (
        (online["case_id"], "citizen"),
        (online["case_id"], "clerk_a"),
        (at_window["case_id"], "clerk_a"),
    ):
        victim = case_view(client, world, case_id, who)
        assert (victim["applicant_name"], victim["applicant_phone"]) == ("孙市民", "138****0001"), who
    own = case_view(client, world, impostor["case_id"], "citizen2")
    assert (own["applicant_name"], own["applicant_phone"]) == ("周冒名", "139****0009")
    # the victim's own look-up still gives back their own details
    assert lookup(client, world, "prefill", "citizen")["phone"] == PERSON["phone"]


def test_reuse_offers_and_accepts_only_ones_own_earlier_materials(client: TestClient, world: World) -> None:
    victim = submit_online(client, world, "citizen")
    victim_materials = [m["id"] for m in case_view(client, world, victim["case_id"], "citizen")["materials"]]

    # a stranger typing the ID number learns nothing
    assert lookup(client, world, "prefill", "citizen2") is None
    assert lookup(client, world, "reusable", "citizen2") == {"history": [], "licences": []}

    # nor after applying once with it: they see only what they gave themselves
    impostor = submit_online(client, world, "citizen2", applicant=IMPOSTOR)
    own_materials = {m["id"] for m in case_view(client, world, impostor["case_id"], "citizen2")["materials"]}
    assert lookup(client, world, "prefill", "citizen2")["name"] == "周冒名"
    offered = lookup(client, world, "reusable", "citizen2")
    assert {h["id"] for h in offered["history"]} == own_materials

    spec = world.item.materials
    body = {
        "service_item_id": world.item.id,
        "applicant": IMPOSTOR,
        "materials": [
            {"item_material_id": spec[0].id, "history_material_id": victim_materials[0]},
            {"item_material_id": spec[1].id, "upload_id": upload_pdf(client, world, "citizen2")},
        ],
    }
    before = len(client.get("/api/v1/cases", headers=world.auth("citizen2")).json()["items"])
    error = api_error(client.post("/api/v1/cases", json=body, headers=world.auth("citizen2")), 422)
    assert error["message"] == "材料“申请表”选择的历史材料不属于该申请人"
    assert len(client.get("/api/v1/cases", headers=world.auth("citizen2")).json()["items"]) == before


def test_binding_a_case_in_chat_shows_that_case_only(client: TestClient, world: World, bot: dict[str, str]) -> None:
    victim_first = register(client, world)
    victim_second = register(client, world)
    impostor = submit_online(client, world, "citizen2", applicant=IMPOSTOR)

    proof = {"case_no": impostor["case_no"], "query_code": impostor["query_code"]}
    bound = client.post("/api/v1/my/bindings", json=proof, headers=bot)
    assert bound.status_code == 201, bound.text
    assert [c["case_no"] for c in bound.json()] == [impostor["case_no"]]
    assert [c["case_no"] for c in client.get("/api/v1/my/cases", headers=bot).json()] == [impostor["case_no"]]
    for other in (victim_first, victim_second):
        api_error(client.post("/api/v1/progress", json={"case_no": other["case_no"]}, headers=bot), 404)

    # proving one of the victim's own cases does not open the other one either
    proof = {"case_no": victim_first["case_no"], "query_code": victim_first["query_code"]}
    assert client.post("/api/v1/my/bindings", json=proof, headers=bot).status_code == 201
    seen = {c["case_no"] for c in client.get("/api/v1/my/cases", headers=bot).json()}
    assert seen == {impostor["case_no"], victim_first["case_no"]}
    api_error(client.post("/api/v1/progress", json={"case_no": victim_second["case_no"]}, headers=bot), 404)


# ---------------------------------------------------------------- finding 8: the window look-up


def test_window_look_up_is_for_the_clerks_own_department_masked_and_audited(
    client: TestClient, world: World, db: Session
) -> None:
    register(client, world)  # 孙市民 has a case with department A

    assert lookup(client, world, "prefill", "clerk_b") is None  # department B has no case of theirs
    assert lookup(client, world, "reusable", "clerk_b") == {"history": [], "licences": []}
    found = lookup(client, world, "prefill", "clerk_a")
    assert found["name"] == "孙市民"
    assert found["id_number"] == "1101**********002X" and found["phone"] == "138****0001"
    assert found["address"] != PERSON["address"] and found["address"].startswith("绿地")
    for clear in (PERSON["id_number"], PERSON["phone"], PERSON["address"]):
        assert clear not in str(found)

    reads = db.scalars(select(AuditLog).where(AuditLog.action == "applicant.prefill_read").order_by(AuditLog.id)).all()
    assert [(r.actor_id, r.operation, (r.after or {}).get("found")) for r in reads] == [
        (world.users["clerk_b"].id, "event", False),
        (world.users["clerk_a"].id, "event", True),
    ]
    assert PERSON["id_number"] not in str([r.after for r in reads])


def test_a_citizens_look_up_gives_back_only_their_own_earlier_details(client: TestClient, world: World) -> None:
    register(client, world)  # the centre knows 孙市民 from the window
    assert lookup(client, world, "prefill", "citizen") is None  # not given from this account: nothing to show
    submit_online(client, world, "citizen", applicant={**PERSON, "address": "新家路8号"})
    submit_online(client, world, "citizen2", applicant=IMPOSTOR)
    mine = lookup(client, world, "prefill", "citizen")
    assert (mine["name"], mine["phone"], mine["address"]) == ("孙市民", PERSON["phone"], "新家路8号")
    assert mine["id_number"] == PERSON["id_number"]  # one's own details come back whole


# ---------------------------------------------------------------- existing data: migration 0011


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _shared_world(url: str) -> dict[str, Any]:
    """On a fresh database: 孙市民 known at the window, from their own account and from an impostor's; an
    enterprise known at the window twice; a licence; a WeChat binding of each person's window case."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            ensure_roles(s)
            dept = Department(code="DA", name="城市管理局", short_name="城管")
            s.add(dept)
            s.flush()
            item = item_service.save(s, None, item_in(dept))
            clerk = org_service.create_user(
                db=s,
                username="clerk_a",
                name="张窗口",
                password=DEMO_PASSWORD,
                role_codes=["clerk"],
                department_id=dept.id,
            )
            owner = org_service.register_citizen(db=s, phone="13800000001", name="孙市民", password=DEMO_PASSWORD)
            impostor = org_service.register_citizen(db=s, phone="13800000002", name="周市民", password=DEMO_PASSWORD)

            def paper(applicant: dict[str, str]) -> SubmitIn:
                materials = [MaterialIn(item_material_id=m.id, paper=True) for m in item.materials]
                return SubmitIn(service_item_id=item.id, applicant=ApplicantIn(**applicant), materials=materials)

            def upload(user: User) -> int:
                stored = file_service.store(s, filename="申请表.pdf", content=PDF_BYTES, uploaded_by_id=user.id)
                s.flush()
                return stored.id

            def online(user: User, applicant: dict[str, str]) -> int:
                materials = [
                    MaterialIn(item_material_id=m.id, upload_id=upload(user)) for m in item.materials if m.required
                ]
                data = SubmitIn(service_item_id=item.id, applicant=ApplicantIn(**applicant), materials=materials)
                return case_service.submit_online(s, user, data).case.id

            window = case_service.register_at_window(s, clerk, paper(PERSON))
            own = online(owner, PERSON)
            taken = online(impostor, IMPOSTOR)
            firm_first = case_service.register_at_window(s, clerk, paper(ENTERPRISE))
            firm_second = case_service.register_at_window(s, clerk, paper(ENTERPRISE)).case.id
            s.add(
                Licence(
                    licence_no="XK-0001",
                    name="占用挖掘城市道路许可决定书",
                    holder_id=s.get_one(Case, taken).applicant_id,
                    holder_name="周冒名",
                    department_id=dept.id,
                    case_id=taken,
                    issued_at=datetime(2026, 9, 24, 10, 0),
                )
            )
            bindings.bind(s, "wechat:person", window.case.case_no, window.query_code)
            bindings.bind(s, "wechat:firm", firm_first.case.case_no, firm_first.query_code)
            s.commit()
            return {
                "users": (owner.id, impostor.id),
                "person": {window.case.id: None, own: owner.id, taken: impostor.id},
                "firm": [firm_first.case.id, firm_second],
                "taken": taken,
            }
    finally:
        engine.dispose()


def test_migration_gives_each_owner_its_own_record_and_keeps_only_bindings_it_can_attribute(
    request: pytest.FixtureRequest,
) -> None:
    url: str = request.getfixturevalue("fresh_url")
    upgrade(url)
    world = _shared_world(url)
    owner_of_case = "SELECT c.id, a.owner_user_id, a.id FROM `case` c JOIN applicant a ON a.id = c.applicant_id"
    if not url.startswith("mysql"):
        owner_of_case = owner_of_case.replace("`", '"')

    downgrade(url, "0010")  # back to one shared record per ID number, as before the fix
    assert len(_rows(url, "SELECT id FROM applicant")) == 2
    assert len({applicant for _, applicant in _rows(url, owner_of_case.replace("a.owner_user_id, ", ""))}) == 2
    assert len(_rows(url, "SELECT channel_user, applicant_id FROM channel_binding")) == 2

    upgrade(url, "0011")
    records = {case_id: (owner, applicant) for case_id, owner, applicant in _rows(url, owner_of_case)}
    assert {case_id: records[case_id][0] for case_id in world["person"]} == world["person"]
    assert len({records[case_id][1] for case_id in world["person"]}) == 3  # three owners, three records
    assert len({records[case_id][1] for case_id in world["firm"]}) == 1  # the centre's alone
    assert _rows(url, "SELECT holder_id FROM licence") == [(records[world["taken"]][1],)]
    # the person's binding proved a case of a record three owners shared: dropped; the firm's record had one owner
    assert sorted(_rows(url, "SELECT channel_user, case_id FROM channel_binding")) == [
        ("wechat:firm", case_id) for case_id in sorted(world["firm"])
    ]
    upgrade(url)
