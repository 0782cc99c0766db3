"""What supervision (审管衔接) announces as domain events (core/events), for the notification senders to render.

- ``supervision.pushed``: the supervising department's handlers receive an approval result to claim;
- ``supervision.feedback``: the supervision result goes back to the approving department's staff;
- ``supervision.escalated``: a push waits too long; level 1 reminds the department, level 2 also tells
  the centre's leaders.
Facts only: the holder's name masked, no ID numbers.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events.kinds import EventKind, SupervisionEscalated, SupervisionFeedback, SupervisionPushed
from core.events.service import Recipient, publish
from core.org.models import User
from core.org.permissions import DataScope, Permission
from core.security import mask_name
from core.settings import get_settings
from core.supervision.escalation import LEVEL_LABELS, STAGE_LABELS, Stage, current_due
from core.supervision.models import SupervisionEscalation, SupervisionPush


def push_url(push: SupervisionPush) -> str:
    """The push's page in the admin site."""
    return get_settings().site_url(f"/admin/supervision/pushes/{push.id}")


def _minutes(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def _facts(push: SupervisionPush) -> dict[str, Any]:
    """The facts every supervision event carries (the fields of ``PushFacts``)."""
    return {
        "push_id": push.id,
        "case_id": push.case_id,
        "case_no": push.case_no,
        "item_name": push.item.name,
        "approving_department_id": push.approving_department_id,
        "approving_department_name": push.approving_department.name,
        "department_id": push.department_id,
        "department_name": push.department.name,
        "holder_name": mask_name(push.holder_name),
        "licence_no": push.licence_no,
        "pushed_at": _minutes(push.pushed_at),
        "claim_due_at": _minutes(push.claim_due_at),
        "feedback_due_at": _minutes(push.feedback_due_at),
        "url": push_url(push),
    }


def _supervisors(push: SupervisionPush) -> Recipient:
    return Recipient(department_id=push.department_id, permission=Permission.SUPERVISION_HANDLE, role="supervisor")


def leaders(db: Session) -> list[User]:
    """Who hears of a second-level escalation: holders of supervision.manage and the centre's leaders
    (staff who read statistics across all departments)."""
    staff = db.scalars(select(User).where(User.is_staff.is_(True), User.is_active.is_(True)).order_by(User.id))
    return [
        u
        for u in staff
        if Permission.SUPERVISION_MANAGE in u.permissions
        or (Permission.STATS_READ in u.permissions and u.data_scope == DataScope.ALL)
    ]


def pushed(db: Session, push: SupervisionPush) -> None:
    """A new approval result reached the supervising department."""
    payload = SupervisionPushed(**_facts(push))
    publish(db, EventKind.SUPERVISION_PUSHED, payload, subject=f"push:{push.id}", to=[_supervisors(push)])


def fed_back(db: Session, push: SupervisionPush) -> None:
    """The supervision result goes back to the approving department."""
    feedback = push.feedback
    assert feedback is not None
    payload = SupervisionFeedback(
        **_facts(push),
        inspected=feedback.inspected,
        inspected_on=feedback.inspected_on.isoformat() if feedback.inspected_on else None,
        problems_found=feedback.problems_found,
        problems=feedback.problems,
        measures=feedback.measures,
        handler_name=feedback.handler_name,
        fed_back_at=_minutes(push.fed_back_at),
    )
    approvers = Recipient(
        department_id=push.approving_department_id, permission=Permission.CASE_HANDLE, role="approver"
    )
    publish(db, EventKind.SUPERVISION_FEEDBACK, payload, subject=f"push:{push.id}", to=[approvers])


def escalated(db: Session, push: SupervisionPush, escalation: SupervisionEscalation) -> None:
    """A push waits past a threshold: the department is reminded; at level 2 the leaders are told too."""
    stage = Stage(escalation.stage)
    due = current_due(push)
    payload = SupervisionEscalated(
        **_facts(push),
        stage=stage.value,
        stage_label=STAGE_LABELS[stage],
        level=escalation.level,
        level_label=LEVEL_LABELS[escalation.level],
        threshold_at=_minutes(escalation.due_at),
        due_at=_minutes(due),
        escalated_at=_minutes(escalation.escalated_at),
    )
    to = [_supervisors(push)]
    if escalation.level >= 2:
        to += [Recipient(user_id=u.id, role="leader") for u in leaders(db)]
    publish(db, EventKind.SUPERVISION_ESCALATED, payload, subject=f"push:{push.id}", to=to)
