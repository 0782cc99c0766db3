"""Push configuration: an admin chooses the supervising departments and fields per licensed item; bad
choices are refused in Chinese and change nothing."""

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import api_error, db_state
from tests.supervision.conftest import configure
from tests.world import World


def post(client: TestClient, world: World, body: dict[str, Any], who: str = "admin") -> Any:
    return client.post("/api/v1/supervision/configs", json=body, headers=world.auth(who))


def test_an_admin_configures_reads_changes_and_deletes(client: TestClient, world: World) -> None:
    created = configure(client, world, [world.dept_c.id, world.dept_b.id, world.dept_c.id], note="请于发证后一月内检查")
    assert [d["name"] for d in created["departments"]] == ["生态环境分局", "消防救援大队"]
    assert created["field_labels"][:2] == ["证照编号", "持证主体"]
    assert (created["effective_claim_days"], created["effective_feedback_days"]) == (3, 20)  # the settings' defaults
    body = {
        "service_item_id": world.item.id,
        "department_ids": [world.dept_c.id],
        "fields": ["valid_until", "licence_no"],
        "claim_days": 5,
    }
    changed = client.put(f"/api/v1/supervision/configs/{created['id']}", json=body, headers=world.auth("admin")).json()
    assert changed["fields"] == ["licence_no", "valid_until"] and changed["effective_claim_days"] == 5
    fields = client.get("/api/v1/supervision/fields", headers=world.auth("admin")).json()
    assert {"key": "holder", "label": "持证主体", "default": True} in fields
    deleted = client.delete(f"/api/v1/supervision/configs/{created['id']}", headers=world.auth("admin"))
    assert deleted.status_code == 204
    assert client.get("/api/v1/supervision/configs", headers=world.auth("admin")).json() == []


def test_bad_configurations_are_refused_and_change_nothing(client: TestClient, world: World) -> None:
    configure(client, world, [world.dept_c.id])
    before = db_state()
    good = {"service_item_id": world.item.id, "department_ids": [world.dept_b.id], "fields": ["licence_no"]}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({**good, "department_ids": [424242]}, 422, "监管部门编号 424242 不存在"),
        ({**good, "department_ids": []}, 422, "请至少选择一个"),
        ({**good, "fields": ["licence_no", "secret"]}, 422, "未知的推送字段：secret"),
        ({**good, "fields": []}, 422, "请至少勾选一项"),
        ({**good, "service_item_id": world.immediate_item.id}, 422, "不出具证照"),
        ({**good, "service_item_id": 424242}, 422, "事项编号 424242 不存在"),
        ({**good, "claim_days": 0}, 422, "认领时限超出允许范围"),
        (good, 409, "已有推送配置"),
    ]
    for body, status, message in cases:
        error = api_error(post(client, world, body), status)
        assert message in error["message"], (body, error)
    api_error(post(client, world, good, who="officer_a"), 403)
    api_error(client.get("/api/v1/supervision/configs/424242", headers=world.auth("admin")), 404)
    assert db_state() == before
