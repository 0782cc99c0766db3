"""Special topics: reading them with their departments and items, editing them, drawing their flowcharts."""

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationFailed
from core.items.models import ServiceItem
from core.org.models import Department, User
from core.topics import flowchart
from core.topics.models import SpecialTopic
from core.topics.schemas import GUIDE_URL, StepOut, TopicIn, TopicOut, TopicStep

SEED_FILE = Path(__file__).parent / "seed" / "topics.json"
# Portal pages the flowchart and the API link to (the portal serves them; the core only names them).


def list_topics(db: Session) -> list[SpecialTopic]:
    """All topics in their display order."""
    return list(db.scalars(select(SpecialTopic).order_by(SpecialTopic.sort_order, SpecialTopic.id)))


def get_topic(db: Session, code: str) -> SpecialTopic:
    """Returns the topic with this code or raises NotFound."""
    topic = db.scalar(select(SpecialTopic).where(SpecialTopic.code == code))
    if topic is None:
        raise NotFound("该专项报建指导不存在")
    return topic


def as_input(topic: SpecialTopic) -> TopicIn:
    """The stored topic in the shape an admin edits (stored steps are not checked again as a whole)."""
    steps = [TopicStep.model_validate(step) for step in topic.steps]
    return TopicIn.model_construct(title=topic.title, summary=topic.summary, steps=steps)


def _departments(db: Session, steps: list[TopicStep]) -> dict[str, Department]:
    codes = {s.department_code for s in steps if s.department_code}
    if not codes:
        return {}
    return {d.code: d for d in db.scalars(select(Department).where(Department.code.in_(codes)))}


def _items(db: Session, steps: list[TopicStep]) -> dict[str, ServiceItem]:
    codes = {s.service_item_code for s in steps if s.service_item_code}
    if not codes:
        return {}
    return {i.code: i for i in db.scalars(select(ServiceItem).where(ServiceItem.code.in_(codes)))}


def check_references(db: Session, data: TopicIn) -> None:
    """Raises ValidationFailed, naming the step, when a department or service item it names does not exist."""
    departments, items = _departments(db, data.steps), _items(db, data.steps)
    for index, step in enumerate(data.steps):
        if step.department_code and step.department_code not in departments:
            raise ValidationFailed(
                f"{step.label()}的办理部门编码“{step.department_code}”不存在",
                field=f"steps.{index}.department_code",
            )
        if step.service_item_code and step.service_item_code not in items:
            raise ValidationFailed(
                f"{step.label()}对应的事项编码“{step.service_item_code}”不存在",
                field=f"steps.{index}.service_item_code",
            )


def save_topic(db: Session, user: User | None, code: str, data: TopicIn) -> SpecialTopic:
    """Replaces a topic's title, summary and steps after checking the departments and items they name."""
    topic = get_topic(db, code)
    check_references(db, data)
    topic.title = data.title
    topic.summary = data.summary
    topic.steps = [step.model_dump(mode="json") for step in data.steps]
    topic.updated_by_id = user.id if user is not None else None
    db.flush()
    return topic


def seed_topics(db: Session) -> int:
    """Loads the five topics from the seed file when there are none yet; returns how many were added."""
    if db.scalar(select(func.count()).select_from(SpecialTopic)):
        return 0
    rows = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    for order, row in enumerate(rows, start=1):
        data = TopicIn.model_validate(row)
        check_references(db, data)
        db.add(
            SpecialTopic(
                code=row["code"],
                title=data.title,
                summary=data.summary,
                steps=[step.model_dump(mode="json") for step in data.steps],
                sort_order=order,
            )
        )
    db.flush()
    return len(rows)


def topic_out(db: Session, topic: SpecialTopic) -> TopicOut:
    """The topic with each step's department name and the links of its service item."""
    data = as_input(topic)
    departments, items = _departments(db, data.steps), _items(db, data.steps)
    steps = [
        StepOut.from_step(
            step, department=departments.get(step.department_code), item=items.get(step.service_item_code or "")
        )
        for step in data.steps
    ]
    return TopicOut.from_model(topic, steps=steps)


def flowchart_svg(db: Session, topic: SpecialTopic) -> str:
    """The topic's flowchart as an inline ``<svg>``: departments by short name, published items linked."""
    data = as_input(topic)
    departments, items = _departments(db, data.steps), _items(db, data.steps)
    names = {code: d.short_name or d.name for code, d in departments.items()}
    links = {code: GUIDE_URL.format(id=i.id) for code, i in items.items() if i.is_published}
    return flowchart.topic_svg(data, names, links)
