"""Bulk import and export of FAQs, laws and glossary terms as Excel workbooks (openpyxl).

An import is all or nothing: every row is checked first and any error rejects the whole file with a
row-by-row report in Chinese. Rows equal to the live entry are skipped, so re-importing an export
changes nothing; the others become drafts submitted for review (the review rule still holds).
"""

from datetime import date, datetime
from io import BytesIO
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import AppError, ValidationFailed
from core.items.models import ServiceItem
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from knowledge import service, workflow
from knowledge.models import LEGAL_STATUSES, Law

MAX_REPORTED = 50
SEPARATOR = "；"

COLUMNS: dict[str, list[str]] = {
    "faq": ["编号", "关联事项", "问题", "答案", "关键词", "其他问法"],
    "glossary": ["编号", "词条", "解释", "同义词"],
    "law": [
        "编号",
        "文号",
        "发布机关",
        "名称",
        "类别",
        "发布日期",
        "施行日期",
        "排序",
        "效力状态",
        "修改日期",
        "废止日期",
        "替代法规",
    ],
    "law_article": ["法规名称", "条号", "条文内容", "摘要"],
}
LATER_COLUMNS = {"law": 4, "law_article": 1}
"""Trailing columns added since the first template: a file without them is still read (a law then keeps its
standing, an article counts as full text)."""
STATUS_BY_LABEL = {label: key for key, label in LEGAL_STATUSES.items()}
SHEETS = {"faq": "咨询问答", "glossary": "政务百科", "law": "法律法规", "law_article": "条文"}


def _split(value: Any) -> list[str]:
    text = str(value or "").replace("\n", SEPARATOR).replace(";", SEPARATOR)
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _sheet(book: Workbook, kind: str, first: bool) -> Any:
    sheet = book.active if first else book.create_sheet()
    sheet.title = SHEETS[kind]
    sheet.append(COLUMNS[kind])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return sheet


def export_workbook(db: Session, kind: str) -> bytes:
    """The published entries of a kind as a workbook that ``import_workbook`` reads back."""
    book = Workbook()
    items = {i.id: i.name for i in db.scalars(select(ServiceItem))}
    if kind == "faq":
        sheet = _sheet(book, "faq", True)
        for f in service.list_faqs(db=db):
            sheet.append(
                [
                    f.id,
                    items.get(f.service_item_id or 0, ""),
                    f.question,
                    f.answer,
                    SEPARATOR.join(f.keywords),
                    SEPARATOR.join(f.alternatives),
                ]
            )
    elif kind == "glossary":
        sheet = _sheet(book, "glossary", True)
        for t in sorted(service.list_glossary(db=db), key=lambda term: term.id):
            sheet.append([t.id, t.term, t.explanation, SEPARATOR.join(t.synonyms)])
    elif kind == "law":
        laws, articles = _sheet(book, "law", True), _sheet(book, "law_article", False)
        titles = {law.id: law.title for law in db.scalars(select(Law))}
        for law in service.list_laws(db=db):
            laws.append(
                [
                    law.id,
                    law.doc_no,
                    law.issuer,
                    law.title,
                    law.category,
                    _text(law.published_on),
                    _text(law.effective_on),
                    law.sort_order,
                    LEGAL_STATUSES.get(law.legal_status, ""),
                    _text(law.amended_on),
                    _text(law.repealed_on),
                    titles.get(law.replaced_by_id or 0, ""),
                ]
            )
            for article in law.articles:
                articles.append([law.title, article.number, article.text, "是" if article.summary else ""])
    else:
        raise ValidationFailed("只能导出咨询问答（faq）、法律法规（law）和政务百科（glossary）", field="kind")
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Report:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        self.errors.append(f"“{sheet}”第{row}行【{column}】：{message}")

    def raise_if_any(self) -> None:
        if self.errors:
            shown = self.errors[:MAX_REPORTED]
            more = f"（另有 {len(self.errors) - MAX_REPORTED} 处错误未列出）" if len(self.errors) > MAX_REPORTED else ""
            raise ValidationFailed(
                f"导入失败，文件中有 {len(self.errors)} 处错误，未导入任何内容：\n" + "\n".join(shown) + more,
                code="import_rejected",
            )


def _rows(book: Any, kind: str, report: _Report) -> list[tuple[int, dict[str, Any]]]:
    name = SHEETS[kind]
    if name not in book.sheetnames:
        report.add(name, 1, "工作表", f"找不到名为“{name}”的工作表，请使用导出的模板")
        return []
    sheet = book[name]
    header = [_text(c.value) for c in sheet[1]]
    expected = COLUMNS[kind]
    earlier = expected[: len(expected) - LATER_COLUMNS.get(kind, 0)]
    if header[: len(expected)] != expected and header[: len(earlier)] != earlier:
        report.add(name, 1, "表头", f"表头应为：{'、'.join(expected)}")
        return []
    columns = expected if header[: len(expected)] == expected else earlier
    out = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        row = dict(zip(columns, values, strict=False))
        if any(_text(v) for v in row.values()):
            out.append((number, row))
    return out


def _entity_id(value: Any, sheet: str, number: int, report: _Report) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit():
        report.add(sheet, number, "编号", "编号应为数字（新增的行留空）")
        return None
    return int(text)


def _parse(db: Session, kind: str, book: Any, report: _Report) -> list[tuple[int | None, dict[str, Any]]]:
    items = {i.name: i.id for i in db.scalars(select(ServiceItem))}
    parsed: list[tuple[int | None, dict[str, Any], str, int]] = []
    data: dict[str, Any]
    if kind == "faq":
        for number, row in _rows(book, "faq", report):
            item_name = _text(row["关联事项"])
            if item_name and item_name not in items:
                report.add(SHEETS[kind], number, "关联事项", f"事项“{item_name}”不存在")
            data = {
                "service_item_id": items.get(item_name),
                "question": _text(row["问题"]),
                "answer": _text(row["答案"]),
                "keywords": _split(row["关键词"]),
                "alternatives": _split(row["其他问法"]),
            }
            parsed.append((_entity_id(row["编号"], SHEETS[kind], number, report), data, SHEETS[kind], number))
    elif kind == "glossary":
        for number, row in _rows(book, "glossary", report):
            data = {"term": _text(row["词条"]), "explanation": _text(row["解释"]), "synonyms": _split(row["同义词"])}
            parsed.append((_entity_id(row["编号"], SHEETS[kind], number, report), data, SHEETS[kind], number))
    elif kind == "law":
        articles: dict[str, list[dict[str, Any]]] = {}
        for _number, row in _rows(book, "law_article", report):
            articles.setdefault(_text(row["法规名称"]), []).append(
                {
                    "number": _text(row["条号"]),
                    "text": _text(row["条文内容"]),
                    "summary": _text(row.get("摘要")) == "是",
                }
            )
        titles = set()
        for number, row in _rows(book, "law", report):
            title = _text(row["名称"])
            titles.add(title)
            order = _text(row["排序"]) or "0"
            entity_id = _entity_id(row["编号"], SHEETS[kind], number, report)
            data = {
                "doc_no": _text(row["文号"]),
                "issuer": _text(row["发布机关"]),
                "title": title,
                "category": _text(row["类别"]),
                "published_on": _text(row["发布日期"]) or None,
                "effective_on": _text(row["施行日期"]) or None,
                "sort_order": int(order) if order.lstrip("-").isdigit() else 0,
                "articles": articles.get(title, []),
                **_standing(db, row, entity_id, number, report),
            }
            parsed.append((entity_id, data, SHEETS[kind], number))
        for title in set(articles) - titles:
            report.add(SHEETS["law_article"], 0, "法规名称", f"条文所属的“{title}”不在“法律法规”工作表中")
    else:
        raise ValidationFailed("只能导入咨询问答（faq）、法律法规（law）和政务百科（glossary）", field="kind")
    key_column = {"faq": "question", "glossary": "term", "law": "title"}[kind]
    seen: dict[str, int] = {}
    out = []
    for entity_id, data, sheet, number in parsed:
        key = str(data[key_column])
        if key in seen:
            report.add(
                sheet, number, {"faq": "问题", "glossary": "词条", "law": "名称"}[kind], f"与第{seen[key]}行重复"
            )
        seen.setdefault(key, number)
        try:
            clean = workflow.validate(kind, data)
            if entity_id is not None:
                workflow.get_entity(db, kind, entity_id)
            workflow.check_unique(db, kind, clean, entity_id)
        except AppError as error:
            report.add(sheet, number, error.field or "内容", error.message)
            continue
        out.append((entity_id, clean))
    return out


def _standing(db: Session, row: dict[str, Any], entity_id: int | None, number: int, report: _Report) -> dict[str, Any]:
    """A law row's status, dates and replacement; a row that leaves the status empty (or a file without those
    columns) keeps what the law has."""
    label = _text(row.get("效力状态"))
    current = db.get(Law, entity_id) if entity_id is not None else None
    if not label and current is not None:
        return {
            "legal_status": current.legal_status,
            "amended_on": _text(current.amended_on) or None,
            "repealed_on": _text(current.repealed_on) or None,
            "replaced_by_id": current.replaced_by_id,
        }
    status = STATUS_BY_LABEL.get(label or LEGAL_STATUSES["in_force"])
    if status is None:
        report.add(SHEETS["law"], number, "效力状态", f"应为：{'、'.join(LEGAL_STATUSES.values())}")
    replaced_by = _text(row.get("替代法规"))
    replaced_by_id = db.scalar(select(Law.id).where(Law.title == replaced_by)) if replaced_by else None
    if replaced_by and replaced_by_id is None:
        report.add(SHEETS["law"], number, "替代法规", f"“{replaced_by}”不是已收录的法规名称")
    return {
        "legal_status": status or "in_force",
        "amended_on": _text(row.get("修改日期")) or None,
        "repealed_on": _text(row.get("废止日期")) or None,
        "replaced_by_id": replaced_by_id,
    }


def _unchanged(db: Session, kind: str, entity_id: int | None, data: dict[str, Any]) -> bool:
    if entity_id is None:
        return False
    current = workflow.current_data(db, kind, entity_id)
    return current == data


def import_workbook(db: Session, user: User | None, kind: str, content: bytes) -> int:
    """Checks every row, then turns changed rows into drafts submitted for review; returns how many."""
    importer = org_service.require(user, Permission.KNOWLEDGE_EDIT)
    try:
        book = load_workbook(BytesIO(content), read_only=False, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed("无法读取该文件，请上传由本系统导出的 .xlsx 文件", code="import_rejected") from exc
    report = _Report()
    rows = _parse(db, kind, book, report)
    report.raise_if_any()
    created = 0
    for entity_id, data in rows:
        if _unchanged(db, kind, entity_id, data):
            continue
        revision = workflow.create_draft(db, importer, kind, data, entity_id)
        workflow.submit(db, importer, revision)
        created += 1
    return created
