"""Data exchange API: counterparts (pause, resume), the exchange log (resend, correct and replay), reconciliations
(resend the differences), the data centre's export. All of it needs ``exchange.manage`` with a data scope of 全部."""

from datetime import datetime

from fastapi import APIRouter, Query, Response

from core.deps import DB, CurrentUser, ReadDB
from core.exchange import export, service
from core.exchange.schemas import (
    CounterpartOut,
    PauseIn,
    ReconciliationOut,
    RecordOut,
    RecordPageOut,
    ReplayIn,
    ResentOut,
)

router = APIRouter(prefix="/exchange", tags=["数据交换"])


@router.get("/counterparts", response_model=list[CounterpartOut], summary="对接平台及其交换情况")
def counterparts(db: ReadDB, user: CurrentUser) -> list[CounterpartOut]:
    """Every counterpart: connected or not, paused or not, what it sends and receives, records by status."""
    return [CounterpartOut.from_view(v) for v in service.overview(db, user)]


@router.post("/counterparts/{code}/pause", response_model=CounterpartOut, summary="暂停向对接平台发送")
def pause(code: str, data: PauseIn, db: DB, user: CurrentUser) -> CounterpartOut:
    """Stops sending to a counterpart; records keep being staged and wait (audited)."""
    service.pause(db, user, code, reason=data.reason)
    return next(CounterpartOut.from_view(v) for v in service.overview(db, user) if v.code == code)


@router.post("/counterparts/{code}/resume", response_model=CounterpartOut, summary="恢复向对接平台发送")
def resume(code: str, db: DB, user: CurrentUser) -> CounterpartOut:
    """Sends again; what waited goes first (audited)."""
    service.resume(db, user, code)
    return next(CounterpartOut.from_view(v) for v in service.overview(db, user) if v.code == code)


@router.get("/records", response_model=RecordPageOut, summary="交换记录")
def records(
    db: ReadDB,
    user: CurrentUser,
    counterpart: str = "",
    status: str = "",
    kind: str = "",
    direction: str = "",
    local_id: str = Query("", max_length=64),
    page: int = Query(1, ge=1, le=100000),
) -> RecordPageOut:
    """The exchange log, newest change first, filtered by counterpart, status, kind, direction or local id."""
    found = service.list_records(
        db, user, counterpart=counterpart, status=status, kind=kind, direction=direction, local_id=local_id, page=page
    )
    return RecordPageOut.from_page(found)


@router.get("/records/{record_id}", response_model=RecordOut, summary="交换记录详情")
def record(record_id: int, db: ReadDB, user: CurrentUser) -> RecordOut:
    """One record: payload, status, attempts, last error, quarantine reasons."""
    return RecordOut.from_model(service.get(db, user, record_id))


@router.post("/records/{record_id}/resend", response_model=RecordOut, summary="重发交换记录")
def resend(record_id: int, db: DB, user: CurrentUser) -> RecordOut:
    """Sends an outbound record again, as a new version the counterpart files anew (audited)."""
    return RecordOut.from_model(service.resend(db, user, record_id))


@router.post("/records/{record_id}/replay", response_model=RecordOut, summary="修正后重放隔离记录")
def replay(record_id: int, data: ReplayIn, db: DB, user: CurrentUser) -> RecordOut:
    """Uses a quarantined received record again, corrected or as it is (audited)."""
    return RecordOut.from_model(service.replay(db, user, record_id, corrected=data.data))


@router.get("/reconciliations", response_model=list[ReconciliationOut], summary="每日对账")
def reconciliations(
    db: ReadDB, user: CurrentUser, counterpart: str = "", only_differences: bool = False
) -> list[ReconciliationOut]:
    """Counts and checksums per counterpart, day and kind, with the records that differ."""
    found = service.reconciliations(db, user, counterpart=counterpart, only_differences=only_differences)
    return [ReconciliationOut.from_model(r) for r in found]


@router.post("/reconciliations/{reconciliation_id}/resend", response_model=ResentOut, summary="重发对账差异")
def resend_differences(reconciliation_id: int, db: DB, user: CurrentUser) -> ResentOut:
    """Resends the records the counterpart lacks or holds differently (audited)."""
    return ResentOut(resent=service.resend_differences(db, user, reconciliation_id))


@router.get("/export", summary="数据中心导出（CSV、JSON 与数据字典）")
def data_center_export(db: DB, user: CurrentUser, since: datetime | None = None) -> Response:
    """Items, cases and projects as a ZIP; only what changed since ``since`` when given (audited)."""
    found = export.export(db, user, since=since)
    headers = {"Content-Disposition": f'attachment; filename="{found.filename}"'}
    return Response(found.content, media_type=found.content_type, headers=headers)
