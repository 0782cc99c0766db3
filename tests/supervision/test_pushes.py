"""Concluding a licensed case pushes its result to exactly the configured supervisors; they claim it and
feed back, and the feedback goes back to the approving department as an event."""

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.events.models import DomainEvent
from tests.helpers import ENTERPRISE, PERSON, api_error, db_state, upload_pdf
from tests.supervision.conftest import claim, concluded, configure, feed_back, push_to, pushes
from tests.world import WORKDAY, World


def _events(db: Session, kind: str) -> list[DomainEvent]:
    db.rollback()
    return list(db.scalars(select(DomainEvent).where(DomainEvent.kind == kind).order_by(DomainEvent.id)))


def test_a_licensed_conclusion_pushes_to_exactly_the_configured_departments(
    client: TestClient, supervised: World, db: Session
) -> None:
    world = supervised
    clock.freeze(WORKDAY)
    new = concluded(client, world)
    rows = pushes(client, world)
    assert sorted(p["department_name"] for p in rows) == ["消防救援大队", "生态环境分局"]
    for row in rows:
        assert row["case_no"] == new["case_no"] and row["status"] == "pushed"
        assert row["licence_no"] == f"{new['case_no']}-Z"
        assert row["approving_department_name"] == "城市管理局"
        # three working days after Thursday 24 September: Fri 25 is the Mid-Autumn holiday → Wed 30 September
        assert row["claim_due_at"] == "2026-09-30T23:59:59"
    pushed = _events(db, "supervision.pushed")
    assert sorted(e.recipients[0]["department_id"] for e in pushed) == sorted([world.dept_b.id, world.dept_c.id])
    for event in pushed:
        assert event.recipients[0]["permission"] == "supervision.handle"
        assert event.data["case_no"] == new["case_no"] and event.data["item_name"] == "占用、挖掘城市道路审批"
        assert event.data["holder_name"] == "孙*民" and event.data["licence_no"] == f"{new['case_no']}-Z"
        assert event.data["url"].endswith(f"/admin/supervision/pushes/{event.data['push_id']}")
        assert event.data["claim_due_at"] == "2026-09-30T23:59"
        assert not any(PERSON["id_number"] in str(v) for v in event.data.values())


def test_the_department_receives_the_configured_fields_masked_and_frozen(
    client: TestClient, supervised: World, db: Session
) -> None:
    world = supervised
    concluded(client, world)
    push = push_to(client, world, world.dept_c.id)
    detail = client.get(f"/api/v1/supervision/pushes/{push['id']}", headers=world.auth("officer_c")).json()
    result = {line["label"]: line["value"] for line in detail["result"]}
    assert set(result) == {
        "办件编号",
        "事项名称",
        "审批部门",
        "办结时间",
        "证照编号",
        "持证主体",
        "证件号码",
        "有效期至",
        "审批意见",
        "材料清单",
    }
    assert result["持证主体"] == "孙*民" and result["证件号码"] == "1101**********002X"
    assert result["审批意见"] == "同意许可" and result["材料清单"] == ["申请表", "施工方案", "交通疏导方案"]
    assert PERSON["id_number"] not in str(detail)
    # a later change of the configuration does not change what was received
    configs = client.get("/api/v1/supervision/configs", headers=world.auth("admin")).json()
    body = {"service_item_id": world.item.id, "department_ids": [world.dept_c.id], "fields": ["licence_no"]}
    changed = client.put(f"/api/v1/supervision/configs/{configs[0]['id']}", json=body, headers=world.auth("admin"))
    assert changed.status_code == 200, changed.text
    again = client.get(f"/api/v1/supervision/pushes/{push['id']}", headers=world.auth("officer_c")).json()
    assert again["result"] == detail["result"]


def test_an_enterprise_holder_is_sent_in_full(client: TestClient, supervised: World) -> None:
    world = supervised
    concluded(client, world, applicant=ENTERPRISE)
    detail = client.get(
        f"/api/v1/supervision/pushes/{push_to(client, world, world.dept_b.id)['id']}", headers=world.auth("officer_b")
    ).json()
    result = {line["key"]: line["value"] for line in detail["result"]}
    assert result["holder"] == ENTERPRISE["name"] and result["holder_id_number"] == ENTERPRISE["id_number"]


def test_nothing_is_pushed_without_a_licence_or_without_a_configuration(
    client: TestClient, supervised: World, db: Session
) -> None:
    world = supervised
    concluded(client, world, result=1)  # 不予许可
    assert pushes(client, world) == []
    # an item without a configuration (and without a licence) concluded 出证办结 pushes nothing either
    new = client.post(
        "/api/v1/cases/window",
        json={
            "service_item_id": world.immediate_item.id,
            "applicant": PERSON,
            "materials": [{"item_material_id": m.id, "paper": True} for m in world.immediate_item.materials],
        },
        headers=world.auth("clerk_a"),
    ).json()
    client.post(f"/api/v1/cases/{new['case_id']}/accept", json={}, headers=world.auth("clerk_a"))
    done = client.post(f"/api/v1/cases/{new['case_id']}/conclude", json={"result": 0}, headers=world.auth("officer_a"))
    assert done.status_code == 200, done.text
    assert pushes(client, world) == []
    assert _events(db, "supervision.pushed") == []


def test_an_inactive_configuration_pushes_nothing(client: TestClient, world: World) -> None:
    configure(client, world, [world.dept_c.id], is_active=False)
    concluded(client, world)
    assert pushes(client, world) == []


def test_claim_then_feedback_goes_back_to_the_approving_department(
    client: TestClient, supervised: World, db: Session
) -> None:
    world = supervised
    clock.freeze(WORKDAY)
    concluded(client, world)
    push = push_to(client, world, world.dept_c.id)
    clock.freeze(datetime(2026, 9, 28, 9, 30))
    claimed = claim(client, world, push["id"], "officer_c")
    assert claimed.status_code == 200, claimed.text
    body = claimed.json()
    assert body["status"] == "claimed" and body["claimed_by_name"] == "钱消防"
    # 20 working days after Monday 28 September, skipping 1–7 October and counting Saturday 10 October
    assert body["feedback_due_at"] == "2026-10-30T23:59:59"
    attachment = upload_pdf(client, world, "officer_c", "检查记录.pdf")
    clock.freeze(datetime(2026, 10, 9, 16, 0))
    answered = feed_back(
        client,
        world,
        push["id"],
        "officer_c",
        inspected_on="2026-10-09",
        problems_found=True,
        problems="疏散通道堆放杂物",
        measures="责令当场整改，已复查",
        attachment_ids=[attachment],
    )
    assert answered.status_code == 200, answered.text
    detail = answered.json()
    assert detail["status"] == "fed_back" and detail["feedback"]["problems"] == "疏散通道堆放杂物"
    assert detail["feedback"]["attachments"] == [{"id": attachment, "name": "检查记录.pdf"}]
    events = _events(db, "supervision.feedback")
    assert len(events) == 1
    event = events[0]
    assert event.recipients == [
        {
            "user_id": None,
            "department_id": world.dept_a.id,
            "permission": "case.handle",
            "applicant_id": None,
            "role": "approver",
        }
    ]
    assert event.data["department_name"] == "消防救援大队" and event.data["problems_found"] is True
    assert event.data["measures"] == "责令当场整改，已复查" and event.data["inspected_on"] == "2026-10-09"
    # the approving department reads it; the other supervisor still has its own push to claim
    seen = client.get(f"/api/v1/supervision/pushes/{push['id']}", headers=world.auth("clerk_a"))
    assert seen.status_code == 200 and seen.json()["feedback"]["measures"] == "责令当场整改，已复查"
    assert push_to(client, world, world.dept_b.id)["status"] == "pushed"


def test_each_department_sees_only_what_it_received(client: TestClient, supervised: World) -> None:
    world = supervised
    concluded(client, world)
    mine = pushes(client, world, "officer_c")
    assert [p["department_name"] for p in mine] == ["消防救援大队"]
    assert [p["department_name"] for p in pushes(client, world, "officer_b")] == ["生态环境分局"]
    assert len(pushes(client, world, "admin")) == 2
    theirs = push_to(client, world, world.dept_b.id)
    api_error(client.get(f"/api/v1/supervision/pushes/{theirs['id']}", headers=world.auth("officer_c")), 403)
    api_error(client.get("/api/v1/supervision/pushes", headers=world.auth("clerk_b")), 403)
    # a department's filter cannot widen its scope
    wider = client.get(
        "/api/v1/supervision/pushes", params={"department_id": world.dept_b.id}, headers=world.auth("officer_c")
    )
    assert wider.status_code == 200 and wider.json()["items"] == []


def test_refused_claims_and_feedback_change_nothing(client: TestClient, supervised: World) -> None:
    world = supervised
    clock.freeze(WORKDAY)
    concluded(client, world)
    push = push_to(client, world, world.dept_c.id)
    pid = push["id"]
    before = db_state()
    # feedback before the claim
    error = api_error(feed_back(client, world, pid, "officer_c", inspected_on="2026-09-24"), 409)
    assert "请先认领" in error["message"]
    # another department's push: neither claim nor feedback
    assert "消防救援大队" in api_error(claim(client, world, pid, "officer_b"), 403)["message"]
    api_error(feed_back(client, world, pid, "officer_b", inspected_on="2026-09-24"), 403)
    # no supervision.handle at all, and nobody logged in
    api_error(claim(client, world, pid, "clerk_a"), 403)
    api_error(claim(client, world, pid, "anonymous"), 401)
    api_error(claim(client, world, 999999, "officer_c"), 404)
    assert db_state() == before

    assert claim(client, world, pid, "officer_c").status_code == 200
    before = db_state()
    assert "无需重复认领" in api_error(claim(client, world, pid, "officer_c"), 409)["message"]
    for body, field in (
        ({"inspected": True, "inspected_on": None}, "inspected_on"),
        ({"inspected_on": "2026-09-30"}, "inspected_on"),  # later than today (frozen on 24 September)
        ({"inspected_on": "2026-09-01"}, "inspected_on"),  # before the push
        ({"inspected": False, "inspected_on": None, "measures": ""}, "measures"),
        ({"inspected_on": "2026-09-24", "problems_found": True, "problems": "", "measures": "整改"}, "problems"),
        ({"inspected_on": "2026-09-24", "attachment_ids": [424242]}, "attachment_ids"),
    ):
        error = api_error(feed_back(client, world, pid, "officer_c", **body), 422)
        assert error["field"] == field, (body, error)
    api_error(
        client.post(
            f"/api/v1/supervision/pushes/{pid}/feedback", json={"inspected": "也许"}, headers=world.auth("officer_c")
        ),
        422,
    )
    assert db_state() == before

    assert feed_back(client, world, pid, "officer_c", inspected_on="2026-09-24").status_code == 200
    before = db_state()
    again = feed_back(client, world, pid, "officer_c", inspected_on="2026-09-24")
    assert "不能重复反馈" in api_error(again, 409)["message"]
    assert db_state() == before


def test_another_persons_upload_cannot_be_attached(client: TestClient, supervised: World) -> None:
    world = supervised
    clock.freeze(WORKDAY)
    concluded(client, world)
    pid = push_to(client, world, world.dept_c.id)["id"]
    claim(client, world, pid, "officer_c")
    foreign = upload_pdf(client, world, "clerk_a")
    before = db_state()
    error = api_error(
        feed_back(client, world, pid, "officer_c", inspected_on="2026-09-24", attachment_ids=[foreign]), 422
    )
    assert "不是您上传的" in error["message"]
    assert db_state() == before
