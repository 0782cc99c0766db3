"""申诉 by a department on its published result, answered by the administrator; who may read which results; and the
push of each department's own result and of the ranking to the leaders."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from notifications import tasks
from notifications.models import Notification
from tests.assessment.conftest import S1, compute, post, scheme, table
from tests.assessment.test_versions import published
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import api_error, db_state
from tests.world import World


def appeal(client: TestClient, world: World, assessment_id: int, who: str, **body: Any) -> Any:
    return post(client, world, f"/assessments/{assessment_id}/appeals", who, **body)


def test_a_department_appeals_and_the_administrator_answers(
    client: TestClient, world: World, november: dict[str, Any], db: Session
) -> None:
    v1 = published(client, world)
    reason = "节点n2延期系申请人补充材料所致，不应计为本部门超时"
    filed = appeal(client, world, v1["id"], "officer_a", indicator="node_on_time_rate", reason=reason)
    assert filed.status_code == 201, filed.text
    first = filed.json()
    assert first["department_name"] == "城市管理局" and first["status_label"] == "待答复"
    assert first["indicator_name"] == "项目节点按时完成率" and first["submitted_by_name"] == "李审批"

    before = db_state()
    again = appeal(client, world, v1["id"], "officer_a", reason="再次申诉同一期考核")
    assert "已有待答复的申诉" in api_error(again, 409)["message"]
    short = appeal(client, world, v1["id"], "officer_b", reason="不服")
    assert "请写明申诉理由" in api_error(short, 422)["message"]
    assert db_state() == before

    # rejected, with the reason
    rejected = post(
        client, world, f"/appeals/{first['id']}/answer", accepted=False, answer="经核实，节点延期原因在本部门"
    )
    assert rejected.status_code == 200 and rejected.json()["status_label"] == "未采纳"
    assert rejected.json()["new_assessment_id"] is None
    twice = post(client, world, f"/appeals/{first['id']}/answer", accepted=False, answer="重复答复一次")
    assert "该申诉已答复" in api_error(twice, 409)["message"]

    # filed again and accepted with a correction: a new version (a draft) holds it; v1 stays
    second = appeal(client, world, v1["id"], "officer_a", indicator="node_on_time_rate", reason=reason + "（补充证明）")
    missing = post(client, world, f"/appeals/{second.json()['id']}/answer", accepted=True, answer="情况属实，予以采纳")
    assert "须填写修正的指标" in api_error(missing, 422)["message"]
    accepted = post(
        client,
        world,
        f"/appeals/{second.json()['id']}/answer",
        accepted=True,
        answer="情况属实，予以采纳",
        indicator="node_on_time_rate",
        value=66.67,
    )
    assert accepted.status_code == 200, accepted.text
    new_id = accepted.json()["new_assessment_id"]
    v2 = client.get(f"/api/v1/assessment/assessments/{new_id}", headers=world.auth("admin")).json()
    assert v2["version"] == 2 and v2["status"] == "draft"
    # A: (5371.5 − 333.3 + 666.7) ÷ 90 = 63.387… → 63.39
    assert table(v2)["城市管理局"][0] == 63.39
    assert v2["corrections"][0]["reason"] == "采纳申诉：情况属实，予以采纳"
    assert v2["corrections"][0]["appeal_id"] == second.json()["id"]
    assert (
        table(client.get(f"/api/v1/assessment/assessments/{v1['id']}", headers=world.auth("admin")).json())[
            "城市管理局"
        ][0]
        == 59.68
    )
    # the department sees its appeals and their answers; B sees none of A's
    own = client.get("/api/v1/assessment/appeals", headers=world.auth("officer_a")).json()
    assert [a["status"] for a in own] == ["accepted", "rejected"]
    assert client.get("/api/v1/assessment/appeals", headers=world.auth("officer_b")).json() == []
    audited = set(db.scalars(select(AuditLog.action).where(AuditLog.entity == "assessment_appeal")))
    assert {"assessment.appeal", "assessment.answer_appeal"} <= audited


def test_departments_read_only_their_own_results(client: TestClient, world: World, november: dict[str, Any]) -> None:
    draft = compute(client, world, scheme(client, world, S1)["id"])
    # a draft is for the administrators only
    assert (
        client.get(f"/api/v1/assessment/assessments/{draft['id']}", headers=world.auth("officer_a")).status_code == 404
    )
    assert client.get("/api/v1/assessment/assessments", headers=world.auth("leader")).json() == []
    on_draft = appeal(client, world, draft["id"], "officer_a", reason="对未发布的结果申诉")
    assert "尚未发布" in api_error(on_draft, 404)["message"]
    post(client, world, f"/assessments/{draft['id']}/publish")
    aid = draft["id"]
    own = client.get(f"/api/v1/assessment/assessments/{aid}", headers=world.auth("officer_a")).json()
    assert [r["department_name"] for r in own["results"]] == ["城市管理局"] and own["ranked_count"] == 2
    assert own["results"][0]["rank"] == 2
    leader = client.get(f"/api/v1/assessment/assessments/{aid}", headers=world.auth("leader")).json()
    assert len(leader["results"]) == 3
    a, b = world.dept_a.id, world.dept_b.id
    assert (
        client.get(f"/api/v1/assessment/assessments/{aid}/departments/{a}", headers=world.auth("officer_a")).status_code
        == 200
    )
    before = db_state()
    for path in (f"/departments/{b}", f"/departments/{b}/explanation?indicator=case_on_time_rate"):
        refused = client.get(f"/api/v1/assessment/assessments/{aid}{path}", headers=world.auth("officer_a"))
        assert "只能查看本部门的考核结果" in api_error(refused, 403)["message"]
    api_error(client.get(f"/api/v1/assessment/assessments/{aid}", headers=world.auth("clerk_a")), 403)
    # administrators' work is refused to departments and leaders alike
    for who in ("officer_a", "leader"):
        api_error(
            post(
                client,
                world,
                f"/assessments/{aid}/corrections",
                who,
                department_id=a,
                indicator="total",
                value=100,
                reason="给本部门改成满分",
            ),
            403,
        )
        api_error(post(client, world, "/schemes", who, name="x", period_kind="month", indicators=[]), 403)
    # a leader has no department of its own to appeal for
    api_error(appeal(client, world, aid, "leader", reason="领导替部门申诉"), 403)
    assert db_state() == before


def test_publishing_pushes_each_department_its_result_and_the_leaders_the_ranking(
    client: TestClient, world: World, november: dict[str, Any], db: Session
) -> None:
    v1 = published(client, world)
    rows = db.scalars(select(Notification).where(Notification.kind.like("assessment.%"))).all()
    got: dict[str, set[str]] = {}
    for row in rows:
        username = world_user(world, row.user_id)
        got.setdefault(username, set()).add(f"{row.kind}|{row.title}")
    assert got == {
        "officer_a": {"assessment.published|考核结果：2026年11月 城市管理局 总分 59.68"},
        "officer_b": {"assessment.published|考核结果：2026年11月 生态环境分局 总分 86.81"},
        "officer_c": {"assessment.published|考核结果：2026年11月 消防救援大队 总分 —"},
        "leader": {"assessment.ranking|考核排名：2026年11月"},
        "admin": {"assessment.ranking|考核排名：2026年11月"},
    }
    a_message = next(r for r in rows if world_user(world, r.user_id) == "officer_a")
    assert "排名：第 2 名（共 2 个部门）" in a_message.body and "项目节点按时完成率（权重10）：33.33" in a_message.body
    assert "监管反馈及时率（权重10）：不涉及" in a_message.body
    assert a_message.link.endswith(f"/admin/assessment/{v1['id']}/departments/{world.dept_a.id}")
    ranking = next(r for r in rows if world_user(world, r.user_id) == "leader")
    assert "1. 生态环境分局 86.81\n2. 城市管理局 59.68" in ranking.body and "消防" not in ranking.body


def world_user(world: World, user_id: int | None) -> str:
    return next(name for name, user in world.users.items() if user.id == user_id)


def test_the_results_go_out_as_wecom_text_cards(
    client: TestClient, world: World, november: dict[str, Any], db: Session, fake_wecom: FakeWeCom
) -> None:
    for who, userid in (("officer_a", "lishenpi"), ("leader", "wanglingdao"), ("clerk_a", "zhangchuangkou")):
        db.merge(world.users[who]).wecom_userid = userid
    db.commit()
    published(client, world)
    assert tasks.wait_idle(15)
    [own] = fake_wecom.delivered_to("lishenpi")
    assert own["msgtype"] == "textcard" and own["textcard"]["title"] == "考核结果：2026年11月 城市管理局 总分 59.68"
    assert "排名：第 2 名（共 2 个部门）" in own["textcard"]["description"]
    [ranking] = fake_wecom.delivered_to("wanglingdao")
    assert ranking["textcard"]["title"] == "考核排名：2026年11月"
    assert "1. 生态环境分局 86.81；2. 城市管理局 59.68" in ranking["textcard"]["description"]
    assert fake_wecom.delivered_to("zhangchuangkou") == []  # a clerk does not read assessments
