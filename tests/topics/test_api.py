"""Special-topic filing guides through the API: public topics and flowcharts, editing by rule managers only."""

import copy
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.items.models import ServiceItem
from core.seed import demo
from core.topics import service as topic_service
from core.topics.models import SpecialTopic
from core.topics.schemas import TopicIn
from tests.helpers import api_error, db_state
from tests.topics.helpers import CODE, create_topic, topic_body
from tests.world import World

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def svg_of(client: TestClient) -> ET.Element:
    """The topic's flowchart, fetched and parsed as XML."""
    response = client.get(f"/api/v1/topics/{CODE}/flowchart.svg")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert not response.text.startswith("<?xml") and "<!DOCTYPE" not in response.text
    return ET.fromstring(response.text)


def texts(svg: ET.Element) -> set[str]:
    return {t.strip() for t in svg.itertext() if t.strip()}


def test_anyone_lists_the_topics(client: TestClient, world: World, db: Session) -> None:
    create_topic(db, world)
    response = client.get("/api/v1/topics")
    assert response.status_code == 200, response.text
    assert [(t["code"], t["title"], t["step_count"]) for t in response.json()] == [(CODE, "排水专项", 5)]


def test_a_topic_shows_its_steps_with_department_names_and_application_links(
    client: TestClient, world: World, db: Session
) -> None:
    create_topic(db, world)
    response = client.get(f"/api/v1/topics/{CODE}")
    assert response.status_code == 200, response.text
    topic = response.json()
    assert topic["flowchart_url"] == f"/api/v1/topics/{CODE}/flowchart.svg"
    steps = {s["key"]: s for s in topic["steps"]}
    assert [s["key"] for s in topic["steps"]] == ["s1", "s2", "s3", "s4", "s5"]
    assert steps["s3"]["department_name"] == "城市管理局" and steps["s3"]["duration"] == "5个工作日"
    item = steps["s3"]["item"]
    assert item["name"] == "占用、挖掘城市道路审批"
    assert item["guide_url"] == f"/guides/{world.item.id}" and item["apply_url"] == f"/apply/{world.item.id}"
    assert steps["s2"]["item"] is None and steps["s2"]["kind"] == "decision"
    assert steps["s5"]["department_name"] == ""


def test_an_unknown_topic_is_not_found(client: TestClient, world: World) -> None:
    api_error(client.get("/api/v1/topics/nothing"), 404)
    api_error(client.get("/api/v1/topics/nothing/flowchart.svg"), 404)


def test_the_flowchart_is_an_svg_with_every_step_and_a_link_to_the_guide(
    client: TestClient, world: World, db: Session
) -> None:
    create_topic(db, world)
    svg = svg_of(client)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    shown = texts(svg)
    for step in topic_body(world)["steps"]:
        assert step["name"] in shown
    assert {"城管", "环保", "5个工作日"} <= shown  # departments by short name, and durations
    links = {a.get(XLINK_HREF) for a in svg.iter("{http://www.w3.org/2000/svg}a")} - {None}
    assert links == {f"/guides/{world.item.id}"}


def test_an_unpublished_item_is_not_linked(client: TestClient, world: World, db: Session) -> None:
    create_topic(db, world)
    item = db.get(ServiceItem, world.item.id)
    assert item is not None
    item.is_published = False
    db.commit()
    svg = svg_of(client)
    assert not [a for a in svg.iter("{http://www.w3.org/2000/svg}a") if a.get(XLINK_HREF)]
    step = client.get(f"/api/v1/topics/{CODE}").json()["steps"][2]
    assert step["item"] is None


def test_an_admin_edit_changes_the_flowchart(client: TestClient, world: World, db: Session) -> None:
    create_topic(db, world)
    assert "排水设施验收" in texts(svg_of(client))
    body = topic_body(world, title="排水专项（2026版）")
    body["steps"][3] |= {"name": "排水设施竣工验收", "department_code": "DC"}
    response = client.put(f"/api/v1/topics/{CODE}", json=body, headers=world.auth("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "排水专项（2026版）"
    assert response.json()["steps"][3]["department_name"] == "消防救援大队"
    shown = texts(svg_of(client))
    assert "排水设施竣工验收" in shown and "排水设施验收" not in shown and "消防" in shown
    db.expire_all()
    stored = db.query(SpecialTopic).filter_by(code=CODE).one()
    assert stored.updated_by_id == world.users["admin"].id


def test_a_clerk_cannot_edit_a_topic(client: TestClient, world: World, db: Session) -> None:
    create_topic(db, world)
    before = db_state()
    body = topic_body(world, title="窗口改的标题")
    api_error(client.put(f"/api/v1/topics/{CODE}", json=body, headers=world.auth("clerk_a")), 403)
    api_error(client.put(f"/api/v1/topics/{CODE}", json=body), 401)
    assert db_state() == before
    assert client.get(f"/api/v1/topics/{CODE}").json()["title"] == "排水专项"


def _missing_next(steps: list[dict[str, Any]]) -> None:
    steps[3]["next"] = ["s9"]


def _unknown_department(steps: list[dict[str, Any]]) -> None:
    steps[3]["department_code"] = "D99"


def _duplicate_key(steps: list[dict[str, Any]]) -> None:
    steps[3]["key"] = "s2"


def _unknown_item(steps: list[dict[str, Any]]) -> None:
    steps[3]["service_item_code"] = "000Z99999000"


def _decision_with_one_way(steps: list[dict[str, Any]]) -> None:
    steps[1]["next"] = ["s3"]


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (_missing_next, ["排水设施验收", "s9", "不存在"]),
        (_unknown_department, ["排水设施验收", "D99", "不存在"]),
        (_duplicate_key, ["排水设施验收", "判断是否开挖道路", "重复"]),
        (_unknown_item, ["排水设施验收", "000Z99999000", "不存在"]),
        (_decision_with_one_way, ["判断是否开挖道路", "两个后续环节"]),
    ],
    ids=["next names a missing step", "unknown department", "duplicate key", "unknown item", "one-way decision"],
)
def test_a_bad_flowchart_is_refused_with_a_chinese_message_naming_the_step(
    spoil: Callable[[list[dict[str, Any]]], None], words: list[str], client: TestClient, world: World, db: Session
) -> None:
    create_topic(db, world)
    before, svg_before = db_state(), client.get(f"/api/v1/topics/{CODE}/flowchart.svg").text
    body = copy.deepcopy(topic_body(world, title="改坏的排水专项"))
    spoil(body["steps"])
    error = api_error(client.put(f"/api/v1/topics/{CODE}", json=body, headers=world.auth("admin")), 422)
    for word in words:
        assert word in error["message"], error
    assert error["field"].startswith("steps")
    assert db_state() == before
    assert client.get(f"/api/v1/topics/{CODE}").json()["title"] == "排水专项"
    assert client.get(f"/api/v1/topics/{CODE}/flowchart.svg").text == svg_before


def test_a_flowchart_needs_two_steps(client: TestClient, world: World, db: Session) -> None:
    create_topic(db, world)
    body = topic_body(world)
    body["steps"] = [{"key": "s1", "name": "取得排水许可", "kind": "end"}]
    error = api_error(client.put(f"/api/v1/topics/{CODE}", json=body, headers=world.auth("admin")), 422)
    assert "至少需要2个环节" in error["message"]


def test_the_demo_seed_has_the_five_topics_with_real_departments_and_items(db: Session) -> None:
    departments = demo.seed_departments(db)
    demo.seed_items(db, departments)
    assert topic_service.seed_topics(db) == 5
    assert topic_service.seed_topics(db) == 0  # a rerun keeps what is there
    topics = topic_service.list_topics(db)
    assert [t.title for t in topics] == ["立项专项", "规划专项", "民防专项", "施工专项", "排水专项"]
    assert [t.code for t in topics] == ["project_setup", "planning", "civil_defence", "construction", "drainage"]
    for topic in topics:
        assert 6 <= len(topic.steps) <= 12, topic.code
        out = topic_service.topic_out(db, topic)
        linked = [s for s in out.steps if s.service_item_code]
        assert linked and all(s.item is not None for s in linked), topic.code
        svg = ET.fromstring(topic_service.flowchart_svg(db, topic))
        assert {s.name for s in out.steps} <= texts(svg), topic.code
        TopicIn.model_validate({"title": topic.title, "summary": topic.summary, "steps": topic.steps})
    items = {s.item.name for t in topics for s in topic_service.topic_out(db, t).steps if s.item}
    assert {
        "人防工程（结建）审批",
        "城镇污水排入排水管网许可证核发",
        "建筑工程施工许可证核发",
        "建设工程消防设计审查",
    } <= items
    assert {"建设用地规划许可证核发", "建设工程规划许可证核发", "企业投资项目备案", "企业投资项目核准"} <= items
    assert "政府投资项目可行性研究报告审批" in items
