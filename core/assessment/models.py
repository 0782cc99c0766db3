"""进度考核 (seed 4.10): schemes of weighted indicators, assessments of every department for a period, the
administrator's corrections and the departments' appeals.

An assessment is one *version* of one scheme's result for one period. It is computed as a draft, corrected by an
administrator while a draft (each correction a row), and published; a published version is never changed again
(``core/assessment/service.py`` refuses it and ``frozen`` below checks every flush): a correction after publishing,
or an accepted appeal, makes the next version, which is published in its turn. The history of a period is its
versions; the current result is the highest published version.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import Base, created_at_column, updated_at_column
from core.org.models import Department

DRAFT, PUBLISHED = "draft", "published"


class AssessmentScheme(Base):
    """考核方案: which indicators count, with which weights (adding up to 100), over which period."""

    __tablename__ = "assessment_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    period_kind: Mapped[str] = mapped_column(String(8), comment="month 月度 / quarter 季度")
    description: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    indicators: Mapped[list["SchemeIndicator"]] = relationship(
        order_by="(SchemeIndicator.position, SchemeIndicator.id)",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class SchemeIndicator(Base):
    """One indicator of a scheme and its weight (points out of 100)."""

    __tablename__ = "assessment_scheme_indicator"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_scheme.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), comment="指标编码（core/assessment/indicators.py）")
    weight: Mapped[int] = mapped_column(Integer, comment="权重（分），方案内合计 100")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Assessment(Base):
    """一期考核的一个版本: every department's scores for one period under one scheme."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("scheme_id", "period_start", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_scheme.id"), index=True)
    scheme_name: Mapped[str] = mapped_column(String(100), comment="计算时的方案名称")
    period_kind: Mapped[str] = mapped_column(String(8), comment="month / quarter")
    period_start: Mapped[date] = mapped_column(Date, index=True, comment="考核期第一天")
    period_end: Mapped[date] = mapped_column(Date, comment="考核期最后一天")
    period_label: Mapped[str] = mapped_column(String(20), comment="如 2026年11月、2026年第4季度")
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(
        String(10), index=True, active_history=True, comment="draft 待发布 / published 已发布（不可更改）"
    )
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), comment="修正前的已发布版本")
    weights: Mapped[dict[str, int]] = mapped_column(JSON, default=dict, comment="计算时各指标的权重")
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_by_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = created_at_column()

    results: Mapped[list["AssessmentResult"]] = relationship(
        order_by="AssessmentResult.id", lazy="selectin", cascade="all, delete-orphan", back_populates="assessment"
    )
    corrections: Mapped[list["AssessmentCorrection"]] = relationship(
        order_by="AssessmentCorrection.id", lazy="selectin", cascade="all, delete-orphan"
    )


class AssessmentResult(Base):
    """一个部门的考核结果: its weighted total (as computed and as corrected) and its place in the ranking."""

    __tablename__ = "assessment_result"
    __table_args__ = (UniqueConstraint("assessment_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    computed_total: Mapped[Decimal | None] = mapped_column(
        Numeric(6, 2), comment="按指标得分加权计算的总分；空为本期无考核数据"
    )
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), comment="最终总分（含修正）")
    total_corrected: Mapped[bool] = mapped_column(default=False, comment="总分经管理员修正")
    rank: Mapped[int | None] = mapped_column(Integer, comment="排名（同分同名次）；无考核数据不排名")

    assessment: Mapped[Assessment] = relationship(back_populates="results")
    department: Mapped[Department] = relationship(lazy="joined")
    scores: Mapped[list["AssessmentScore"]] = relationship(
        order_by="AssessmentScore.position", lazy="selectin", cascade="all, delete-orphan"
    )


class AssessmentScore(Base):
    """一个部门一项指标: what was measured (numerator / denominator, value), its 0–100 score and weight."""

    __tablename__ = "assessment_score"
    __table_args__ = (UniqueConstraint("result_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("assessment_result.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[int] = mapped_column(Integer)
    numerator: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0), comment="如按时办结件数")
    denominator: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0), comment="如办结件数；0 为不涉及")
    value: Mapped[Decimal | None] = mapped_column(Numeric(12, 4), comment="指标值（率、比值或件数）；空为不涉及")
    computed_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), comment="按规则换算的得分（0–100）")
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), comment="最终得分（含修正）")
    corrected: Mapped[bool] = mapped_column(default=False)


class AssessmentCorrection(Base):
    """审核修正: an administrator's change of one department's indicator score or total, with the reason.

    A new version copies the corrections of the version it corrects (``carried_from_id``), so that recomputing
    it applies them again; ``appeal_id`` names the appeal an accepted correction answers."""

    __tablename__ = "assessment_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    indicator: Mapped[str] = mapped_column(String(32), comment="指标编码；total 为修正总分")
    old_value: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    new_value: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    reason: Mapped[str] = mapped_column(Text)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_appeal.id"))
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_correction.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = created_at_column()

    department: Mapped[Department] = relationship(lazy="joined")


class AssessmentAppeal(Base):
    """申诉: a department disputes its published result; the administrator accepts (with a correction, which makes
    a new version) or rejects it, with reasons either way."""

    __tablename__ = "assessment_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True, comment="申诉的已发布版本")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(32), default="", comment="申诉的指标；空为总分或整体")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(10), index=True, comment="pending 待答复 / accepted 采纳 / rejected 不采纳"
    )
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_by_name: Mapped[str] = mapped_column(String(50), default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_by_name: Mapped[str] = mapped_column(String(50), default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    new_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), comment="采纳后生成的新版本")

    assessment: Mapped[Assessment] = relationship(foreign_keys=[assessment_id], lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")


# ---------------------------------------------------------------- a published version never changes


class FrozenResult(Exception):
    """A flush would change a published assessment (a programming error: the service never asks for it)."""


def _was_published(obj: Any) -> bool:
    """The status the row had before this flush's changes (``active_history`` keeps the old value when it is set)."""
    history = inspect(obj).attrs.status.history
    if history.deleted:
        return bool(history.deleted[0] == PUBLISHED)
    if history.unchanged:
        return bool(history.unchanged[0] == PUBLISHED)
    return not history.added and obj.status == PUBLISHED


def _assessment_of(session: Session, obj: Any) -> Assessment | None:
    if isinstance(obj, Assessment):
        return obj
    if isinstance(obj, AssessmentScore):
        obj = session.get(AssessmentResult, obj.result_id) if obj.result_id else None
    if isinstance(obj, AssessmentResult) and obj.assessment_id:
        return session.get(Assessment, obj.assessment_id)
    return None


@event.listens_for(Session, "before_flush")
def frozen(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuses any change to a published assessment's own row, results or scores, and their deletion."""
    kinds = Assessment | AssessmentResult | AssessmentScore
    changed = [o for o in session.dirty if isinstance(o, kinds) and session.is_modified(o)]
    changed += [o for o in session.deleted if isinstance(o, kinds)]
    for obj in changed:
        assessment = _assessment_of(session, obj)
        if assessment is not None and _was_published(assessment):
            raise FrozenResult(f"assessment {assessment.id} is published and cannot change")
