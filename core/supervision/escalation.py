"""When a push is chased (催办), counted in working days (core/calendar, with the State Council's 调休).

A push waits for its claim, then for its feedback. Each wait has a threshold of N working days, counted
from the day after the push (or the claim), and ends at the close of the N-th working day:
- level 1 (催办本部门) once the N-th working day has passed: the receiving department is reminded;
- level 2 (报告领导) once the 2N-th working day has passed: the centre's leaders are told as well.
Each level of each wait fires once and is recorded.
"""

from datetime import datetime, time
from enum import StrEnum

from core.calendar.service import add_working_days
from core.settings import get_settings
from core.supervision.models import SupervisionConfig, SupervisionEscalation, SupervisionPush

LEVELS = (1, 2)
LEVEL_LABELS = {1: "一级催办（本部门）", 2: "二级催办（报告领导）"}


class Stage(StrEnum):
    """What a push waits for."""

    CLAIM = "claim"
    FEEDBACK = "feedback"


STAGE_LABELS = {Stage.CLAIM: "逾期未认领", Stage.FEEDBACK: "逾期未反馈"}


def thresholds(config: SupervisionConfig | None) -> tuple[int, int]:
    """Working days allowed for the claim and for the feedback: the configuration's, else the settings'."""
    settings = get_settings()
    claim = config.claim_days if config and config.claim_days else settings.supervision_claim_working_days
    feedback = config.feedback_days if config and config.feedback_days else settings.supervision_feedback_working_days
    return claim, feedback


def due_at(start: datetime, working_days: int) -> datetime:
    """The close of the ``working_days``-th working day after ``start``'s day."""
    return datetime.combine(add_working_days(start.date(), working_days), time(23, 59, 59))


def waiting_for(push: SupervisionPush) -> tuple[Stage, datetime, int] | None:
    """What the push waits for now, since when, and the threshold in working days (None once fed back)."""
    if push.status == "pushed":
        return Stage.CLAIM, push.pushed_at, push.claim_days
    if push.status == "claimed" and push.claimed_at is not None:
        return Stage.FEEDBACK, push.claimed_at, push.feedback_days
    return None


def current_due(push: SupervisionPush) -> datetime | None:
    """When the current wait's first threshold passes (the claim or the feedback due moment)."""
    waiting = waiting_for(push)
    return due_at(waiting[1], waiting[2]) if waiting else None


def is_overdue(push: SupervisionPush, at: datetime) -> bool:
    """True when the push is past the threshold of what it waits for."""
    due = current_due(push)
    return due is not None and at > due


def due_levels(push: SupervisionPush, at: datetime) -> list[tuple[Stage, int, datetime]]:
    """The escalations that are due at ``at`` and not recorded yet: (stage, level, threshold passed)."""
    waiting = waiting_for(push)
    if waiting is None:
        return []
    stage, since, days = waiting
    done = {(e.stage, e.level) for e in push.escalations}
    found = []
    for level in LEVELS:
        threshold = due_at(since, days * level)
        if at > threshold and (stage.value, level) not in done:
            found.append((stage, level, threshold))
    return found


def record(push: SupervisionPush, stage: Stage, level: int, threshold: datetime, at: datetime) -> SupervisionEscalation:
    """Records one escalation on the push and raises its current level."""
    escalation = SupervisionEscalation(
        department_id=push.department_id, stage=stage.value, level=level, due_at=threshold, escalated_at=at
    )
    push.escalations.append(escalation)
    push.escalation_level = max(push.escalation_level, level)
    return escalation
