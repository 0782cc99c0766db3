"""预警处理 and 预警管理 through the API: the responsible department signs (签收) and records its handling, the
项目专员 closes (销警); every refusal is in Chinese and changes nothing; each step is audited; department scope sees
its department's warnings only, whatever the filters say; the caller's open warnings, also for a WeCom member
asked about by the bot."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.audit.models import AuditLog
from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from tests.early_warnings.conftest import at, node, project, scan_at, set_thresholds, warnings
from tests.helpers import api_error, db_state
from tests.world import World

DUE = date(2026, 10, 9)


def post(client: TestClient, world: World, who: str, path: str, body: Any = None) -> Any:
    return client.post(f"/api/v1/warnings{path}", json=body, headers=world.auth(who))


def get(client: TestClient, world: World, who: str, path: str = "", **params: Any) -> Any:
    return client.get(f"/api/v1/warnings{path}", params=params, headers=world.auth(who))


def one_red_warning(world: World, db: Session) -> int:
    owner = project(db, world.dept_a)
    node(db, owner, world.dept_a, DUE)
    db.commit()
    scan_at(at(10, 12, 0, 15))
    clock.freeze(at(10, 12, 9))
    [warning] = warnings(db)
    return warning.id


def audit_actions(db: Session, warning_id: int) -> list[tuple[str, str]]:
    db.rollback()
    rows = db.scalars(select(AuditLog).where(AuditLog.entity == "early_warning", AuditLog.entity_id == str(warning_id)))
    return [(a.action, a.actor_name) for a in rows if a.action in ("warning.sign", "warning.handle", "warning.close")]


def test_sign_handle_close_each_step_checked_and_audited(client: TestClient, projects: World, db: Session) -> None:
    wid = one_red_warning(projects, db)

    early = post(client, projects, "officer_a", f"/{wid}/handle", {"reason": "材料未齐", "plan": "补齐材料"})
    assert "请先签收" in api_error(early, 409)["message"]
    signed = post(client, projects, "officer_a", f"/{wid}/sign")
    assert signed.status_code == 200, signed.text
    assert (signed.json()["state_label"], signed.json()["signed_by_name"]) == ("已签收", "李审批")
    assert signed.json()["allowed_actions"] == ["handle"]
    twice = api_error(post(client, projects, "officer_a", f"/{wid}/sign"), 409)
    assert twice["message"] == "该预警已由李审批于 2026-10-12 09:00 签收，无需重复签收"

    before = db_state()
    for body, field, words in (
        ({"reason": "", "plan": "补齐材料", "promised_on": "2026-10-16"}, "reason", "请填写预警原因"),
        ({"reason": "材料未齐", "plan": " ", "promised_on": "2026-10-16"}, "plan", "请填写处理措施"),
        ({"reason": "材料未齐", "plan": "补齐材料"}, "promised_on", "请填写承诺完成日期"),
        ({"reason": "材料未齐", "plan": "补齐材料", "promised_on": "2026-10-11"}, "promised_on", "不能早于今天"),
    ):
        error = api_error(post(client, projects, "officer_a", f"/{wid}/handle", body), 422)
        assert error["field"] == field and words in error["message"], error
    assert db_state() == before

    body = {"reason": "规划条件调整，材料需重新出具", "plan": "10月14日前完成补正并出件", "promised_on": "2026-10-14"}
    handled = post(client, projects, "officer_a", f"/{wid}/handle", body)
    assert handled.status_code == 200, handled.text
    assert (handled.json()["state"], handled.json()["promised_on"]) == ("handled", "2026-10-14")

    api_error(post(client, projects, "officer_a", f"/{wid}/close", {"note": "已办结"}), 403)  # no warning.manage
    empty = api_error(post(client, projects, "tracker", f"/{wid}/close", {"note": " "}), 422)
    assert empty["message"] == "请填写销警说明"
    closed = post(client, projects, "tracker", f"/{wid}/close", {"note": "已核实整改到位"})
    assert closed.status_code == 200 and closed.json()["state_label"] == "已销警"
    late = api_error(post(client, projects, "officer_a", f"/{wid}/sign"), 409)
    assert late["message"] == "该预警已于 2026-10-12 09:00 销警，无需签收"

    assert audit_actions(db, wid) == [
        ("warning.sign", "李审批(officer_a)"),
        ("warning.handle", "李审批(officer_a)"),
        ("warning.close", "周专员(tracker)"),
    ]


def test_another_department_neither_sees_nor_signs(client: TestClient, projects: World, db: Session) -> None:
    wid = one_red_warning(projects, db)
    before = db_state()
    refused = api_error(post(client, projects, "officer_b", f"/{wid}/sign"), 403)
    assert refused["message"] == "该预警的责任部门是“城市管理局”，您不能签收"
    api_error(get(client, projects, "officer_b", f"/{wid}"), 403)
    api_error(get(client, projects, "clerk_a", f"/{wid}"), 403)  # no warning permission at all
    assert db_state() == before
    listed = get(client, projects, "officer_b", department_id=projects.dept_a.id)
    assert listed.status_code == 200 and listed.json()["total"] == 0  # the filter narrows, never widens
    assert get(client, projects, "officer_a").json()["total"] == 1
    assert get(client, projects, "leader").json()["total"] == 1  # all departments


def test_an_ended_warning_takes_no_step(client: TestClient, projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    made = node(db, owner, projects.dept_a, DUE)
    db.commit()
    scan_at(at(10, 12, 0, 15))
    made.state = "done"
    db.merge(made)
    db.commit()
    scan_at(at(10, 12, 8))
    clock.freeze(at(10, 12, 9))
    [warning] = warnings(db)
    refused = api_error(post(client, projects, "officer_a", f"/{warning.id}/sign"), 409)
    assert refused["message"] == "该预警已于 2026-10-12 08:00 自动解除（审批节点已完成或不涉及），无需签收"


def test_lists_filters_counts_and_history(client: TestClient, projects: World, db: Session) -> None:
    set_thresholds(db, "node", yellow=2, escalate=2)
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE)
    node(db, owner, projects.dept_b, date(2026, 10, 13), name="环评批复")
    db.commit()
    scan_at(at(9, 30, 9))  # A's node yellow
    scan_at(at(10, 12, 9))  # A's red (its yellow ended), B's yellow
    clock.freeze(at(10, 12, 10))

    reds = get(client, projects, "admin", level="red").json()
    assert [row["title"] for row in reds["items"]] == ["新能源电池产业园·建设工程规划许可：已逾期 2 个工作日"]
    live = get(client, projects, "admin", state="live").json()
    assert {row["level"] for row in live["items"]} == {"red", "yellow"} and live["total"] == 2
    by_project = get(client, projects, "admin", major_project_id=owner.id, subject_kind="node").json()
    assert by_project["total"] == 3
    early = get(client, projects, "admin", date_from="2026-09-30", date_to="2026-09-30").json()
    assert early["total"] == 1 and early["items"][0]["state"] == "ended"
    bad = api_error(get(client, projects, "admin", level="orange"), 422)
    assert "yellow" in bad["message"]

    counts = {row["department_name"]: row for row in get(client, projects, "admin", "/counts").json()}
    assert (counts["城市管理局"]["total"], counts["城市管理局"]["red"], counts["城市管理局"]["ended"]) == (2, 1, 1)
    assert (counts["生态环境分局"]["yellow"], counts["生态环境分局"]["open"]) == (1, 1)
    assert [row["department_name"] for row in get(client, projects, "officer_b", "/counts").json()] == ["生态环境分局"]

    first = warnings(db)[0]
    history = get(client, projects, "officer_a", "/history", subject_kind="node", subject_id=first.subject_id).json()
    assert [(h["level"], h["state"]) for h in history] == [("yellow", "ended"), ("red", "open")]
    detail = get(client, projects, "officer_a", f"/{first.id}").json()
    assert detail["end_reason"] == "已转为红色预警" and len(detail["history"]) == 2
    assert detail["subject_url"] == f"/admin/major-projects/{owner.id}"


def test_my_open_warnings_also_for_a_wecom_member_through_the_bot(
    client: TestClient, projects: World, db: Session
) -> None:
    wid = one_red_warning(projects, db)
    mine = get(client, projects, "officer_a", "/mine").json()
    assert [row["id"] for row in mine] == [wid]
    assert get(client, projects, "tracker", "/mine").json() == []  # nothing handled to close yet
    api_error(get(client, projects, "leader", "/mine"), 403)

    bot = org_service.create_user(db=db, username="bot", name="机器人", password=DEMO_PASSWORD, role_codes=["service"])
    token = org_service.issue_token(db=db, user=bot, name="bot")
    officer = db.merge(projects.users["officer_a"])
    officer.wecom_userid = "lishenpi"
    db.commit()
    asked = client.get(
        "/api/v1/warnings/mine",
        headers={"Authorization": f"Bearer {token}", "X-Channel-User": "wecom:lishenpi"},
    )
    assert asked.status_code == 200 and [row["id"] for row in asked.json()] == [wid]
    stranger = client.get(
        "/api/v1/warnings/mine",
        headers={"Authorization": f"Bearer {token}", "X-Channel-User": "wecom:nobody"},
    )
    assert "未绑定" in api_error(stranger, 403)["message"]
    citizen_asks = client.get(
        "/api/v1/warnings/mine", headers={**projects.auth("officer_a"), "X-Channel-User": "wecom:lishenpi"}
    )
    api_error(citizen_asks, 403)  # only service clients speak for a channel user
