"""Deciding a case from a WeCom card: the click, and the opinion replied in chat afterwards (a click on a
warning card's 签收 goes to channels/wecom/warning_cards.py).

A click is handled once, however often WeCom delivers it (a ``message_receipt`` row in the same transaction).
The member is the staff account bound to their WeCom UserID, and the step is taken by the same case
service the admin site calls, with that account's permissions, recorded in the audit log under its name.
A card that no longer applies — the case was decided, returned, concluded or deleted, a newer card was
sent, or it is older than ``wecom_card_valid_hours`` — changes nothing and says so. 不同意 and 退回 need an
opinion: the member's next text within :data:`OPINION_WAIT_MINUTES` is that opinion.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.models import CardClickOutcome, MessageReceipt, ReceiptStatus, WeComCardClick
from channels.wecom import my_warnings, warning_cards
from channels.wecom.adapter import CHANNEL, WeComMessage
from core.audit.context import Actor, acting
from core.audit.hooks import record_event
from core.cases import service as case_service
from core.cases.enums import STATUS_LABELS, STEP_LABELS, CaseStatus, Step
from core.cases.models import Case, CaseStep
from core.clock import now
from core.db import mark_for_writing, session_scope
from core.errors import AppError, PermissionDenied
from core.events.kinds import CaseDecisionNeeded, EventKind
from core.events.models import DomainEvent
from core.events.service import payload_of
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.settings import get_settings
from notifications.providers import wecom_cards as cards
from notifications.providers.wecom_cards import CHOICE_LABELS, Choice

log = logging.getLogger("tongban.channels")

DECISION_NEEDED = EventKind.CASE_DECISION_NEEDED
OPINION_WAIT_MINUTES = 30
MAX_OPINION_CHARS = 500
CANCEL_WORDS = frozenset({"取消", "放弃", "算了"})
DEFAULT_AGREE_OPINION = "同意"
_TASK = re.compile(r"^c(\d{1,18})-e(\d{1,18})-u(\d{1,18})$")
_RESULT_WORDS = {Choice.AGREE: "同意", Choice.DISAGREE: "不同意", Choice.RETURN: "退回审查"}


@dataclass
class Answer:
    """What goes back to the member: a passive text reply, and the clicked card's new state."""

    reply: str = ""
    card: dict[str, Any] | None = None
    click_id: int | None = None


@dataclass(frozen=True)
class CardRef:
    """What a decision card's task id names: the case, the announcement, and whom the card was sent to."""

    case_id: int
    event_id: int
    user_id: int


def parse_task_id(task_id: str) -> CardRef | None:
    """The case, event and addressee of a decision card's task id; None for any other card."""
    found = _TASK.match(task_id)
    if found is None:
        return None
    return CardRef(int(found[1]), int(found[2]), int(found[3]))


def handle(message: WeComMessage) -> Answer:
    """Handles a message from a member once; a repeated delivery gets the first one's text reply again and
    changes nothing (the card was updated after the first)."""
    with session_scope() as db:
        if not _claim(db, message):
            return _repeat(db, message)
        answer = _dispatch(db, message)
        db.execute(
            update(MessageReceipt)
            .where(MessageReceipt.channel == CHANNEL, MessageReceipt.dedup_key == message.dedup_key)
            .values(
                status=ReceiptStatus.ANSWERED,
                answer=[{"text": answer.reply}] if answer.reply else [],
                delivery="reply",
                delivered_at=now(),
                answered_at=now(),
            )
        )
        return answer


def _claim(db: Session, message: WeComMessage) -> bool:
    try:
        with db.begin_nested():
            db.execute(
                insert(MessageReceipt).values(
                    channel=CHANNEL,
                    dedup_key=message.dedup_key,
                    status=ReceiptStatus.PROCESSING,
                    attempts=1,
                    created_at=now(),
                )
            )
    except IntegrityError:
        return False
    return True


def _repeat(db: Session, message: WeComMessage) -> Answer:
    db.rollback()
    mark_for_writing(db)
    where = (MessageReceipt.channel == CHANNEL, MessageReceipt.dedup_key == message.dedup_key)
    db.execute(update(MessageReceipt).where(*where).values(attempts=MessageReceipt.attempts + 1))
    stored = db.scalar(select(MessageReceipt.answer).where(*where)) or []
    return Answer(reply="".join(str(part.get("text") or "") for part in stored))


def _dispatch(db: Session, message: WeComMessage) -> Answer:
    if message.kind == "card_click":
        return _click(db, message)
    if message.kind == "text":
        return _text(db, message)
    if message.kind == "unsupported":
        return Answer(reply="目前只能识别文字消息。需要回复意见时，请直接发送文字。")
    return Answer()  # entering the app, subscribing and other events need no answer


# ---------------------------------------------------------------- who is clicking


def _bound_user(db: Session, wecom_userid: str) -> User | None:
    user = db.scalar(select(User).where(User.wecom_userid == wecom_userid))
    return user if user is not None and user.is_active and user.is_staff else None


def _staff_actor(user: User) -> Actor:
    return Actor(id=user.id, name=f"{user.name}({user.username})"[:64], kind="wecom")


def _member_actor(wecom_userid: str) -> Actor:
    return Actor(id=None, name=f"企业微信:{wecom_userid}"[:64], kind="channel")


UNBOUND = "您的企业微信账号未绑定通办工作人员账号，不能办理；请联系管理员在“用户管理”中绑定"


def _refusal(user: User, case: Case) -> str:
    """Why the member may not decide this case (the case service checks the same again); empty if they may."""
    if Permission.CASE_DECIDE not in user.permissions:
        return "您没有决定、办结办件的权限，如需开通请联系管理员"
    if not org_service.can_reach_department(user, {case.department_id}):
        return "该办件不属于您所在部门，您不能办理"
    return ""


def _refuse(db: Session, click: WeComCardClick, reason: str) -> None:
    """Records the refusal on the click and in the audit log, under the member's name."""
    click.outcome, click.reason, click.resolved_at = CardClickOutcome.REFUSED, reason[:200], now()
    record_event(
        db,
        action="wecom.card_refused",
        entity="case",
        entity_id=str(click.case_id or ""),
        details={
            "wecom_userid": click.wecom_userid,
            "task_id": click.task_id,
            "choice": click.choice,
            "reason": reason,
        },
    )


# ---------------------------------------------------------------- does the card still apply


def _locked_case(db: Session, case_id: int | None) -> Case | None:
    """The case, locked for the rest of the transaction (two clicks on one case decide one after the other)."""
    if case_id is None:
        return None
    # a locking read sees the latest committed row (a plain one, on MySQL, the transaction's snapshot)
    locked = select(Case).where(Case.id == case_id).with_for_update().execution_options(populate_existing=True)
    return db.scalars(locked).unique().first()


def _card_facts(event: DomainEvent | None, case: Case | None, ref: CardRef) -> dict[str, Any]:
    """What the updated card shows: the facts the card was sent with (the department named from the case)."""
    data: dict[str, Any] = _decision_facts(event).stored() if event is not None else {"case_id": ref.case_id}
    if case is not None:
        data.setdefault("case_no", case.case_no)
        data.setdefault("department_name", case.department.name)
    return data


def _decision_facts(event: DomainEvent) -> CaseDecisionNeeded:
    """What the decision card was sent with (the event is always a decision event, see _decision_event)."""
    facts = payload_of(event)
    assert isinstance(facts, CaseDecisionNeeded)
    return facts


def _decision_event(db: Session, ref: CardRef) -> DomainEvent | None:
    event = db.get(DomainEvent, ref.event_id)
    if event is None or event.kind != DECISION_NEEDED or event.subject != f"case:{ref.case_id}":
        return None
    return event


def _last_step(case: Case, actions: set[str]) -> CaseStep | None:
    return next((s for s in reversed(case.steps) if s.action in actions), None)


def _stale(db: Session, case: Case | None, event: DomainEvent | None) -> str:
    """Why the card no longer applies; empty while the case waits for the decision this card asked for."""
    if case is None:
        return "该办件已被删除"
    if event is None:
        return "卡片对应的待决定通知已不存在，请到管理后台办理"
    hours = get_settings().wecom_card_valid_hours
    if now() - event.created_at > timedelta(hours=hours):
        return f"卡片已超过{hours}小时有效期，请到管理后台办理"
    if case.status != CaseStatus.PROCESSING or case.current_step != Step.DECIDE:
        return _where_now(case)
    latest = db.scalar(
        select(DomainEvent.id)
        .where(DomainEvent.kind == DECISION_NEEDED, DomainEvent.subject == event.subject)
        .order_by(DomainEvent.id.desc())
        .limit(1)
        .with_for_update()
    )
    if latest != event.id:
        return "该办件已退回后重新进入决定环节，请使用最新的卡片"
    return ""


def _where_now(case: Case) -> str:
    if case.status == CaseStatus.PROCESSING and case.current_step == Step.CONCLUDE:
        step = _last_step(case, {"decide"})
        if step is not None:
            return f"该办件已由{step.handler_name}于{step.created_at:%m-%d %H:%M}作出决定"
        return "该办件已作出决定"
    if case.status == CaseStatus.PROCESSING and case.current_step == Step.REVIEW:
        step = _last_step(case, {"return"})
        who = f"已由{step.handler_name}于{step.created_at:%m-%d %H:%M}" if step else "已"
        return f"该办件{who}退回审查"
    where = STATUS_LABELS.get(case.status, case.status)
    if case.status == CaseStatus.PROCESSING:
        where += f"（当前环节：{STEP_LABELS.get(case.current_step, case.current_step)}）"
    return f"该办件当前状态为“{where}”，已不在决定环节"


# ---------------------------------------------------------------- the click


def _click(db: Session, message: WeComMessage) -> Answer:
    if warning_cards.is_warning_card(message.task_id):
        clicked = warning_cards.click(db, message)  # 签收 on a warning card
        return Answer(card=clicked.card, click_id=clicked.click_id)
    ref = parse_task_id(message.task_id)
    if ref is None:
        log.info("企业微信卡片点击不属于办件决定卡片或预警卡片，已忽略：%s", message.task_id)
        return Answer()
    case = _locked_case(db, ref.case_id)
    event = _decision_event(db, ref)
    data = _card_facts(event, case, ref)
    task = message.task_id
    user = _bound_user(db, message.sender)
    click = WeComCardClick(
        task_id=task,
        choice=message.event_key[:16],
        wecom_userid=message.sender,
        user_id=user.id if user else None,
        case_id=case.id if case is not None else None,
        event_id=event.id if event else None,
        outcome=CardClickOutcome.STALE,
        reason="",
        opinion="",
        card_status="",
    )
    db.add(click)
    if user is None:
        with acting(_member_actor(message.sender)):
            _refuse(db, click, UNBOUND)
            db.flush()
        return Answer(card=cards.refused_card(data, task, UNBOUND), click_id=click.id)
    with acting(_staff_actor(user)):
        answer = _click_as(db, user, click, case, event, data, message)
        db.flush()
        answer.click_id = click.id
        return answer


def _click_as(
    db: Session,
    user: User,
    click: WeComCardClick,
    case: Case | None,
    event: DomainEvent | None,
    data: dict[str, Any],
    message: WeComMessage,
) -> Answer:
    task = message.task_id
    refusal = _refusal(user, case) if case is not None else ""
    if refusal:
        _refuse(db, click, refusal)
        return Answer(card=cards.refused_card(data, task, refusal))
    stale = _stale(db, case, event)
    if stale or case is None:
        click.outcome, click.reason, click.resolved_at = CardClickOutcome.STALE, stale[:200], now()
        return Answer(card=cards.stale_card(data, task, stale))
    try:
        choice = Choice(message.event_key)
    except ValueError:
        reason = "无法识别的按钮，请到管理后台办理"
        click.outcome, click.reason, click.resolved_at = CardClickOutcome.FAILED, reason, now()
        return Answer(card=cards.stale_card(data, task, reason))
    if choice == Choice.AGREE:
        error = _take_step(db, user, case, choice, DEFAULT_AGREE_OPINION)
        if error:
            return _failed(db, click, data, task, error)
        _resolve(click, DEFAULT_AGREE_OPINION)
        return Answer(card=cards.decided_card(data, task, choice, user.name, now(), DEFAULT_AGREE_OPINION))
    _supersede_waiting(db, user)
    click.outcome = CardClickOutcome.AWAITING_OPINION
    click.opinion_due_at = now() + timedelta(minutes=OPINION_WAIT_MINUTES)
    return Answer(card=cards.opinion_needed_card(data, task, choice, OPINION_WAIT_MINUTES))


def _take_step(db: Session, user: User, case: Case, choice: Choice, opinion: str) -> AppError | None:
    """The same service call as the admin site's form; the case's refusal, if it refuses."""
    action = "case.return" if choice == Choice.RETURN else "case.decide"
    try:
        with db.begin_nested(), acting(action=action):
            if choice == Choice.RETURN:
                case_service.return_case(db, user, case, opinion=opinion)
            else:
                case_service.decide(db, user, case, agree=choice == Choice.AGREE, opinion=opinion)
            db.flush()
    except AppError as error:
        return error
    return None


def _failed(db: Session, click: WeComCardClick, data: dict[str, Any], task: str, error: AppError) -> Answer:
    if isinstance(error, PermissionDenied):
        _refuse(db, click, error.message)
        return Answer(card=cards.refused_card(data, task, error.message))
    click.outcome, click.reason, click.resolved_at = CardClickOutcome.FAILED, error.message[:200], now()
    return Answer(card=cards.stale_card(data, task, error.message))


def _resolve(click: WeComCardClick, opinion: str) -> None:
    click.outcome, click.opinion, click.resolved_at = CardClickOutcome.DECIDED, opinion, now()
    click.opinion_due_at = None


def _supersede_waiting(db: Session, user: User) -> None:
    """A member waits to give one opinion at a time: the newest click is the one the next reply answers."""
    for earlier in db.scalars(
        select(WeComCardClick).where(
            WeComCardClick.user_id == user.id, WeComCardClick.outcome == CardClickOutcome.AWAITING_OPINION
        )
    ):
        earlier.outcome, earlier.resolved_at = CardClickOutcome.SUPERSEDED, now()


# ---------------------------------------------------------------- the opinion replied in chat


def help_text() -> str:
    """What a member is told when their message is not an awaited opinion."""
    admin = get_settings().site_url("/admin")
    return (
        "您好，这里是通办的办件提醒。待您决定的办件会以卡片推送到这里，点击“同意”“不同意”或“退回”即可办理；"
        "选择“不同意”或“退回”后，请直接回复意见。发送“我的预警”可查看待您处理的预警。"
        f"其他业务请登录管理后台：{admin}"
    )


def _text(db: Session, message: WeComMessage) -> Answer:
    user = _bound_user(db, message.sender)
    if user is None:
        return Answer(reply=f"{UNBOUND}。")
    text = message.text.strip()
    if my_warnings.is_asking(text):  # 我的预警: a list, never taken for an awaited opinion
        return Answer(reply=my_warnings.reply(db, user))
    with acting(_staff_actor(user)):
        reply = _opinion(db, user, text)
        db.flush()
        return Answer(reply=reply)


def _waiting(db: Session, user: User) -> WeComCardClick | None:
    return db.scalar(
        select(WeComCardClick)
        .where(WeComCardClick.user_id == user.id, WeComCardClick.outcome == CardClickOutcome.AWAITING_OPINION)
        .order_by(WeComCardClick.id.desc())
        .limit(1)
        .with_for_update()  # two replies at once: the second finds the first's outcome
    )


def _opinion(db: Session, user: User, text: str) -> str:
    pending = _waiting(db, user)
    if pending is None:
        return help_text()
    choice = Choice(pending.choice)
    event = db.get(DomainEvent, pending.event_id) if pending.event_id is not None else None
    case_no = _decision_facts(event).case_no if event is not None else ""
    label = CHOICE_LABELS[choice]
    if pending.opinion_due_at is None or now() > pending.opinion_due_at:
        pending.outcome, pending.resolved_at = CardClickOutcome.STALE, now()
        pending.reason = "超时未回复意见"
        return (
            f"您对办件{case_no}选择的“{label}”超过{OPINION_WAIT_MINUTES}分钟未收到意见，未作处理；"
            f"请到管理后台办理。\n\n{help_text()}"
        )
    if text in CANCEL_WORDS:
        pending.outcome, pending.resolved_at, pending.reason = CardClickOutcome.CANCELLED, now(), "成员取消"
        return f"已取消：办件{case_no}未作处理。如需办理，请到管理后台。"
    if not text:
        return f"请直接回复“{label}”的意见文字（办件{case_no}）；回复“取消”可放弃。"
    if len(text) > MAX_OPINION_CHARS:
        return f"意见最多{MAX_OPINION_CHARS}字，您发送了{len(text)}字，请精简后重新回复。"
    case = _locked_case(db, pending.case_id)
    refusal = _refusal(user, case) if case is not None else ""
    if refusal:
        _refuse(db, pending, refusal)
        return f"办件{case_no}未处理：{refusal}。"
    stale = _stale(db, case, event)
    if stale or case is None:
        pending.outcome, pending.reason, pending.resolved_at = CardClickOutcome.STALE, stale[:200], now()
        return f"办件{case_no}未处理：{stale}。"
    error = _take_step(db, user, case, choice, text)
    if error is not None:
        return f"办件{case_no}未处理：{error.message}"
    _resolve(pending, text)
    return (
        f"已办理：办件{case.case_no} {_RESULT_WORDS[choice]}。\n意见：{text}\n"
        f"办理人：{user.name}，{now():%Y-%m-%d %H:%M}"
    )
