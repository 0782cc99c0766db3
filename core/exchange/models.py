"""The exchange log: one row per (counterpart, record kind, local id, direction), its counterpart's state (paused,
cursors) and the daily reconciliations.

A record is rendered once into ``payload`` when it is written and sent byte for byte the same at every retry; a
change of the local record makes a new ``version`` (a new payload and checksum, back to 待发送). The counterpart
deduplicates on ``idempotency_key`` + version (sent as the ``Idempotency-Key`` header of every record), so a resend
never makes a second copy on its side.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_at_column, updated_at_column


class ExchangeRecord(Base):
    """One record exchanged (or to exchange) with one counterpart in one direction."""

    __tablename__ = "exchange_record"
    __table_args__ = (
        UniqueConstraint("counterpart", "kind", "local_id", "direction"),
        Index("ix_exchange_record_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_exchange_record_counterpart_status", "counterpart", "status"),
        Index("ix_exchange_record_counterpart_business_day", "counterpart", "business_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    counterpart: Mapped[str] = mapped_column(String(16), comment="对方平台编码，如 gov_service")
    kind: Mapped[str] = mapped_column(String(24), comment="记录类型，如 case / step / approval")
    local_id: Mapped[str] = mapped_column(String(64), comment="本方记录编号（接收的记录为对方编号）")
    direction: Mapped[str] = mapped_column(String(3), comment="out 上报 / in 接收")
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, comment="幂等键：对方据此去重")
    version: Mapped[int] = mapped_column(Integer, default=1, comment="本地记录变化一次加一")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="按对方字段生成的记录（重试原样发送）")
    checksum: Mapped[str] = mapped_column(String(64), comment="payload 的 SHA-256")
    business_day: Mapped[date] = mapped_column(Date, comment="记录变化的日期（对账按日）")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, comment="最早何时（再）发送")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, comment="发送中：租约到期时间")
    lease: Mapped[str] = mapped_column(String(32), default="", comment="持有租约的发送批次（写回结果时核对）")
    last_error: Mapped[str] = mapped_column(String(500), default="", comment="最近一次失败或隔离的原因（中文）")
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list, comment="接收记录逐字段校验的问题")
    outcome: Mapped[str] = mapped_column(String(300), default="", comment="接收记录的处理结果")
    receipt: Mapped[str] = mapped_column(String(128), default="", comment="对方回执编号")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reconciled_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class ExchangeCounterpartState(Base):
    """What the platform remembers of one counterpart: paused or not, where its feeds were read up to."""

    __tablename__ = "exchange_counterpart_state"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_by: Mapped[str] = mapped_column(String(50), default="")
    pause_reason: Mapped[str] = mapped_column(String(200), default="")
    cursors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, comment="各接收类型及回执读到的位置")
    last_batch_on: Mapped[date | None] = mapped_column(Date, comment="最近一次夜间批量的日期")
    last_reconciled_on: Mapped[date | None] = mapped_column(Date, comment="最近一次对账的业务日期")
    updated_at: Mapped[datetime] = updated_at_column()


class ExchangeReconciliation(Base):
    """One day's reconciliation of one record kind with one counterpart: counts and checksums on both sides and
    the records that differ."""

    __tablename__ = "exchange_reconciliation"
    __table_args__ = (UniqueConstraint("counterpart", "day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counterpart: Mapped[str] = mapped_column(String(16), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    our_count: Mapped[int] = mapped_column(Integer, default=0)
    their_count: Mapped[int] = mapped_column(Integer, default=0)
    our_checksum: Mapped[str] = mapped_column(String(64), default="")
    their_checksum: Mapped[str] = mapped_column(String(64), default="")
    matched: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    differences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, comment="不一致的记录")
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
