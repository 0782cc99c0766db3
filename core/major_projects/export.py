"""Excel export of the register and its statistics (4.8.2–3), for leaders who report upwards: the list of the
projects with the filters applied, then one sheet each by stage, category, department and month."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.major_projects.schemas import MajorProjectStats, MajorProjectStatsRow, MajorProjectSummary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LIST_HEADERS = [
    "项目编号",
    "项目名称",
    "类别",
    "阶段",
    "状态",
    "建设单位",
    "总投资（万元）",
    "牵头部门",
    "责任领导",
    "帮办专员",
    "计划开工",
    "计划竣工",
    "审批节点完成",
    "完成进度",
    "逾期节点",
]
STATS_HEADERS = ["项目数", "总投资（万元）", "审批节点", "已完成", "按时完成", "逾期未完成", "按时完成率", "达成里程碑"]
MONTH_HEADERS = ["新登记项目", "完成节点", "按时完成", "按时完成率", "达成里程碑"]


def _sheet(sheet: Worksheet, title: str, headers: list[str]) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(headers)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for cell in sheet[2]:
        cell.font, cell.fill, cell.alignment = Font(bold=True), fill, Alignment(horizontal="center")
    sheet.freeze_panes = "A3"


def _widths(sheet: Worksheet, first: int, rest: int = 12) -> None:
    sheet.column_dimensions["A"].width = first
    for column in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = rest


def _stats_line(row: MajorProjectStatsRow, *, investment: bool = True) -> list[Any]:
    return [
        row.label,
        row.projects,
        float(row.investment) if investment else "",
        row.nodes,
        row.nodes_done,
        row.done_on_time,
        row.overdue,
        row.on_time_rate,
        row.milestones_reached,
    ]


def workbook(projects: list[MajorProjectSummary], stats: MajorProjectStats, title: str) -> bytes:
    """The register and its statistics as one workbook."""
    book = Workbook()
    listing = book.active
    assert listing is not None
    listing.title = "项目清单"
    _sheet(listing, title, LIST_HEADERS)
    for p in projects:
        listing.append(
            [
                p.code,
                p.name,
                p.category_label,
                p.stage_label,
                p.status_label,
                p.enterprise_name,
                float(p.investment),
                p.lead_department.name,
                p.leader.name if p.leader else "",
                p.officer.name if p.officer else "",
                p.planned_start.isoformat() if p.planned_start else "",
                p.planned_finish.isoformat() if p.planned_finish else "",
                f"{p.nodes_done}/{p.nodes_total}",
                f"{p.progress_percent}%",
                p.overdue_nodes,
            ]
        )
    _widths(listing, 14)
    listing.column_dimensions["B"].width = 36
    for name, heading, rows in (
        ("按阶段", "项目阶段", stats.by_stage),
        ("按类别", "项目类别", stats.by_category),
        ("按部门", "部门", stats.by_department),
    ):
        sheet = book.create_sheet(name)
        _sheet(sheet, title, [heading, *STATS_HEADERS])
        for row in [*rows, stats.total]:
            # a department's row counts the projects it has nodes in; their investment is not the department's
            sheet.append(_stats_line(row, investment=name != "按部门" or row is stats.total))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        _widths(sheet, 40 if name == "按部门" else 16)
    months = book.create_sheet("按月份")
    _sheet(months, title, ["月份", *MONTH_HEADERS])
    for row in stats.by_month:
        months.append(
            [row.label, row.projects, row.nodes_done, row.done_on_time, row.on_time_rate, row.milestones_reached]
        )
    _widths(months, 14)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
