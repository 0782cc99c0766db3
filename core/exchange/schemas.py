"""What the exchange API takes and gives: counterparts, exchange records, reconciliations (codes with their Chinese
labels beside them, so a client shows the label and filters by the code)."""

from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from core.exchange.enums import COUNTERPART_LABELS, DIFF_LABELS, DIRECTION_LABELS, KIND_LABELS, STATUS_LABELS
from core.exchange.models import ExchangeReconciliation, ExchangeRecord
from core.exchange.service import CounterpartView, RecordPage


class CounterpartOut(BaseModel):
    """One counterpart: what it exchanges, when, and its records by status."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    connected: bool
    paused: bool
    pause_reason: str
    sends: list[str]
    receives: list[str]
    when: str
    counts: dict[str, int] = Field(description="各状态的记录数（键为状态代码）")
    open_differences: int

    @classmethod
    def from_view(cls, view: CounterpartView) -> Self:
        return cls.model_validate(view)


class PauseIn(BaseModel):
    """Why sending stops."""

    reason: str = Field(min_length=1, max_length=200, description="暂停原因，如：对方平台维护")


class ReplayIn(BaseModel):
    """A quarantined record's corrected fields; ``null`` replays it as it is (after fixing our side)."""

    data: dict[str, Any] | None = None


class RecordOut(BaseModel):
    """One exchange record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    counterpart: str
    counterpart_label: str
    kind: str
    kind_label: str
    local_id: str
    direction: str
    direction_label: str
    idempotency_key: str
    version: int
    payload: dict[str, Any]
    checksum: str
    business_day: date
    status: str
    status_label: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    problems: list[dict[str, str]]
    outcome: str
    receipt: str
    sent_at: datetime | None
    confirmed_at: datetime | None
    reconciled_at: datetime | None
    updated_at: datetime

    @classmethod
    def from_model(cls, row: ExchangeRecord) -> Self:
        return cls.model_validate(
            {
                **{k: getattr(row, k) for k in cls.model_fields if hasattr(row, k)},
                "counterpart_label": COUNTERPART_LABELS.get(row.counterpart, row.counterpart),  # type: ignore[call-overload]
                "kind_label": KIND_LABELS.get(row.kind, row.kind),  # type: ignore[call-overload]
                "direction_label": DIRECTION_LABELS.get(row.direction, row.direction),  # type: ignore[call-overload]
                "status_label": STATUS_LABELS.get(row.status, row.status),  # type: ignore[call-overload]
            }
        )


class RecordPageOut(BaseModel):
    """One page of the exchange log."""

    records: list[RecordOut]
    total: int
    page: int
    pages: int

    @classmethod
    def from_page(cls, found: RecordPage) -> Self:
        return cls(
            records=[RecordOut.from_model(r) for r in found.records],
            total=found.total,
            page=found.page,
            pages=found.pages,
        )


class DifferenceOut(BaseModel):
    """One record a reconciliation found different."""

    local_id: str
    diff: str
    diff_label: str


class ReconciliationOut(BaseModel):
    """One day's reconciliation of one kind with one counterpart."""

    id: int
    counterpart: str
    counterpart_label: str
    day: date
    kind: str
    kind_label: str
    our_count: int
    their_count: int
    our_checksum: str
    their_checksum: str
    matched: bool
    differences: list[DifferenceOut]
    checked_at: datetime
    note: str

    @classmethod
    def from_model(cls, row: ExchangeReconciliation) -> Self:
        return cls(
            id=row.id,
            counterpart=row.counterpart,
            counterpart_label=COUNTERPART_LABELS.get(row.counterpart, row.counterpart),  # type: ignore[call-overload]
            day=row.day,
            kind=row.kind,
            kind_label=KIND_LABELS.get(row.kind, row.kind),  # type: ignore[call-overload]
            our_count=row.our_count,
            their_count=row.their_count,
            our_checksum=row.our_checksum,
            their_checksum=row.their_checksum,
            matched=row.matched,
            differences=[
                DifferenceOut(local_id=d.get("local_id", ""), diff=d["diff"], diff_label=DIFF_LABELS.get(d["diff"], ""))
                for d in row.differences
            ],
            checked_at=row.checked_at,
            note=row.note,
        )


class ResentOut(BaseModel):
    """How many records go out again."""

    resent: int
