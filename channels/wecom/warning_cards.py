"""Signing for a warning (签收) from its WeCom card.

The click is handled once however often WeCom delivers it (channels/wecom/decisions.py ``handle`` claims the
message first). The member is the staff account bound to their WeCom UserID; the warning is signed by the same
service the admin site calls (core/early_warnings/service.py), with that account's permission and department
checks, and audited under its name. A member who may not sign is refused and the refusal audited; a card that no
longer applies — the warning was signed, closed, ended by itself or deleted, or the card is not the one its
announcement sent — changes nothing and says why.
"""

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import CardClickOutcome, WeComCardClick
from channels.wecom.adapter import WeComMessage
from core.audit.context import Actor, acting
from core.audit.hooks import record_event
from core.clock import now
from core.early_warnings import service as warning_service
from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import OPEN
from core.errors import AppError, PermissionDenied
from core.events.kinds import EventKind
from core.events.models import DomainEvent
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from notifications.providers import warning_cards as cards

log = logging.getLogger("tongban.channels")


@dataclass(frozen=True)
class Clicked:
    """The updated card to send back, and the click's record (for the card update's bookkeeping)."""

    card: dict[str, Any]
    click_id: int | None


def is_warning_card(task_id: str) -> bool:
    """True for the task id of a warning card (w<warning>-e<event>-u<user>)."""
    return cards.parse_task_id(task_id) is not None


def _actor(user: User) -> Actor:
    return Actor(id=user.id, name=f"{user.name}({user.username})"[:64], kind="wecom")


def _member(wecom_userid: str) -> Actor:
    return Actor(id=None, name=f"企业微信:{wecom_userid}"[:64], kind="channel")


def _locked(db: Session, warning_id: int) -> EarlyWarning | None:
    """The warning, locked for the rest of the transaction (two clicks sign one after the other)."""
    query = (
        select(EarlyWarning)
        .where(EarlyWarning.id == warning_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.scalars(query).unique().first()


def _event(db: Session, warning_id: int, event_id: int) -> DomainEvent | None:
    event = db.get(DomainEvent, event_id)
    if event is None or event.kind != EventKind.WARNING_RAISED or event.subject != f"warning:{warning_id}":
        return None
    return event


def _refusal(user: User, warning: EarlyWarning) -> str:
    """Why the member may not sign for this warning (the service checks the same again); empty if they may."""
    if Permission.WARNING_HANDLE not in user.permissions:
        return "您没有签收预警的权限，如需开通请联系管理员"
    if not org_service.can_reach_department(user, {warning.department_id}):
        return f"该预警的责任部门是“{warning.department.name}”，您不能签收"
    return ""


def _stale(warning: EarlyWarning | None, event: DomainEvent | None) -> str:
    if warning is None:
        return "该预警已不存在"
    if event is None:
        return "卡片对应的预警通知已不存在，请到管理后台办理"
    finished = warning_service.stale_reason(warning, "签收")
    if finished:
        return finished
    if warning.state != OPEN:
        return f"该预警已由{warning.signed_by_name}于 {warning.signed_at:%m-%d %H:%M} 签收"
    return ""


def _refuse(db: Session, click: WeComCardClick, warning_id: int, reason: str) -> None:
    click.outcome, click.reason, click.resolved_at = CardClickOutcome.REFUSED, reason[:200], now()
    record_event(
        db,
        action="wecom.card_refused",
        entity="early_warning",
        entity_id=str(warning_id),
        details={
            "wecom_userid": click.wecom_userid,
            "task_id": click.task_id,
            "choice": click.choice,
            "reason": reason,
        },
    )


def click(db: Session, message: WeComMessage) -> Clicked:
    """Handles a click on a warning card; the caller records the message as answered."""
    parsed = cards.parse_task_id(message.task_id)
    assert parsed is not None
    warning_id, event_id, _ = parsed
    warning = _locked(db, warning_id)
    event = _event(db, warning_id, event_id)
    data: dict[str, Any] = dict(event.data) if event is not None else {"warning_id": warning_id}
    if warning is not None:
        data.setdefault("title", warning.title)
        data.setdefault("department_name", warning.department.name)
    task = message.task_id
    user = warning_service.bound_member(db, message.sender)
    record = WeComCardClick(
        task_id=task,
        choice=message.event_key[:16],
        wecom_userid=message.sender,
        user_id=user.id if user else None,
        case_id=None,
        event_id=event.id if event is not None else None,
        outcome=CardClickOutcome.STALE,
        reason="",
        opinion="",
        card_status="",
    )
    db.add(record)
    if user is None:
        with acting(_member(message.sender)):
            _refuse(db, record, warning_id, warning_service.UNBOUND)
            db.flush()
        return Clicked(cards.refused_card(data, task, warning_service.UNBOUND), record.id)
    with acting(_actor(user)):
        card = _click_as(db, user, record, warning, event, data, message)
        db.flush()
        return Clicked(card, record.id)


def _click_as(
    db: Session,
    user: User,
    record: WeComCardClick,
    warning: EarlyWarning | None,
    event: DomainEvent | None,
    data: dict[str, Any],
    message: WeComMessage,
) -> dict[str, Any]:
    task = message.task_id
    refusal = _refusal(user, warning) if warning is not None else ""
    if refusal and warning is not None:
        _refuse(db, record, warning.id, refusal)
        return cards.refused_card(data, task, refusal)
    stale = _stale(warning, event)
    if stale or warning is None:
        record.outcome, record.reason, record.resolved_at = CardClickOutcome.STALE, stale[:200], now()
        return cards.stale_card(data, task, stale)
    if message.event_key != cards.SIGN:
        reason = "无法识别的按钮，请到管理后台办理"
        record.outcome, record.reason, record.resolved_at = CardClickOutcome.FAILED, reason, now()
        return cards.stale_card(data, task, reason)
    try:
        with db.begin_nested():
            warning_service.sign(db, user, warning)
    except AppError as error:
        if isinstance(error, PermissionDenied):
            _refuse(db, record, warning.id, error.message)
            return cards.refused_card(data, task, error.message)
        record.outcome, record.reason, record.resolved_at = CardClickOutcome.FAILED, error.message[:200], now()
        return cards.stale_card(data, task, error.message)
    record.outcome, record.resolved_at = CardClickOutcome.SIGNED, now()
    return cards.signed_card(data, task, user.name, f"{now():%m-%d %H:%M}")
