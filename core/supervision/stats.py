"""统计分析: pushes made, claimed, fed back and overdue — by supervising department, by item and by month.

"Overdue" counts a push once if it was ever escalated or is waiting past its threshold now. The same
figures feed the page, the API and the Excel export.
"""

from collections.abc import Callable
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import ValidationFailed
from core.org.models import User
from core.settings import get_settings
from core.supervision.escalation import is_overdue
from core.supervision.models import SupervisionEscalation, SupervisionPush
from core.supervision.schemas import StatsOut, StatsRow
from core.supervision.service import in_period, require_reader, scoped, sees_all

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # the export's media type


def _add(row: StatsRow, push: SupervisionPush, overdue: bool) -> None:
    row.pushed += 1
    row.claimed += push.claimed_at is not None
    row.fed_back += push.fed_back_at is not None
    row.overdue += overdue


def statistics(
    db: Session,
    user: User | None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    department_id: int | None = None,
) -> StatsOut:
    """The figures for pushes made between two days (both included) that the user reaches."""
    reader = require_reader(user)
    if department_id and not sees_all(reader) and department_id != reader.department_id:
        raise ValidationFailed("只能统计本部门收到的推送", field="department_id")
    query = in_period(scoped(select(SupervisionPush), reader), date_from=date_from, date_to=date_to)
    if department_id:
        query = query.where(SupervisionPush.department_id == department_id)
    pushes = list(db.scalars(query.order_by(SupervisionPush.pushed_at)))
    escalated = set(db.scalars(select(SupervisionEscalation.push_id).distinct()))
    at = now()
    total = StatsRow(key="total", label="合计")
    groups: dict[str, dict[str, StatsRow]] = {"department": {}, "item": {}, "month": {}}
    keys: dict[str, Callable[[SupervisionPush], tuple[str, str]]] = {
        "department": lambda p: (str(p.department_id), p.department.name),
        "item": lambda p: (str(p.service_item_id), p.item.name),
        "month": lambda p: (f"{p.pushed_at:%Y-%m}", f"{p.pushed_at:%Y年%m月}"),
    }
    for push in pushes:
        overdue = push.id in escalated or is_overdue(push, at)
        _add(total, push, overdue)
        for group, key_of in keys.items():
            key, label = key_of(push)
            _add(groups[group].setdefault(key, StatsRow(key=key, label=label)), push, overdue)
    by_pushed = sorted(groups["department"].values(), key=lambda r: (-r.pushed, r.label))
    by_item = sorted(groups["item"].values(), key=lambda r: (-r.pushed, r.label))
    by_month = sorted(groups["month"].values(), key=lambda r: r.key)
    return StatsOut(
        date_from=date_from,
        date_to=date_to,
        total=total,
        by_department=by_pushed,
        by_item=by_item,
        by_month=by_month,
    )


_HEADERS = ["推送数", "已认领", "已反馈", "逾期", "认领率", "反馈率"]


def workbook(stats: StatsOut, title: str) -> bytes:
    """The statistics as a workbook: one sheet each by department, by item and by month, with totals."""
    book = Workbook()
    first = book.active
    assert first is not None
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    sheets = (
        ("按监管部门", "监管部门", stats.by_department),
        ("按事项", "事项", stats.by_item),
        ("按月份", "月份", stats.by_month),
    )
    for index, (name, heading, rows) in enumerate(sheets):
        sheet = first if index == 0 else book.create_sheet()
        sheet.title = name
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([heading, *_HEADERS])
        for cell in sheet[2]:
            cell.font, cell.fill, cell.alignment = bold, fill, Alignment(horizontal="center")
        for row in [*rows, stats.total]:
            sheet.append(
                [row.label, row.pushed, row.claimed, row.fed_back, row.overdue, row.claim_rate, row.feedback_rate]
            )
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.freeze_panes = "A3"
        sheet.column_dimensions["A"].width = 44
        for column in range(2, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 11
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_title(date_from: date | None, date_to: date | None) -> str:
    """The title line of the export."""
    return f"{get_settings().centre_name} 审管衔接统计（{date_from or '开始'} 至 {date_to or '今'}）"
