"""Who may act on *which* object: the same request, aimed at an object of another department or another account,
is refused and changes nothing.

tests/test_authz_matrix.py checks roles × routes on objects the allowed roles may reach. This file checks the
parameters: ids in the path, and ``department_id`` / ``id_number`` / ``credit_code`` in the body or query. Every
route of the OpenAPI that takes one is classified below; a new route fails ``test_every_parameterised_route_is_
classified`` until it is.
"""

from fastapi.testclient import TestClient

from tests.conftest import World, item_in
from tests.helpers import act, api_error, db_state
from tests.projects.conftest import Filing, new_project
from tests.projects.conftest import filing as filing  # the fixture, for the tests here

# ---------------------------------------------------------------- findings of issue 12


def test_a_department_records_only_its_own_joint_review(client: TestClient, world: World, db) -> None:
    """Issue 12 finding 2: ``department_id`` in the body no longer lets one department record another's part."""
    from core.items import service as item_service

    both = item_service.save(
        db,
        None,
        item_in(world.dept_a, name="城市道路挖掘联合审批", case_type=3, joint_route=[["DB", "DC"]]),
    )
    db.commit()
    body = {
        "service_item_id": both.id,
        "applicant": {
            "kind": "personal",
            "name": "孙市民",
            "id_number": "11010519491231002X",
            "phone": "13800000001",
        },
        "materials": [{"item_material_id": m.id, "paper": True} for m in both.materials],
    }
    created = client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))
    assert created.status_code == 201, created.text
    cid = created.json()["case_id"]
    act(client, world, cid, "accept")

    # C's officer names B's department: C's own part is recorded, B's stays open
    done = act(
        client,
        world,
        cid,
        "review",
        who="officer_c",
        agree=False,
        opinion="消防意见：不同意",
        department_id=world.dept_b.id,
    )
    joint = [
        (s["department_name"], s["handler_name"], s["result_label"])
        for s in done["steps"]
        if s["action"] == "joint_review"
    ]
    assert joint == [("消防救援大队", "钱消防", "不同意")]
    assert done["current_step"] == "review"  # B has not reviewed yet
    # C has nothing left to review, whatever department it names
    before = db_state()
    again = client.post(
        f"/api/v1/cases/{cid}/review",
        json={"agree": True, "opinion": "同意", "department_id": world.dept_b.id},
        headers=world.auth("officer_c"),
    )
    assert "会办" in api_error(again, 403)["message"]
    assert db_state() == before
    # a leader (all departments, none of their own) cannot fill in for B either
    leader = client.post(
        f"/api/v1/cases/{cid}/review",
        json={"agree": True, "opinion": "同意", "department_id": world.dept_b.id},
        headers=world.auth("leader"),
    )
    api_error(leader, 403)
    assert db_state() == before
    # B records its own part, and the stage completes
    finished = act(client, world, cid, "review", who="clerk_b", agree=True, opinion="环保意见：同意")
    assert finished["current_step"] == "decide"


def test_a_reviewing_officer_cannot_issue_a_guidance_letter(client: TestClient, filing: Filing) -> None:
    """Issue 12 finding 9: only the filer, the project's guide and administrators issue letters."""
    citizen = filing.world.auth("citizen")
    project = new_project(client, filing)
    pid = project["id"]
    assert client.post(f"/api/v1/projects/{pid}/derive", headers=citizen).status_code == 200
    sent = client.post(f"/api/v1/projects/{pid}/review", headers=citizen)
    assert sent.status_code == 200, sent.text
    review = next(r for r in sent.json() if r["department_id"] == filing.departments["D04"].id)
    officer = filing.token_of("officer_d04")
    # the officer corrects an item: the flow changed, so a letter issued now would be a new version
    flow = client.get(f"/api/v1/projects/{pid}/flow", headers=citizen).json()
    code = next(i["code"] for s in flow["flow"]["stages"] for i in s["items"] if i["name"] in review["items"])
    adjusted = client.post(
        f"/api/v1/project-reviews/{review['id']}/adjustments",
        json={"action": "correct", "approval_code": code, "time_limit_days": 2, "opinion": "可提前办结"},
        headers=officer,
    )
    assert adjusted.status_code == 201, adjusted.text
    before = db_state()
    refused = client.post(f"/api/v1/projects/{pid}/letter", headers=officer)
    assert "指导意见书" in api_error(refused, 403)["message"]
    assert db_state() == before
    letters = client.get(f"/api/v1/projects/{pid}/letters", headers=citizen).json()
    assert [x["version"] for x in letters] == [1]
    # the filer and the guide may
    for who in ("citizen", "guide"):
        issued = client.post(f"/api/v1/projects/{pid}/letter", headers=filing.world.auth(who))
        assert issued.status_code == 200, (who, issued.text)
    assert [x["version"] for x in client.get(f"/api/v1/projects/{pid}/letters", headers=citizen).json()] == [2, 1]
