"""The exchange's business rules for people: who may look at the exchange log and act on it, and the actions —
pause and resume a counterpart, resend a record, correct and replay a quarantined one, resend what a reconciliation
found missing. Every action is audited (the rows' changes by the audit hooks, and an event naming the action).

The exchange log holds every department's records, so it needs ``exchange.manage`` and a data scope of 全部.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.exchange import events, inbound
from core.exchange.adapters import ADAPTERS
from core.exchange.config import settings_of
from core.exchange.enums import COUNTERPART_LABELS, KIND_LABELS, STATUS_LABELS, Direction, Status
from core.exchange.models import ExchangeCounterpartState, ExchangeReconciliation, ExchangeRecord
from core.exchange.standard import checksum
from core.org.models import User
from core.org.permissions import DataScope, Permission

PAGE_SIZE = 50


def require_manager(user: User | None) -> User:
    """A user who may read and act on the exchange log; 401/403 otherwise."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if Permission.EXCHANGE_MANAGE not in user.permissions:
        raise PermissionDenied("您没有管理数据交换的权限，如需开通请联系管理员")
    if user.data_scope != DataScope.ALL:
        raise PermissionDenied("数据交换记录涉及全部部门的数据，需要“全部”数据范围")
    return user


def can_view(user: User | None) -> bool:
    """True for whoever may read the exchange log."""
    try:
        require_manager(user)
    except (NotAuthenticated, PermissionDenied):
        return False
    return True


def _counterpart(code: str) -> str:
    if code not in ADAPTERS:
        raise NotFound("没有这个对接平台", field="counterpart")
    return code


def state_of(db: Session, code: str) -> ExchangeCounterpartState:
    """The counterpart's state row, made on first use."""
    state = db.get(ExchangeCounterpartState, code)
    if state is None:
        state = ExchangeCounterpartState(code=code, paused=False, cursors={})
        db.add(state)
        db.flush()
    return state


@dataclass(frozen=True)
class CounterpartView:
    """One counterpart as the overview shows it."""

    code: str
    name: str
    connected: bool
    paused: bool
    pause_reason: str
    sends: list[str]
    receives: list[str]
    when: str
    counts: dict[str, int]
    open_differences: int


def overview(db: Session, user: User | None) -> list[CounterpartView]:
    """Every counterpart: connected or not, paused or not, what it exchanges, its records by status."""
    require_manager(user)
    counts: dict[str, dict[str, int]] = {}
    for code, status, n in db.execute(
        select(ExchangeRecord.counterpart, ExchangeRecord.status, func.count()).group_by(
            ExchangeRecord.counterpart, ExchangeRecord.status
        )
    ):
        counts.setdefault(code, {})[status] = n
    differences = dict(
        db.execute(
            select(ExchangeReconciliation.counterpart, func.count())
            .where(ExchangeReconciliation.matched.is_(False))
            .group_by(ExchangeReconciliation.counterpart)
        ).all()
    )
    out = []
    for code, adapter in ADAPTERS.items():
        state = db.get(ExchangeCounterpartState, code)
        out.append(
            CounterpartView(
                code=code,
                name=COUNTERPART_LABELS[code],  # type: ignore[index]
                connected=settings_of(code) is not None,
                paused=bool(state and state.paused),
                pause_reason=state.pause_reason if state else "",
                sends=[KIND_LABELS[k] for k in adapter.sends],  # type: ignore[index]
                receives=[KIND_LABELS[k] for k in adapter.receives],  # type: ignore[index]
                when=adapter.when,
                counts={s.value: counts.get(code, {}).get(s.value, 0) for s in Status},
                open_differences=int(differences.get(code, 0)),
            )
        )
    return out


def pause(db: Session, user: User | None, code: str, *, reason: str) -> ExchangeCounterpartState:
    """Stops sending to a counterpart (records keep being staged and wait)."""
    manager = require_manager(user)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("请填写暂停原因（如：对方平台维护）", field="reason")
    if len(reason) > 200:
        raise ValidationFailed("暂停原因最多 200 字", field="reason")
    state = state_of(db, _counterpart(code))
    if state.paused:
        raise Conflict(f"“{COUNTERPART_LABELS[code]}”已处于暂停状态")  # type: ignore[index]
    state.paused, state.paused_at, state.paused_by, state.pause_reason = True, now(), manager.name, reason
    record_event(db, action="暂停数据交换", entity="exchange_counterpart", entity_id=code, details={"原因": reason})
    return state


def resume(db: Session, user: User | None, code: str) -> ExchangeCounterpartState:
    """Sends again to a paused counterpart; what waited goes first."""
    require_manager(user)
    state = state_of(db, _counterpart(code))
    if not state.paused:
        raise Conflict(f"“{COUNTERPART_LABELS[code]}”没有暂停")  # type: ignore[index]
    state.paused, state.paused_at, state.paused_by, state.pause_reason = False, None, "", ""
    record_event(db, action="恢复数据交换", entity="exchange_counterpart", entity_id=code)
    events.to_send(db, code)
    return state


@dataclass(frozen=True)
class RecordPage:
    """One page of the exchange log."""

    records: list[ExchangeRecord]
    total: int
    page: int
    pages: int


def list_records(
    db: Session,
    user: User | None,
    *,
    counterpart: str = "",
    status: str = "",
    kind: str = "",
    direction: str = "",
    local_id: str = "",
    page: int = 1,
) -> RecordPage:
    """The exchange log, newest change first, filtered."""
    require_manager(user)
    query = select(ExchangeRecord)
    if counterpart:
        query = query.where(ExchangeRecord.counterpart == _counterpart(counterpart))
    if status:
        if status not in STATUS_LABELS:
            raise ValidationFailed("没有这个交换状态", field="status")
        query = query.where(ExchangeRecord.status == status)
    if kind:
        if kind not in KIND_LABELS:
            raise ValidationFailed("没有这个记录类型", field="kind")
        query = query.where(ExchangeRecord.kind == kind)
    if direction:
        if direction not in (Direction.OUT, Direction.IN):
            raise ValidationFailed("方向只能是上报或接收", field="direction")
        query = query.where(ExchangeRecord.direction == direction)
    if local_id:
        query = query.where(ExchangeRecord.local_id.startswith(local_id.strip()[:64], autoescape=True))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.scalars(
        query.order_by(ExchangeRecord.updated_at.desc(), ExchangeRecord.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return RecordPage(list(rows), total, page, pages)


def get(db: Session, user: User | None, record_id: int) -> ExchangeRecord:
    """One exchange record."""
    require_manager(user)
    row = db.get(ExchangeRecord, record_id)
    if row is None:
        raise NotFound("交换记录不存在")
    return row


def _send_again(db: Session, row: ExchangeRecord) -> None:
    """A new version of the same content: the counterpart files it again even if it saw (and lost) the last one."""
    row.version += 1
    row.status = Status.PENDING
    row.attempts = 0
    row.next_attempt_at = None
    row.locked_until = None
    row.lease = ""
    row.last_error = ""
    row.receipt = ""
    row.sent_at = row.confirmed_at = row.reconciled_at = None
    events.to_send(db, row.counterpart)


def resend(db: Session, user: User | None, record_id: int) -> ExchangeRecord:
    """Sends an outbound record again (failed, or listed by a reconciliation)."""
    row = get(db, user, record_id)
    if row.direction != Direction.OUT:
        raise Conflict("接收的记录不能重发；隔离的记录请修正后重放")
    if row.status in (Status.PENDING, Status.RETRYING):
        raise Conflict("该记录正在等待发送，无需重发")
    _send_again(db, row)
    record_event(db, action="重发交换记录", entity="exchange_record", entity_id=str(row.id))
    return row


def replay(db: Session, user: User | None, record_id: int, *, corrected: dict[str, Any] | None) -> ExchangeRecord:
    """Uses a quarantined received record again — corrected, or as it is (after fixing our side, e.g. a missing
    project). Quarantined again, with the new reasons, if it still does not pass."""
    row = get(db, user, record_id)
    if row.direction != Direction.IN or row.status != Status.QUARANTINED:
        raise Conflict("只有被隔离的接收记录可以修正后重放")
    before = dict(row.payload)
    if corrected is not None:
        if not isinstance(corrected, dict) or not all(isinstance(k, str) for k in corrected):
            raise ValidationFailed("修正后的内容应为“字段: 值”", field="data")
        row.payload = {k: v for k, v in corrected.items() if v not in (None, "")}
        row.checksum = checksum(row.payload)
        row.version += 1
    row.attempts += 1
    used = inbound.use(db, row)
    record_event(
        db,
        action="修正后重放接收记录" if corrected is not None else "重放接收记录",
        entity="exchange_record",
        entity_id=str(row.id),
        details={"修正前": before, "修正后": row.payload, "结果": "已处理" if used else "仍被隔离"},
    )
    return row


def reconciliations(
    db: Session, user: User | None, *, counterpart: str = "", only_differences: bool = False, day: date | None = None
) -> list[ExchangeReconciliation]:
    """The reconciliations, newest day first."""
    require_manager(user)
    query = select(ExchangeReconciliation)
    if counterpart:
        query = query.where(ExchangeReconciliation.counterpart == _counterpart(counterpart))
    if only_differences:
        query = query.where(ExchangeReconciliation.matched.is_(False))
    if day is not None:
        query = query.where(ExchangeReconciliation.day == day)
    order = (ExchangeReconciliation.day.desc(), ExchangeReconciliation.counterpart, ExchangeReconciliation.kind)
    return list(db.scalars(query.order_by(*order).limit(500)))


def resend_differences(db: Session, user: User | None, reconciliation_id: int) -> int:
    """Resends every record a reconciliation found missing or different on the counterpart's side."""
    require_manager(user)
    found = db.get(ExchangeReconciliation, reconciliation_id)
    if found is None:
        raise NotFound("对账记录不存在")
    ids = [d["local_id"] for d in found.differences if d.get("diff") in ("missing", "different") and d.get("local_id")]
    if not ids:
        raise Conflict("该对账没有可重发的记录（对方缺少或内容不一致的）")
    rows = db.scalars(
        select(ExchangeRecord).where(
            ExchangeRecord.counterpart == found.counterpart,
            ExchangeRecord.kind == found.kind,
            ExchangeRecord.direction == Direction.OUT,
            ExchangeRecord.local_id.in_(ids),
        )
    )
    count = 0
    for row in rows:
        _send_again(db, row)
        count += 1
    record_event(
        db, action="重发对账差异", entity="exchange_reconciliation", entity_id=str(found.id), details={"记录数": count}
    )
    return count
