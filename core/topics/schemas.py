"""Shapes of the special-topic API: the steps of a flowchart as an admin enters them, and as the portal shows them.

The checks of the flowchart's shape live here; whether its departments and items exist is checked by the
service against the database.
"""

import re
from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import ValidationFailed
from core.items.models import ServiceItem
from core.org.models import Department
from core.topics.models import SpecialTopic

GUIDE_URL = "/guides/{id}"
APPLY_URL = "/apply/{id}"

MIN_STEPS = 2
MAX_STEPS = 40
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")


class StepKind(StrEnum):
    """How a step is drawn: start and end rounded, a decision as a diamond."""

    START = "start"
    STEP = "step"
    DECISION = "decision"
    END = "end"


STEP_KIND_LABELS = {StepKind.START: "开始", StepKind.STEP: "办理环节", StepKind.DECISION: "判断", StepKind.END: "结束"}


class TopicStep(BaseModel):
    """One step of a topic's flowchart."""

    model_config = ConfigDict(str_strip_whitespace=True)

    key: str = Field(description="环节编号，如 s1，流程内唯一")
    name: str = Field(min_length=1, max_length=40)
    department_code: str = Field(default="", max_length=32, description="办理部门编码；开始、结束环节可不填")
    description: str = Field(default="", max_length=1000)
    next: list[str] = Field(default_factory=list, description="后续环节的编号")
    service_item_code: str | None = Field(default=None, max_length=64, description="对应事项的实施编码")
    duration: str | None = Field(default=None, max_length=30, description="办理时限，如“5个工作日”")
    kind: StepKind = StepKind.STEP

    @field_validator("key")
    @classmethod
    def _key_is_short_id(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(f"环节编号“{value}”应以字母开头，只含字母、数字和下划线，不超过16个字符（如 s1）")
        return value

    @field_validator("service_item_code", "duration")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    def label(self) -> str:
        """How messages name the step."""
        return f"环节“{self.name}”（{self.key}）"


def check_flow(steps: list[TopicStep]) -> None:
    """Raises ValidationFailed, naming the step, when the steps do not make a drawable flowchart."""
    if len(steps) < MIN_STEPS:
        raise ValidationFailed(f"流程至少需要{MIN_STEPS}个环节", field="steps")
    if len(steps) > MAX_STEPS:
        raise ValidationFailed(f"流程最多{MAX_STEPS}个环节", field="steps")
    seen: dict[str, TopicStep] = {}
    for index, step in enumerate(steps):
        if step.key in seen:
            raise ValidationFailed(
                f"{step.label()}的编号与{seen[step.key].label()}重复，环节编号不能重复", field=f"steps.{index}.key"
            )
        seen[step.key] = step
    for index, step in enumerate(steps):
        field = f"steps.{index}.next"
        for target in step.next:
            if target not in seen:
                raise ValidationFailed(f"{step.label()}的后续环节“{target}”不存在", field=field)
            if target == step.key:
                raise ValidationFailed(f"{step.label()}的后续环节不能是它自己", field=field)
        if len(set(step.next)) != len(step.next):
            raise ValidationFailed(f"{step.label()}的后续环节有重复", field=field)
        if step.kind == StepKind.END and step.next:
            raise ValidationFailed(f"{step.label()}是结束环节，不能再有后续环节", field=field)
        if step.kind != StepKind.END and not step.next:
            raise ValidationFailed(f"{step.label()}没有后续环节；流程的最后一步请设为“结束”", field=field)
        if step.kind == StepKind.DECISION and len(step.next) < 2:
            raise ValidationFailed(f"{step.label()}是判断环节，至少需要两个后续环节", field=field)
        if step.kind in (StepKind.STEP, StepKind.DECISION) and not step.department_code:
            raise ValidationFailed(f"{step.label()}需要填写办理部门", field=f"steps.{index}.department_code")


class TopicIn(BaseModel):
    """A topic as an admin edits it: its title, summary and the steps of its flowchart."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=50)
    summary: str = Field(default="", max_length=2000)
    steps: list[TopicStep]

    @model_validator(mode="after")
    def _steps_make_a_flowchart(self) -> "TopicIn":
        check_flow(self.steps)
        return self


class TopicSummary(BaseModel):
    """A topic in the list."""

    code: str
    title: str
    summary: str
    step_count: int
    updated_at: datetime

    @classmethod
    def from_model(cls, topic: SpecialTopic) -> Self:
        """A row of the topic list."""
        return cls(
            code=topic.code,
            title=topic.title,
            summary=topic.summary,
            step_count=len(topic.steps),
            updated_at=topic.updated_at,
        )


class ItemLink(BaseModel):
    """The service item a step is applied for: its guide and, when it can be applied for online, the form."""

    id: int
    code: str
    name: str
    guide_url: str
    apply_url: str | None

    @classmethod
    def from_model(cls, item: ServiceItem) -> Self:
        """Where to read an item's guide and, when it can be applied for online, where to apply."""
        return cls(
            id=item.id,
            code=item.code,
            name=item.name,
            guide_url=GUIDE_URL.format(id=item.id),
            apply_url=APPLY_URL.format(id=item.id) if item.is_online else None,
        )


class StepOut(TopicStep):
    """A step as the portal shows it: with its department's name and its item's links."""

    department_name: str
    item: ItemLink | None

    @classmethod
    def from_step(cls, step: TopicStep, *, department: Department | None, item: ServiceItem | None) -> Self:
        """A step with its department's name and, when its item is published, the item's links."""
        return cls(
            **step.model_dump(),
            department_name=department.name if department else "",
            item=ItemLink.from_model(item) if item is not None and item.is_published else None,
        )


class TopicOut(BaseModel):
    """A whole topic: the steps in their order, with names and links, and where its flowchart is drawn."""

    code: str
    title: str
    summary: str
    steps: list[StepOut]
    flowchart_url: str
    updated_at: datetime

    @classmethod
    def from_model(cls, topic: SpecialTopic, *, steps: list[StepOut]) -> Self:
        """The topic with its steps as the portal shows them (their departments and items looked up by the service)."""
        return cls(
            code=topic.code,
            title=topic.title,
            summary=topic.summary,
            steps=steps,
            flowchart_url=f"/api/v1/topics/{topic.code}/flowchart.svg",
            updated_at=topic.updated_at,
        )
