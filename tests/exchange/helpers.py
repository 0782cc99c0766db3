"""Exchange rows made directly (the authorization matrix and the page tests need one of each state)."""

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from core.exchange.keys import idempotency_key
from core.exchange.models import ExchangeCounterpartState, ExchangeReconciliation, ExchangeRecord

_serial = [0]


def stored_record(
    db: Session, *, direction: str = "out", status: str = "confirmed", kind: str = "case"
) -> ExchangeRecord:
    """An exchange record of the provincial platform (a case going out, or a quarantined approval coming in)."""
    _serial[0] += 1
    local_id = f"KF2026092400{_serial[0]:02d}"
    counterpart = "gov_service" if direction == "out" else "investment"
    row = ExchangeRecord(
        counterpart=counterpart,
        kind=kind if direction == "out" else "approval",
        local_id=local_id,
        direction=direction,
        idempotency_key=idempotency_key(counterpart, kind, local_id, direction),
        version=1,
        payload={"SBLSH": local_id, "SQRMC": "孙市民"}
        if direction == "out"
        else {"XMDM": "2026-5116", "XMMC": "测试项目"},
        checksum="0" * 64,
        business_day=date(2026, 9, 24),
        status=status,
        attempts=1,
        last_error=""
        if status != "quarantined"
        else "“项目代码”格式不对（如 2026-511602-47-01-000123），收到“2026-5116”",
        problems=[] if status != "quarantined" else [{"field": "XMDM", "message": "“项目代码”格式不对"}],
        outcome="",
        receipt="R00000001" if status == "confirmed" else "",
        lease="",
        confirmed_at=datetime(2026, 9, 24, 10, 5) if status == "confirmed" else None,
    )
    db.add(row)
    db.commit()
    return row


def stored_difference(db: Session) -> ExchangeReconciliation:
    """A day whose reconciliation found a case missing on the platform's side."""
    record = stored_record(db)
    found = ExchangeReconciliation(
        counterpart="gov_service",
        day=date(2026, 9, 1) + timedelta(days=_serial[0]),  # one reconciliation per day and kind
        kind="case",
        our_count=1,
        their_count=0,
        our_checksum="a" * 64,
        their_checksum="b" * 64,
        matched=False,
        differences=[{"local_id": record.local_id, "diff": "missing"}],
        checked_at=datetime(2026, 9, 25, 2, 0),
        note="",
    )
    db.add(found)
    db.commit()
    return found


def paused(db: Session, code: str) -> None:
    """Pauses a counterpart directly."""
    state = db.get(ExchangeCounterpartState, code)
    if state is None:
        db.add(
            ExchangeCounterpartState(
                code=code, paused=True, cursors={}, pause_reason="对方平台维护", paused_by="管理员"
            )
        )
    else:
        state.paused = True
    db.commit()
