"""Shapes of the rating API: a rating and what the rater is told, a bad rating's follow-up and its answer."""

from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field

from core.cases.models import Case
from core.evaluation.enums import LEVEL_LABELS
from core.evaluation.models import Evaluation


class RatingIn(BaseModel):
    """A rating: five levels, an optional comment."""

    case_no: str = Field(min_length=1, max_length=32)
    query_code: str = Field(default="", max_length=32)
    level: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)
    channel: str = Field(default="web", pattern="^(web|wechat|webchat|wecom|rest|window|kiosk)$")


class RatingOut(BaseModel):
    """What the rater is told."""

    case_no: str
    level: int
    level_label: str
    follow_up: bool
    follow_up_due_at: datetime | None

    @classmethod
    def from_model(cls, evaluation: Evaluation, *, case: Case) -> Self:
        """The rating recorded, and whether the department follows it up (a bad one) and by when."""
        return cls(
            case_no=case.case_no,
            level=evaluation.level,
            level_label=LEVEL_LABELS[evaluation.level],
            follow_up=evaluation.follow_up_status is not None,
            follow_up_due_at=evaluation.follow_up_due_at,
        )


class FollowUpOut(BaseModel):
    """A bad rating waiting for (or with) the department's answer."""

    id: int
    case_no: str
    service_item_name: str
    level: int
    level_label: str
    comment: str
    channel: str
    created_at: datetime
    follow_up_status: str
    follow_up_due_at: datetime | None
    follow_up_answer: str

    @classmethod
    def from_model(cls, evaluation: Evaluation, *, case: Case) -> Self:
        """A follow-up for the staff, with the case it rates."""
        return cls(
            id=evaluation.id,
            case_no=case.case_no,
            service_item_name=case.item.name,
            level=evaluation.level,
            level_label=LEVEL_LABELS[evaluation.level],
            comment=evaluation.comment,
            channel=evaluation.channel,
            created_at=evaluation.created_at,
            follow_up_status=evaluation.follow_up_status or "",
            follow_up_due_at=evaluation.follow_up_due_at,
            follow_up_answer=evaluation.follow_up_answer,
        )


class FollowUpIn(BaseModel):
    """How the complaint was verified, fixed and answered."""

    answer: str = Field(max_length=2000)
