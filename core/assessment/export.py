"""The ranking of one assessment version as an Excel workbook: one row per department, each indicator's value and
score, the total and the place; a second sheet explains the indicators."""

from io import BytesIO
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.assessment.indicators import INDICATORS
from core.assessment.models import PUBLISHED, Assessment, AssessmentResult


def _n(value: object) -> float | None:
    return None if value is None else float(str(value))


def workbook(assessment: Assessment, results: list[AssessmentResult]) -> bytes:
    """The ranking (the results given, in their order) and the indicators' definitions."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "考核排名"
    status = "已发布" if assessment.status == PUBLISHED else "待发布"
    sheet["A1"] = f"{assessment.scheme_name} · {assessment.period_label} · 第{assessment.version}版（{status}）"
    sheet["A1"].font = Font(bold=True, size=13)
    codes = list(assessment.weights)
    header = ["排名", "部门"]
    for code in codes:
        header += [f"{INDICATORS[code].name}（权重{assessment.weights[code]}）", "得分"]
    header += ["总分", "是否修正"]
    sheet.append([])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for result in results:
        row: list[object] = [result.rank if result.rank is not None else "不排名", result.department.name]
        by_code = {s.indicator: s for s in result.scores}
        for code in codes:
            score = by_code.get(code)
            row += [INDICATORS[code].shown(score.value) if score else "", _n(score.score) if score else None]
        corrected = result.total_corrected or any(s.corrected for s in result.scores)
        row += [_n(result.total) if result.total is not None else "无考核数据", "是" if corrected else ""]
        sheet.append(row)
    for column in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14 if column > 2 else (8 if column == 1 else 24)
    notes = book.create_sheet("指标说明")
    notes.append(["指标", "权重", "计算方法", "方向", "计分方法"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for code in codes:
        i = INDICATORS[code]
        notes.append([i.name, assessment.weights[code], i.definition, i.direction, i.scoring_text])
    for letter, width in zip("ABCDE", (18, 8, 80, 10, 50), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(assessment: Assessment) -> str:
    """考核排名-2026年11月-第1版.xlsx, quoted for the Content-Disposition header."""
    return quote(f"考核排名-{assessment.period_label}-第{assessment.version}版.xlsx")
