"""预警设置: refused with a Chinese message and nothing saved when inconsistent; audited when saved; and the case
setting of a department is the threshold of its cases' 正常/预警/逾期 — on the case page and in the stored state
the deadline scan refreshes (the calendar no longer has it hard-coded)."""

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.audit.models import AuditLog
from core.cases.models import Case
from core.cases.scheduled import refresh_open_cases
from tests.helpers import act, api_error, db_state, register
from tests.world import WORKDAY, World

SETTINGS = "/api/v1/warnings/settings"


def save(client: TestClient, world: World, body: dict[str, Any], who: str = "tracker", setting_id: int = 0) -> Any:
    if setting_id:
        return client.put(f"{SETTINGS}/{setting_id}", json=body, headers=world.auth(who))
    return client.post(SETTINGS, json=body, headers=world.auth(who))


def test_the_table_shows_every_kinds_default_and_the_departments_own(client: TestClient, projects: World) -> None:
    made = save(
        client,
        projects,
        {"subject_kind": "node", "department_id": projects.dept_b.id, "yellow_days": 5, "escalate_days": 3},
    )
    assert made.status_code == 201, made.text
    rows = client.get(SETTINGS, headers=projects.auth("tracker")).json()
    assert [(r["subject_label"], r["department_name"], r["yellow_days"], r["escalate_days"]) for r in rows] == [
        ("办件", "默认（未单独设置的部门）", 2, 3),
        ("审批节点", "默认（未单独设置的部门）", 3, 5),
        ("审批节点", "生态环境分局", 5, 3),
        ("里程碑", "默认（未单独设置的部门）", 10, 10),
        ("协调问题", "默认（未单独设置的部门）", 2, 3),
    ]
    assert rows[2]["updated_by_name"] == "周专员"
    api_error(client.get(SETTINGS, headers=projects.auth("officer_a")), 403)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"yellow_days": -1}, "yellow_days", "黄色预警天数不能为负数"),
        ({"yellow_days": 61}, "yellow_days", "不能超过 60 个工作日"),
        ({"escalate_days": 0}, "escalate_days", "升级天数至少为 1 个工作日"),
        ({"escalate_days": 365}, "escalate_days", "升级天数不能超过 60 个工作日"),
        ({"subject_kind": "project"}, "subject_kind", "未知的预警类型“project”"),
        ({"department_id": 999999}, "department_id", "部门编号 999999 不存在或已停用"),
    ],
)
def test_inconsistent_settings_are_refused_and_nothing_is_saved(
    client: TestClient, projects: World, change: dict[str, Any], field: str, words: str
) -> None:
    body = {"subject_kind": "case", "department_id": projects.dept_a.id, "yellow_days": 3, "escalate_days": 2}
    before = db_state()
    error = api_error(save(client, projects, body | change), 422)
    assert error["field"] == field and words in error["message"], error
    assert db_state() == before


def test_duplicates_and_the_default_are_protected(client: TestClient, projects: World, db: Session) -> None:
    body = {"subject_kind": "case", "department_id": projects.dept_a.id, "yellow_days": 3, "escalate_days": 2}
    made = save(client, projects, body).json()
    before = db_state()
    twice = api_error(save(client, projects, body), 409)
    assert twice["message"] == "“城市管理局”的“办件”预警设置已存在，请修改原设置"
    moved = api_error(save(client, projects, body | {"department_id": projects.dept_b.id}, setting_id=made["id"]), 422)
    assert "不能修改" in moved["message"]
    default = save(client, projects, {"subject_kind": "case", "yellow_days": 2, "escalate_days": 3}).json()
    gone = api_error(client.delete(f"{SETTINGS}/{default['id']}", headers=projects.auth("tracker")), 409)
    assert "默认设置不能删除" in gone["message"]
    assert db_state() != before  # the default was stored; nothing else changed
    changed = save(client, projects, body | {"yellow_days": 4}, setting_id=made["id"])
    assert changed.status_code == 200 and changed.json()["yellow_days"] == 4
    assert client.delete(f"{SETTINGS}/{made['id']}", headers=projects.auth("tracker")).status_code == 204
    db.rollback()
    actions = db.scalars(select(AuditLog.action).where(AuditLog.entity == "warning_setting")).all()
    assert list(actions) == ["warning.configure"] * 4  # A's, the default, A's change, A's removal


def case_state(client: TestClient, world: World, case_id: int, moment: datetime) -> str:
    clock.freeze(moment)
    return str(client.get(f"/api/v1/cases/{case_id}", headers=world.auth("leader")).json()["time_state"])


def test_the_case_setting_of_a_department_is_the_threshold_of_its_cases(
    client: TestClient, projects: World, db: Session
) -> None:
    clock.freeze(WORKDAY)  # Thursday 9/24; five working days: due Friday 10/9
    cid = register(client, projects)["case_id"]
    act(client, projects, cid, "accept")
    monday = datetime(2026, 9, 28, 10)  # 4 working days left: 9/29, 9/30, 10/8, 10/9
    assert case_state(client, projects, cid, monday) == "正常"

    body = {"subject_kind": "case", "department_id": projects.dept_a.id, "yellow_days": 4, "escalate_days": 2}
    assert save(client, projects, body).status_code == 201
    assert case_state(client, projects, cid, monday) == "预警"
    assert refresh_open_cases(db, monday) == 1
    db.expire_all()
    stored = db.scalar(select(Case).where(Case.id == cid))
    assert stored is not None and stored.time_state == "预警"
    assert refresh_open_cases(db, monday) == 0

    default = {"subject_kind": "case", "yellow_days": 1, "escalate_days": 2}  # other departments: 1 day
    assert save(client, projects, default).status_code == 201
    assert case_state(client, projects, cid, monday) == "预警"  # A keeps its own
    wednesday = datetime(2026, 9, 30, 10)
    assert case_state(client, projects, cid, wednesday) == "预警"
    assert case_state(client, projects, cid, datetime(2026, 10, 10, 0, 1)) == "逾期"
