"""Excel exports: case statistics (办件统计), for leaders who report upwards, and the staff case list with the filters
on screen (办件清单), for the centre's own reports."""

from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit.service import record_read
from core.cases import queries
from core.cases.enums import STATUS_LABELS, STEP_LABELS
from core.cases.models import Applicant, Case
from core.cases.schemas import StatsRow, StatsTotals, grand_total, totals_by_department
from core.clock import today
from core.items.models import ServiceItem
from core.org.models import Department, User

_HEADERS = ["部门", "月份", "收件数", "办结数", "按时办结数", "逾期数", "按时办结率"]


def _rate(on_time: int, concluded: int) -> str:
    return StatsTotals(on_time=on_time, concluded=concluded).on_time_rate


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def statistics_span(rows: list[StatsRow], date_from: date | None, date_to: date | None) -> str:
    """The period a statistics export covers, in real dates: an open start is the first day of the earliest month
    with figures, an open end is today (a title reading 开始 至 今 tells the reader nothing)."""
    end = _day(date_to or today())
    if date_from is None and rows:
        year, month = (int(part) for part in min(r.month for r in rows).split("-")[:2])
        date_from = date(year, month, 1)
    return f"{_day(date_from)} 至 {end}" if date_from else f"截至{end}"


def statistics_workbook(rows: list[StatsRow], title: str) -> bytes:
    """A workbook with the detail by department and month, and a sheet of totals by department."""
    book = Workbook()
    detail = book.active
    assert detail is not None
    detail.title = "按部门和月份"
    totals = book.create_sheet("按部门汇总")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for sheet, headers in ((detail, _HEADERS), (totals, [h for h in _HEADERS if h != "月份"])):
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font, cell.fill, cell.alignment = bold, fill, Alignment(horizontal="center")
        sheet.freeze_panes = "A3"
    for row in rows:
        detail.append(
            [
                row.department_name,
                row.month,
                row.received,
                row.concluded,
                row.on_time,
                row.overdue,
                _rate(row.on_time, row.concluded),
            ]
        )
    for name, sums in sorted(totals_by_department(rows).items()):
        totals.append([name, sums.received, sums.concluded, sums.on_time, sums.overdue, sums.on_time_rate])
    grand = grand_total(rows)
    totals.append(["合计", grand.received, grand.concluded, grand.on_time, grand.overdue, grand.on_time_rate])
    for cell in totals[totals.max_row]:
        cell.font = bold
    for sheet in (detail, totals):
        sheet.column_dimensions["A"].width = 40
        for column in range(2, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 13
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CASE_LIST_LIMIT = 50_000
"""At most this many cases in one export (newest first); the title says when the list was longer."""
_CASE_HEADERS = [
    "办件编号",
    "事项",
    "部门",
    "申请人",
    "状态",
    "当前环节",
    "申报时间",
    "受理时间",
    "承诺日期",
    "办结时间",
    "时限状态",
]


def case_list_workbook(rows: list[tuple[Any, ...]], title: str, conditions: str) -> bytes:
    """The case list as a workbook: a title, the filters it was made with, then one row per case."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "办件清单"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([conditions])
    sheet.append(_CASE_HEADERS)
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center")
    for no, item, department, applicant, status, step, submitted, accepted, due, concluded, state in rows:
        sheet.append(
            [
                no,
                item,
                department,
                applicant,
                STATUS_LABELS.get(status, status),
                STEP_LABELS.get(step, step),
                _minute(submitted),
                _minute(accepted),
                due.strftime("%Y-%m-%d") if due else "",
                _minute(concluded),
                state or "",
            ]
        )
    sheet.freeze_panes = "A4"
    for column, width in zip("ABCDEFGHIJK", (18, 36, 28, 20, 10, 10, 17, 17, 12, 17, 9), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _minute(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def case_list(
    db: Session, user: User, filters: dict[str, Any], *, limit: int = CASE_LIST_LIMIT
) -> tuple[list[tuple[Any, ...]], int]:
    """The rows of the list the user sees with ``filters`` (queries.filtered's), newest first, and how many there
    are in all; the export is recorded in the audit log (it carries applicants' names)."""
    columns = select(
        Case.case_no,
        ServiceItem.name,
        Department.name,
        Applicant.name,
        Case.status,
        Case.current_step,
        Case.submitted_at,
        Case.accepted_at,
        Case.due_at,
        Case.concluded_at,
        Case.time_state,
    ).select_from(Case)
    joined = (
        columns.join(ServiceItem, ServiceItem.id == Case.service_item_id)
        .join(Department, Department.id == Case.department_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
    )
    query = queries.filtered(joined, user, **filters)
    total = db.scalar(select(func.count()).select_from(queries.filtered(select(Case.id), user, **filters).subquery()))
    rows = [tuple(r) for r in db.execute(query.order_by(Case.submitted_at.desc(), Case.id.desc()).limit(limit))]
    conditions = {k: v for k, v in filters.items() if v}
    record_read(db, "case", "", action="case.export", details={"导出办件清单": len(rows), "筛选条件": conditions})
    return rows, int(total or 0)
