"""受理前更正登记信息: a handler of the department corrects the phone, address, contact or project name of a case
waiting for acceptance; the correction is a step of the case with its reason, on record in the audit log, and is
refused once the case is accepted or when nothing changes."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.audit.models import AuditLog
from tests.helpers import act, api_error, db_state, register
from tests.web.conftest import Browser
from tests.world import World


def edit(client: TestClient, world: World, case_id: int, who: str = "clerk_a", **body: object) -> object:
    return client.patch(f"/api/v1/cases/{case_id}/registration", json=body, headers=world.auth(who))


def test_a_clerk_corrects_a_waiting_case_and_the_step_says_what_changed(client: TestClient, world: World, db) -> None:
    cid = register(client, world)["case_id"]
    response = edit(client, world, cid, phone="13912345678", project_name="某路段管线维修", reason="申请人电话登记错误")
    assert response.status_code == 200, response.text
    case = response.json()
    assert case["project_name"] == "某路段管线维修"
    step = case["steps"][-1]
    assert step["action"] == "edit_registration"
    assert "申请人电话登记错误" in step["opinion"] and "139****5678" in step["opinion"]
    assert "13912345678" not in step["opinion"]
    entities = set(db.scalars(select(AuditLog.entity).where(AuditLog.entity.in_(["case", "applicant"]))))
    assert {"case", "applicant"} <= entities

    before = db_state()
    api_error(edit(client, world, cid, phone="13912345678", reason="再改一次"), 422)  # nothing would change
    api_error(edit(client, world, cid, phone="12345", reason="电话有误"), 422)
    api_error(edit(client, world, cid, who="clerk_b", address="别处", reason="跨部门修改"), 403)
    assert db_state() == before
    act(client, world, cid, "accept")
    refused = api_error(edit(client, world, cid, address="创业路 1 号", reason="地址有误"), 409)
    assert "已受理" in refused["message"]


def test_the_case_page_offers_the_correction_before_acceptance(
    client: TestClient, world: World, browser: Callable[[str | None], Browser]
) -> None:
    cid = register(client, world)["case_id"]
    clerk = browser("clerk_a")
    page = clerk.get(f"/admin/cases/{cid}")
    assert "更正登记信息（受理前）" in page.text
    refused = clerk.submit(f"/admin/cases/{cid}", f"/admin/cases/{cid}/edit_registration", {"edit_reason": "无"})
    assert "更正原因" in refused.text
    done = clerk.submit(
        f"/admin/cases/{cid}",
        f"/admin/cases/{cid}/edit_registration",
        {"address": "创业路 20 号", "edit_reason": "地址少写门牌号"},
    )
    assert done.status_code == 200
    assert "创业路 20 号" in done.text and "修改登记信息" in done.text
    act(client, world, cid, "accept")
    assert "更正登记信息（受理前）" not in clerk.get(f"/admin/cases/{cid}").text
