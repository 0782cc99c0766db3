"""A small special topic on the test world's departments and item, for the API, web and matrix tests."""

from typing import Any

from sqlalchemy.orm import Session

from core.topics.models import SpecialTopic
from core.topics.schemas import TopicIn
from tests.world import World

CODE = "drainage"


def topic_body(world: World, **overrides: Any) -> dict[str, Any]:
    """A valid topic as the API takes it: five steps, one with the world's road-digging item."""
    steps: list[dict[str, Any]] = [
        {"key": "s1", "name": "排水接管咨询", "kind": "start", "department_code": "DB", "next": ["s2"]},
        {
            "key": "s2",
            "name": "判断是否开挖道路",
            "kind": "decision",
            "department_code": "DA",
            "next": ["s3", "s4"],
            "description": "接管管道需开挖城市道路的，先办理道路审批",
        },
        {
            "key": "s3",
            "name": "占用挖掘道路审批",
            "department_code": "DA",
            "service_item_code": world.item.code,
            "duration": "5个工作日",
            "next": ["s4"],
        },
        {"key": "s4", "name": "排水设施验收", "department_code": "DB", "duration": "3个工作日", "next": ["s5"]},
        {"key": "s5", "name": "取得排水许可", "kind": "end"},
    ]
    body: dict[str, Any] = {"title": "排水专项", "summary": "雨污水接入城市排水管网的手续。", "steps": steps}
    body.update(overrides)
    return body


def create_topic(db: Session, world: World) -> SpecialTopic:
    """Stores the test topic (once) and returns it."""
    existing = db.query(SpecialTopic).filter_by(code=CODE).one_or_none()
    if existing is not None:
        return existing
    data = TopicIn.model_validate(topic_body(world))
    topic = SpecialTopic(
        code=CODE,
        title=data.title,
        summary=data.summary,
        steps=[s.model_dump(mode="json") for s in data.steps],
        sort_order=1,
    )
    db.add(topic)
    db.commit()
    return topic
