"""Excel export of case statistics (办件统计), for leaders who report upwards."""

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.cases.schemas import StatsRow, StatsTotals, grand_total, totals_by_department
from core.clock import today

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
