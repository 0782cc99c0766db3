"""The audit log table and the head of its hash chain."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class AuditLog(Base):
    """One write or business event: who, from where, which action, which rows, and the values before and after.

    Rows are chained in id order (``core/audit/chain.py``): ``chain_hash`` is a keyed hash of the row's content
    and of the previous row's ``chain_hash`` (``prev_hash``), so an edited, inserted or deleted row breaks the
    chain from there on."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    actor_kind: Mapped[str] = mapped_column(String(12), comment="user / token / anonymous / system")
    ip: Mapped[str] = mapped_column(String(45), default="")
    action: Mapped[str] = mapped_column(String(64), index=True, comment="业务动作，如 case.accept")
    operation: Mapped[str] = mapped_column(String(8), comment="insert / update / delete / event / read")
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[str] = mapped_column(String(40), default="", index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    statement: Mapped[str | None] = mapped_column(
        Text, comment="SQL 语句（参数以占位符表示）；为空表示对象写入或业务事件"
    )
    row_keys: Mapped[list[str] | None] = mapped_column(JSON, comment="语句涉及的行主键")
    row_count: Mapped[int | None] = mapped_column(Integer, comment="语句影响的行数")
    prev_hash: Mapped[str] = mapped_column(String(64), default="", comment="前一条记录的链哈希")
    chain_hash: Mapped[str] = mapped_column(String(64), default="", comment="本条记录内容与前一条链哈希的带密钥哈希")


class AuditChain(Base):
    """The head of the audit hash chain (one row, id 1): the last chained row, and the anchor left where the
    retention job removed the oldest rows. Appending locks this row, so two transactions never fork the chain."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0, comment="链上最后一条审计记录的 id")
    last_hash: Mapped[str] = mapped_column(String(64), comment="链上最后一条审计记录的链哈希")
    anchor_id: Mapped[int] = mapped_column(Integer, default=0, comment="已按保存期限删除的最后一条记录的 id")
    anchor_hash: Mapped[str] = mapped_column(String(64), comment="已删除的最后一条记录的链哈希（起点）")
    anchor_at: Mapped[datetime | None] = mapped_column(DateTime, comment="已删除的最后一条记录的时间")
    mac: Mapped[str] = mapped_column(String(64), comment="以上各值的带密钥哈希（防止改动链头或起点）")
