"""Precomputed figures (统计数据) behind the boards: counts per day, department and item, their sums per month, and a
snapshot of the cases open now. The boards read these small tables, never the case table, so that their numbers
answer in milliseconds with millions of cases (and, later, from the read replica).

The rows are derived data: core/figures/compute.py rebuilds any day of them from the cases and ratings, so they are
written with plain statements (no audit record per row, like the case number counters) and can be thrown away
and rebuilt whole (``tongban figures rebuild``).

The finest grain of the counts is department × item; beside it, the hall's per-window counts (FigureWindow) count
the cases by the window that registered them at the window or accepted them online (``Case.window``, core/cases).
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core import cache
from core.cases.models import Case
from core.db import Base
from core.guidance.models import GuidanceBooking


class _Counts:
    """The counted events of a day (or a month): each case counts on the day it happened to it."""

    registered: Mapped[int] = mapped_column(Integer, default=0, comment="收件（申报或窗口登记）")
    accepted: Mapped[int] = mapped_column(Integer, default=0, comment="受理")
    concluded: Mapped[int] = mapped_column(Integer, default=0, comment="办结")
    on_time: Mapped[int] = mapped_column(Integer, default=0, comment="按时办结（从未超过时限）")
    overdue: Mapped[int] = mapped_column(Integer, default=0, comment="当日超过时限的办件")
    rating_good: Mapped[int] = mapped_column(Integer, default=0, comment="好评（满意、非常满意）")
    rating_bad: Mapped[int] = mapped_column(Integer, default=0, comment="差评（不满意、非常不满意）")


class FigureDay(_Counts, Base):
    """One day's counts of one department's one item."""

    __tablename__ = "figure_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), primary_key=True)


class FigureMonth(_Counts, Base):
    """A month's counts of one department's one item: the sum of its days, kept so that a year's trend reads a few
    thousand rows rather than a few hundred thousand."""

    __tablename__ = "figure_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True, comment="月份的第一天")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), primary_key=True)


class FigureOpen(Base):
    """The cases open at the last refresh, per department and item: waiting for acceptance, in hand, and of those
    in hand how many are in warning or overdue (time_state)."""

    __tablename__ = "figure_open"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), primary_key=True)
    waiting: Mapped[int] = mapped_column(Integer, default=0, comment="待受理")
    in_hand: Mapped[int] = mapped_column(Integer, default=0, comment="办理中（含补正、特别程序）")
    warning: Mapped[int] = mapped_column(Integer, default=0, comment="办理中且临近时限")
    overdue: Mapped[int] = mapped_column(Integer, default=0, comment="办理中且已逾期")


class FigureRun(Base):
    """The last refresh (one row): what changed after ``changed_after`` is looked at by the next one."""

    __tablename__ = "figure_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), comment="refresh 增量 / rebuild 重建")
    changed_after: Mapped[datetime] = mapped_column(DateTime, comment="下次增量刷新查看此时间之后变化的办件和评价")
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    days: Mapped[int] = mapped_column(Integer, default=0, comment="本次重新计算的天数")


class FigurePush(Base):
    """审管衔接 at the last refresh: the pushes one approving department sent one supervising department, and what
    became of them (a board reads these few rows, not the pushes)."""

    __tablename__ = "figure_push"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True, comment="监管部门")
    approving_department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id"), primary_key=True, comment="审批部门"
    )
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    claimed: Mapped[int] = mapped_column(Integer, default=0)
    fed_back: Mapped[int] = mapped_column(Integer, default=0)
    escalated: Mapped[int] = mapped_column(Integer, default=0, comment="曾被催办")


class FigureFollowUp(Base):
    """Bad ratings' follow-up per department at the last refresh: waiting, waiting past the due time, answered."""

    __tablename__ = "figure_follow_up"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)


class FigureWindow(Base):
    """One day's cases of one department at one hall window (``Case.window``): registered, accepted and concluded
    on that day, each counted on the day it happened, as FigureDay counts them (core/figures/windows.py). Cases
    without a window (an online application not yet accepted) have no row; the hall's totals come from FigureDay."""

    __tablename__ = "figure_window"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    window: Mapped[str] = mapped_column(String(16), primary_key=True, comment="窗口号")
    registered: Mapped[int] = mapped_column(Integer, default=0, comment="收件（申报或窗口登记）")
    accepted: Mapped[int] = mapped_column(Integer, default=0, comment="受理")
    concluded: Mapped[int] = mapped_column(Integer, default=0, comment="办结")


BOARDS = "boards"
"""The cache namespace of the hall's answers (core/figures/service.py ``hall``): emptied when a case is concluded or a
booking changes, the live parts of the screen; the figures' own refresh is in the key."""
cache.watch(Case, BOARDS, lambda case: case.concluded_at is not None)
cache.watch(GuidanceBooking, BOARDS)
