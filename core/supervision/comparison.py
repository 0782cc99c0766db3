"""事项信息比对: our catalogue against the supervising side's or the city platform's item list (Excel).

The workbook's first sheet holds a header row (within its first ten rows, so a title line above it is
fine) naming at least the required columns, in any order; a few common alternative headings are accepted.
Items match by item code, and those left over by exact name. The report lists items only on our side,
only on theirs, and items on both whose fields differ, field by field; it is stored for later review.
A workbook that cannot be read, lacks columns or repeats a code is refused and nothing is stored.
"""

import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationFailed
from core.items.models import ServiceItem
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.supervision.models import ItemComparison, ItemComparisonRow

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
_XLSX_MAGIC = b"PK\x03\x04"

SOURCE_LABELS = {"supervision": "监管方事项清单", "city_platform": "市级平台事项清单"}
KIND_LABELS = {"only_ours": "仅我方有", "only_theirs": "仅对方有", "different": "信息不一致"}

REQUIRED_COLUMNS = ["事项编码", "事项名称", "实施部门", "承诺时限", "法定时限", "收费"]
OPTIONAL_COLUMNS = ["事项类型", "结果名称", "咨询电话", "办理地点"]
_ALIASES = {
    "事项编码": ("实施编码", "事项代码"),
    "实施部门": ("实施主体", "办理部门"),
    "承诺时限": ("承诺办结时限",),
    "法定时限": ("法定办结时限",),
    "收费": ("是否收费", "收费标准", "收费依据及标准"),
    "咨询电话": ("咨询方式",),
}
_HEADER_SCAN_ROWS = 10
_LIMIT = re.compile(r"^(\d+)(?:\.0+)?\s*(?:个)?\s*(工作日|自然日|小时)?$")
_FREE = {"不收费", "免费", "无", "0", "否"}


@dataclass
class TheirItem:
    """One row of the imported list."""

    row: int
    values: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The item code."""
        return self.values.get("事项编码", "")

    @property
    def name(self) -> str:
        """The item name."""
        return self.values.get("事项名称", "")


@dataclass
class Finding:
    """What a comparison found about one item."""

    kind: str
    code: str
    name: str
    matched_by: str = ""
    sheet_row: int | None = None
    service_item_id: int | None = None
    differences: list[dict[str, str]] = field(default_factory=list)


# ---------------------------------------------------------------- reading the workbook


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _heading(value: Any) -> str:
    return re.sub(r"[\s*＊]", "", _cell(value))


_HEADINGS: dict[str, str] = {c: c for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS} | {
    alias: canonical for canonical, aliases in _ALIASES.items() for alias in aliases
}


def _column_map(row: tuple[Any, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        column = _HEADINGS.get(_heading(value))
        if column and column not in found:
            found[column] = index
    return found


def check_file(filename: str, content: bytes) -> None:
    """Refuses anything but a real .xlsx workbook within the size limit."""
    name = filename or "未命名文件"
    if Path(name).suffix.lower() != ".xlsx":
        raise ValidationFailed(f"文件“{name}”不是 .xlsx 格式，请上传 Excel 2007 及以上版本的工作簿", code="upload_type")
    if not content:
        raise ValidationFailed(f"文件“{name}”是空文件，请重新选择", code="upload_empty")
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            f"文件“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB 的大小上限，请删去无关内容后再上传", code="upload_size"
        )
    if not content.startswith(_XLSX_MAGIC):
        raise ValidationFailed(
            f"文件“{name}”的内容不是真实的 .xlsx 工作簿，请用 Excel 另存为 .xlsx", code="upload_type"
        )


def read_items(content: bytes) -> tuple[str, list[TheirItem]]:
    """The first sheet's name and its item rows; a Chinese error naming what is wrong otherwise."""
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed("无法读取该工作簿，请确认是有效的 .xlsx 文件", code="import_rejected") from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        columns: dict[str, int] = {}
        header_row = 0
        best: dict[str, int] = {}
        for number, row in enumerate(rows, start=1):
            found = _column_map(row)
            if len(found) > len(best):
                best = found
            if "事项编码" in found or "事项名称" in found:
                columns, header_row = found, number
                break
            if number >= _HEADER_SCAN_ROWS:
                break
        missing = [c for c in REQUIRED_COLUMNS if c not in (columns or best)]
        if missing:
            raise ValidationFailed(
                f"工作簿缺少必需的列：{'、'.join(missing)}。表头应包含：{'、'.join(REQUIRED_COLUMNS)}"
                f"（可选：{'、'.join(OPTIONAL_COLUMNS)}），列的顺序不限",
                code="missing_columns",
            )
        items = _item_rows(rows, columns, header_row)
        return sheet.title, items
    finally:
        book.close()


def _item_rows(rows: Any, columns: dict[str, int], header_row: int) -> list[TheirItem]:
    items: list[TheirItem] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=header_row + 1):
        values = {name: _cell(row[index]) if index < len(row) else "" for name, index in columns.items()}
        if not any(values.values()):
            continue
        item = TheirItem(number, values)
        if not item.code and not item.name:
            raise ValidationFailed(f"第{number}行既没有事项编码也没有事项名称，请补全或删除该行", code="bad_row")
        if item.code:
            if item.code in seen:
                raise ValidationFailed(
                    f"第{number}行与第{seen[item.code]}行的事项编码相同（{item.code}），请去重后再导入", code="bad_row"
                )
            seen[item.code] = number
        items.append(item)
        if len(items) > MAX_ROWS:
            raise ValidationFailed(f"事项不能超过 {MAX_ROWS} 行，请分批比对", code="too_many_rows")
    if not items:
        raise ValidationFailed("工作簿中没有事项数据（表头下方为空）", code="empty_sheet")
    return items


# ---------------------------------------------------------------- comparing


def _limit_text(value: int, unit: str) -> str:
    return f"{value}个{unit}"


def _limits_differ(ours_value: int, ours_unit: str, theirs: str) -> bool:
    match = _LIMIT.match(theirs.replace(" ", ""))
    if match is None:
        return True
    number, unit = int(match.group(1)), match.group(2)
    return number != ours_value or (unit is not None and unit != ours_unit)


def _fee_key(value: str) -> str:
    text = re.sub(r"\s", "", value)
    return "不收费" if text in _FREE or text.startswith("不收费") else text


def _plain(value: str) -> str:
    return re.sub(r"\s", "", value)


def _phone(value: str) -> str:
    return re.sub(r"[\s\-－—()（）]", "", value)


def _differences(item: ServiceItem, theirs: TheirItem) -> list[dict[str, str]]:
    """Field-by-field differences between our item and theirs (only columns their sheet has)."""
    found: list[dict[str, str]] = []

    def differ(column: str, key: str, ours: str, same: bool) -> None:
        if column in theirs.values and not same:
            found.append({"field": key, "label": column, "ours": ours, "theirs": theirs.values[column]})

    t = theirs.values
    differ("事项编码", "code", item.code, _plain(item.code) == _plain(t.get("事项编码", "")))
    differ("事项名称", "name", item.name, _plain(item.name) == _plain(t.get("事项名称", "")))
    department = {_plain(item.department.name), _plain(item.department.short_name or item.department.name)}
    differ("实施部门", "department", item.department.name, _plain(t.get("实施部门", "")) in department)
    for column, key, value, unit in (
        ("承诺时限", "promised_limit", item.promised_limit, item.promised_unit),
        ("法定时限", "statutory_limit", item.statutory_limit, item.statutory_unit),
    ):
        differ(column, key, _limit_text(value, unit), not _limits_differ(value, unit, t.get(column, "")))
    differ("收费", "fee", item.fee, _fee_key(item.fee) == _fee_key(t.get("收费", "")))
    differ("事项类型", "item_type", item.item_type, _plain(item.item_type) == _plain(t.get("事项类型", "")))
    differ("结果名称", "result_name", item.result_name, _plain(item.result_name) == _plain(t.get("结果名称", "")))
    differ("咨询电话", "consult_phone", item.consult_phone, _phone(item.consult_phone) == _phone(t.get("咨询电话", "")))
    differ("办理地点", "location", item.location, _plain(item.location) == _plain(t.get("办理地点", "")))
    return found


def compare(ours: list[ServiceItem], theirs: list[TheirItem]) -> tuple[list[Finding], int]:
    """The findings (only ours, only theirs, different) and how many items matched."""
    by_code = {t.code: t for t in theirs if t.code}
    pairs: list[tuple[ServiceItem, TheirItem, str]] = []
    left_ours: list[ServiceItem] = []
    taken: set[int] = set()
    for item in ours:
        match = by_code.get(item.code)
        if match is not None:
            pairs.append((item, match, "code"))
            taken.add(match.row)
        else:
            left_ours.append(item)
    by_name: dict[str, list[TheirItem]] = {}
    for t in theirs:
        if t.row not in taken and t.name:
            by_name.setdefault(_plain(t.name), []).append(t)
    only_ours: list[ServiceItem] = []
    for item in left_ours:
        candidates = by_name.get(_plain(item.name))
        if candidates:
            match = candidates.pop(0)
            pairs.append((item, match, "name"))
            taken.add(match.row)
        else:
            only_ours.append(item)
    findings = [Finding("only_ours", i.code, i.name, service_item_id=i.id) for i in only_ours]
    findings += [Finding("only_theirs", t.code, t.name, sheet_row=t.row) for t in theirs if t.row not in taken]
    for item, match, how in sorted(pairs, key=lambda p: p[0].code):
        differences = _differences(item, match)
        if differences:
            findings.append(Finding("different", item.code, item.name, how, match.row, item.id, differences))
    return findings, len(pairs)


# ---------------------------------------------------------------- storing and reading reports


def run(db: Session, user: User | None, *, filename: str, content: bytes, source: str) -> ItemComparison:
    """Checks, reads and compares an uploaded list with the published catalogue and stores the report."""
    admin = org_service.require(user, Permission.SUPERVISION_MANAGE)
    if source not in SOURCE_LABELS:
        raise ValidationFailed("来源应为 supervision（监管方）或 city_platform（市级平台）", field="source")
    check_file(filename, content)
    sheet_name, theirs = read_items(content)
    ours = list(db.scalars(select(ServiceItem).where(ServiceItem.is_published.is_(True)).order_by(ServiceItem.code)))
    findings, matched = compare(ours, theirs)
    comparison = ItemComparison(
        source=source,
        file_name=Path(filename).name[:255],
        sheet_name=sheet_name[:100],
        their_count=len(theirs),
        our_count=len(ours),
        matched=matched,
        only_ours=sum(f.kind == "only_ours" for f in findings),
        only_theirs=sum(f.kind == "only_theirs" for f in findings),
        differing=sum(f.kind == "different" for f in findings),
        uploaded_by_id=admin.id,
        uploaded_by_name=admin.name,
        rows=[
            ItemComparisonRow(
                kind=f.kind,
                code=f.code[:64],
                name=f.name[:200],
                matched_by=f.matched_by,
                sheet_row=f.sheet_row,
                service_item_id=f.service_item_id,
                differences=f.differences,
            )
            for f in findings
        ],
    )
    db.add(comparison)
    db.flush()
    return comparison


def list_comparisons(db: Session, user: User | None) -> list[ItemComparison]:
    """Stored comparisons, newest first (supervision.manage)."""
    org_service.require(user, Permission.SUPERVISION_MANAGE)
    return list(db.scalars(select(ItemComparison).order_by(ItemComparison.id.desc()).limit(200)))


def get_for(db: Session, user: User | None, comparison_id: int) -> ItemComparison:
    """A stored comparison with its findings (supervision.manage) or NotFound."""
    org_service.require(user, Permission.SUPERVISION_MANAGE)
    comparison = db.get(ItemComparison, comparison_id)
    if comparison is None:
        raise NotFound("比对报告不存在")
    return comparison
