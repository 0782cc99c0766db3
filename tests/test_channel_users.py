"""The bot speaking for a channel user: progress without the password once bound, "我的办件", ratings, projects."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from tests.helpers import act, api_error, register
from tests.world import World

OPENID = "wechat:oyORnuP8q7ou2gfYjqLzSIWZf0rs"
OTHER = "wechat:oOtherUser000000000000000000"


@pytest.fixture
def bot(world: World, db: Session) -> dict[str, str]:
    """The action server's service token; ``as_(user)`` adds the channel user header."""
    user = org_service.create_user(db=db, username="bot", name="机器人", password=DEMO_PASSWORD, role_codes=["service"])
    token = org_service.issue_token(db=db, user=user, name="bot")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def as_(bot: dict[str, str], channel_user: str) -> dict[str, str]:
    return {**bot, "X-Channel-User": channel_user}


def concluded(client: TestClient, world: World) -> dict[str, Any]:
    new = register(client, world)
    cid = new["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    return new


def test_a_bound_channel_user_sees_progress_and_my_cases_without_the_password(
    client: TestClient, world: World, bot: dict[str, str]
) -> None:
    new = register(client, world)
    no_password = {"case_no": new["case_no"]}
    error = api_error(client.post("/api/v1/progress", json=no_password, headers=as_(bot, OPENID)), 404)
    assert "查询密码不正确" in error["message"]
    assert client.get("/api/v1/my/cases", headers=as_(bot, OPENID)).json() == []

    wrong = {"case_no": new["case_no"], "query_code": "000000" if new["query_code"] != "000000" else "111111"}
    api_error(client.post("/api/v1/my/bindings", json=wrong, headers=as_(bot, OPENID)), 404)
    bound = client.post(
        "/api/v1/my/bindings", json={**no_password, "query_code": new["query_code"]}, headers=as_(bot, OPENID)
    )
    assert bound.status_code == 201, bound.text
    assert [c["case_no"] for c in bound.json()] == [new["case_no"]]

    progress = client.post("/api/v1/progress", json=no_password, headers=as_(bot, OPENID))
    assert progress.status_code == 200 and progress.json()["status_label"] == "待受理"
    mine = client.get("/api/v1/my/cases", headers=as_(bot, OPENID)).json()
    assert mine[0]["item_name"] == world.item.name and mine[0]["status_label"] == "待受理"
    api_error(client.post("/api/v1/progress", json=no_password, headers=as_(bot, OTHER)), 404)


def test_only_service_clients_may_speak_for_a_channel_user(client: TestClient, world: World) -> None:
    headers = {**world.auth("citizen"), "X-Channel-User": OPENID}
    error = api_error(client.get("/api/v1/my/cases", headers=headers), 403)
    assert "服务客户端" in error["message"]
    api_error(client.post("/api/v1/progress", json={"case_no": "KF1"}, headers={"X-Channel-User": OPENID}), 403)


def test_a_malformed_channel_user_is_refused(client: TestClient, world: World, bot: dict[str, str]) -> None:
    error = api_error(client.get("/api/v1/my/cases", headers=as_(bot, "qq:<script>")), 422)
    assert "渠道用户标识" in error["message"]


def test_ratings_one_per_concluded_case_and_a_bad_one_goes_to_the_department(
    client: TestClient, world: World, bot: dict[str, str]
) -> None:
    open_case = register(client, world)
    body = {"case_no": open_case["case_no"], "query_code": open_case["query_code"], "level": 5}
    assert "办结后" in api_error(client.post("/api/v1/ratings", json=body), 409)["message"]

    done = concluded(client, world)
    client.post(
        "/api/v1/my/bindings",
        json={"case_no": done["case_no"], "query_code": done["query_code"]},
        headers=as_(bot, OPENID),
    )
    bad = {"case_no": done["case_no"], "level": 1, "comment": "窗口排队两个小时", "channel": "wechat"}
    rated = client.post("/api/v1/ratings", json=bad, headers=as_(bot, OPENID))
    assert rated.status_code == 201, rated.text
    assert rated.json()["level_label"] == "非常不满意" and rated.json()["follow_up"] is True
    again = api_error(client.post("/api/v1/ratings", json={**bad, "level": 5}, headers=as_(bot, OPENID)), 409)
    assert "只能评价一次" in again["message"]

    pending = client.get("/api/v1/ratings/follow-ups", headers=world.auth("clerk_a")).json()
    assert [p["case_no"] for p in pending] == [done["case_no"]] and pending[0]["comment"] == "窗口排队两个小时"
    assert client.get("/api/v1/ratings/follow-ups", headers=world.auth("clerk_b")).json() == []
    url = f"/api/v1/ratings/{pending[0]['id']}/follow-up"
    api_error(client.post(url, json={"answer": "已核实并致歉，增开窗口"}, headers=world.auth("clerk_b")), 403)
    answered = client.post(url, json={"answer": "已电话回访致歉，高峰期增开两个窗口"}, headers=world.auth("clerk_a"))
    assert answered.status_code == 200 and answered.json()["follow_up_status"] == "answered"
    assert client.get("/api/v1/ratings/follow-ups", headers=world.auth("clerk_a")).json() == []


def test_a_good_rating_needs_no_follow_up_and_bad_levels_are_refused(client: TestClient, world: World) -> None:
    done = concluded(client, world)
    body = {"case_no": done["case_no"], "query_code": done["query_code"], "level": 6}
    error = api_error(client.post("/api/v1/ratings", json=body), 422)
    assert "评价等级" in error["message"]
    rated = client.post("/api/v1/ratings", json={**body, "level": 4})
    assert rated.status_code == 201 and rated.json()["follow_up"] is False and rated.json()["level_label"] == "满意"


def test_the_bot_files_a_project_for_its_channel_user_only(
    client: TestClient, world: World, bot: dict[str, str]
) -> None:
    created = client.post("/api/v1/projects", json={"name": "微信报建测试项目"}, headers=as_(bot, OPENID))
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    patched = client.patch(
        f"/api/v1/projects/{pid}", json={"indicators": {"investor": "enterprise"}}, headers=as_(bot, OPENID)
    )
    assert patched.status_code == 200
    nxt = client.get(f"/api/v1/projects/{pid}/questions", headers=as_(bot, OPENID)).json()["next"]
    assert nxt["key"] == "in_approval_catalogue"
    api_error(client.get(f"/api/v1/projects/{pid}", headers=as_(bot, OTHER)), 404)
    api_error(client.get(f"/api/v1/projects/{pid}", headers=world.auth("citizen")), 404)
    assert [p["id"] for p in client.get("/api/v1/projects", headers=as_(bot, OPENID)).json()] == [pid]
    assert client.get("/api/v1/projects", headers=as_(bot, OTHER)).json() == []
