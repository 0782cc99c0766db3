"""From a domain event to outbox rows, in the event's transaction: who is told, through which channels, what.

Recipients (core/events ``Recipient``):
- a user: that person, if active;
- a department and a permission: the department's active staff holding the permission whose data scope
  reaches the department's data (department or all; an "own" scope does not cover colleagues' cases);
- an applicant: the WeChat users bound to the event's case (core/cases ``ChannelBinding``, ``wechat:<openid>``)
  and the account that owns the case, if any (its inbox, and its own channels).

Channels: the in-site inbox always; WeCom when the person chose it (``notify_channels``), has a WeCom userid
and the platform has a WeCom app; WeChat when a template is set for the event kind and the person follows
the Official Account. Each (event, recipient, channel) gets one row, its idempotency key unique.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case, ChannelBinding
from core.clock import now
from core.events.kinds import CaseDecisionNeeded, EventKind, EventPayload, WarningRaised
from core.events.models import DomainEvent
from core.events.service import Recipient, payload_of, recipients
from core.org import service as org_service
from core.org.models import Department, User
from notifications import delivery, outbox, render
from notifications.models import Channel, Notification, Status
from notifications.providers import inbox, wechat_template, wecom
from notifications.words import Message

WECHAT_PREFIX = "wechat:"


@dataclass(frozen=True)
class Target:
    """One row to write: a recipient reached through one channel."""

    channel: Channel
    key: str
    """Names the recipient in the idempotency key: ``u<user id>``, or the openid for WeChat."""
    user_id: int | None
    applicant_id: int | None
    address: str


def _department_staff(db: Session, department_id: int, permission: str | None) -> list[User]:
    staff = db.scalars(
        select(User)
        .where(User.department_id == department_id, User.is_active.is_(True), User.is_staff.is_(True))
        .order_by(User.id)
    )
    return [
        u
        for u in staff
        if (permission is None or permission in u.permissions) and org_service.can_reach_department(u, {department_id})
    ]


def _user_targets(user: User, kind: str, applicant_id: int | None = None) -> list[Target]:
    chosen = set(user.notify_channels or [])
    key = f"u{user.id}"
    targets = [Target(Channel.INBOX, key, user.id, applicant_id, "")]
    if Channel.WECOM in chosen and user.wecom_userid and wecom.configured():
        targets.append(Target(Channel.WECOM, key, user.id, applicant_id, user.wecom_userid))
    if Channel.WECHAT in chosen and user.wechat_openid and _wechat_kind(kind):
        targets.append(Target(Channel.WECHAT, user.wechat_openid, user.id, applicant_id, user.wechat_openid))
    return targets


def _wechat_kind(kind: str) -> bool:
    return wechat_template.configured() and render.has_wechat_template(kind)


def _case_id(event: DomainEvent) -> int | None:
    """The case the event is about, if it is about one (case and supervision events are; warnings, digests and
    assessments are not, and never go to applicants)."""
    case_id = getattr(payload_of(event), "case_id", None)
    return case_id if isinstance(case_id, int) else None


def _case_owners(db: Session, event: DomainEvent, applicant_id: int) -> list[User]:
    case_id = _case_id(event)
    query = select(Case.owner_user_id).where(Case.applicant_id == applicant_id, Case.owner_user_id.is_not(None))
    if isinstance(case_id, int):
        query = query.where(Case.id == case_id)
    owner_ids = set(db.scalars(query))
    if not owner_ids:
        return []
    return list(db.scalars(select(User).where(User.id.in_(owner_ids), User.is_active.is_(True)).order_by(User.id)))


def _applicant_targets(db: Session, event: DomainEvent, applicant_id: int) -> list[Target]:
    targets: list[Target] = []
    for owner in _case_owners(db, event, applicant_id):
        targets += _user_targets(owner, event.kind, applicant_id)
    case_id = _case_id(event)
    if _wechat_kind(event.kind) and isinstance(case_id, int):
        bound = db.scalars(
            select(ChannelBinding.channel_user).where(
                ChannelBinding.case_id == case_id, ChannelBinding.channel_user.startswith(WECHAT_PREFIX)
            )
        )
        for channel_user in bound:
            openid = channel_user[len(WECHAT_PREFIX) :]
            targets.append(Target(Channel.WECHAT, openid, None, applicant_id, openid))
    return targets


def targets(db: Session, event: DomainEvent) -> list[Target]:
    """Everyone the event reaches, once per channel (a person named twice is told once)."""
    found: dict[tuple[str, str], Target] = {}
    for recipient in recipients(event):
        for target in _recipient_targets(db, event, recipient):
            found.setdefault((target.channel, target.key), target)
    return list(found.values())


def _recipient_targets(db: Session, event: DomainEvent, recipient: Recipient) -> list[Target]:
    if recipient.user_id is not None:
        user = db.get(User, recipient.user_id)
        return _user_targets(user, event.kind) if user is not None and user.is_active else []
    if recipient.department_id is not None:
        staff = _department_staff(db, recipient.department_id, recipient.permission)
        return [t for user in staff for t in _user_targets(user, event.kind)]
    assert recipient.applicant_id is not None
    return _applicant_targets(db, event, recipient.applicant_id)


DECISION_CARDS = frozenset({EventKind.CASE_DECISION_NEEDED})
"""The kinds sent on WeCom as a card with decision buttons (to one member each) rather than a text card."""
WARNING_CARDS = frozenset({EventKind.WARNING_RAISED})
"""The kinds sent on WeCom as a card with a 签收 button (to one member each)."""


def _payload(db: Session, event: DomainEvent, facts: EventPayload, target: Target, message: Message) -> dict[str, Any]:
    kind = EventKind(event.kind)
    if target.channel == Channel.WECOM:
        if kind in DECISION_CARDS and isinstance(facts, CaseDecisionNeeded) and target.user_id is not None:
            department = db.get(Department, facts.department_id or 0)
            name = department.name if department is not None else ""
            return render.wecom_decision_card(facts, event.id, target.user_id, name)
        if kind in WARNING_CARDS and isinstance(facts, WarningRaised) and target.user_id is not None:
            return render.wecom_warning_card(facts, event.id, target.user_id)
        return render.wecom_textcard(message, event.id)
    if target.channel == Channel.WECHAT:
        return render.wechat_template(kind, facts) or {}
    return {}


def on_event(db: Session, event: DomainEvent) -> list[Notification]:
    """Writes the event's notification rows into the caller's transaction; they are sent after commit."""
    facts = payload_of(event)
    message = render.message(EventKind(event.kind), facts)
    moment = now()
    queued = delivery.queued_until(moment)  # its task is handed over after commit
    rows = []
    for target in targets(db, event):
        row = Notification(
            idempotency_key=f"e{event.id}:{target.channel}:{target.key}",
            event_id=event.id,
            kind=event.kind,
            user_id=target.user_id,
            applicant_id=target.applicant_id,
            channel=target.channel,
            address=target.address,
            title=message.title,
            body=message.body,
            link=message.link,
            payload=_payload(db, event, facts, target, message),
            status=Status.CREATED,
            attempts=0,
            next_attempt_at=moment,
            locked_until=None if target.channel == Channel.INBOX else queued,
        )
        if target.channel == Channel.INBOX:
            inbox.deliver(row)
        rows.append(row)
    db.add_all(rows)
    db.flush()
    outbox.send_after_commit(db, [r.id for r in rows if r.channel != Channel.INBOX])
    return rows
