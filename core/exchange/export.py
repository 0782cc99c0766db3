"""行政审批数据中心: items, cases and projects in open formats — a ZIP holding each table as CSV (UTF-8 with BOM, so
Excel opens it) and JSON, a data dictionary (every field's short name, Chinese name, type, whether required) and a
manifest (what was exported, from when to when). Full, or incremental: only what changed since a given time.

Cases go in the provincial standard fields (the same rendering as the exchange, ID numbers masked); projects are the
major projects with their 投资项目代码. Each export is audited.
"""

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.cases.models import Case
from core.clock import now
from core.exchange.records import case_record, item_record
from core.exchange.service import require_manager
from core.exchange.standard import CASE_FIELDS, ITEM_FIELDS, Field, stamp
from core.files.service import FileContent
from core.items.models import ServiceItem
from core.major_projects.enums import STAGE_LABELS, STATUS_LABELS
from core.major_projects.models import MajorProject
from core.org.models import User

PROJECT_FIELDS = (
    Field("ZDXMBH", "重大项目编号", max_length=20),
    Field("XMDM", "项目代码", required=False, max_length=40),
    Field("XMMC", "项目名称"),
    Field("XMJD", "项目阶段", max_length=20),
    Field("GZZT", "跟踪状态", max_length=20),
    Field("JSDW", "建设单位", required=False),
    Field("ZTZ", "总投资（万元）", kind="int"),
    Field("QTBM", "牵头部门"),
    Field("BGSJ", "变更时间", kind="time"),
)
TABLES: dict[str, tuple[str, tuple[Field, ...]]] = {
    "items": ("事项", ITEM_FIELDS),
    "cases": ("办件", CASE_FIELDS),
    "projects": ("投资项目（重大项目）", PROJECT_FIELDS),
}
_TYPES = {"text": "文本", "int": "整数", "time": "时间（年-月-日 时:分:秒）", "code": "代码", "date": "日期"}


def dictionary() -> list[dict[str, str]]:
    """The data dictionary: one row per field of every table."""
    return [
        {
            "表": table,
            "表名": label,
            "字段": f.name,
            "中文名": f.label,
            "类型": _TYPES[f.kind],
            "必填": "是" if f.required else "否",
            "代码取值": "、".join(f.choices),
        }
        for table, (label, fields) in TABLES.items()
        for f in fields
    ]


def _project(project: MajorProject) -> dict[str, Any]:
    return {
        "ZDXMBH": project.code,
        "XMDM": project.project_code,
        "XMMC": project.name,
        "XMJD": STAGE_LABELS.get(project.stage, project.stage),
        "GZZT": STATUS_LABELS.get(project.status, project.status),
        "JSDW": project.enterprise_name,
        "ZTZ": int(project.investment),
        "QTBM": project.lead_department.name,
        "BGSJ": stamp(project.updated_at),
    }


def rows(db: Session, table: str, since: datetime | None) -> list[dict[str, Any]]:
    """One table's rows, changed since ``since`` when given."""
    if table == "items":
        query = select(ServiceItem).order_by(ServiceItem.id)
        if since is not None:
            query = query.where(ServiceItem.updated_at >= since)
        return [item_record(i).payload for i in db.scalars(query)]
    if table == "cases":
        out: list[dict[str, Any]] = []
        after = 0
        while True:
            query_c = select(Case).where(Case.id > after).order_by(Case.id).limit(1000)
            if since is not None:
                query_c = query_c.where(Case.updated_at >= since)
            chunk = list(db.scalars(query_c))
            if not chunk:
                return out
            out += [case_record(c).payload for c in chunk]
            after = chunk[-1].id
    query_p = select(MajorProject).order_by(MajorProject.id)
    if since is not None:
        query_p = query_p.where(MajorProject.updated_at >= since)
    return [_project(p) for p in db.scalars(query_p)]


def _csv(fields: tuple[Field, ...], records: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"{f.label}({f.name})" for f in fields])
    for record in records:
        writer.writerow(["" if record.get(f.name) is None else record.get(f.name) for f in fields])
    return ("\ufeff" + buffer.getvalue()).encode()


def export(db: Session, user: User | None, *, since: datetime | None = None) -> FileContent:
    """The ZIP for the data centre: every table as CSV and JSON, the dictionary, the manifest."""
    require_manager(user)
    until = now()
    archive = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for table, (_label, fields) in TABLES.items():
            records = rows(db, table, since)
            counts[table] = len(records)
            zipped.writestr(f"{table}.csv", _csv(fields, records))
            zipped.writestr(f"{table}.json", json.dumps(records, ensure_ascii=False, indent=1))
        entries = dictionary()
        zipped.writestr("data_dictionary.json", json.dumps(entries, ensure_ascii=False, indent=1))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(entries[0]))
        writer.writeheader()
        writer.writerows(entries)
        zipped.writestr("data_dictionary.csv", ("\ufeff" + buffer.getvalue()).encode())
        manifest = {
            "导出方式": "增量" if since else "全量",
            "变更时间起": stamp(since),
            "导出时间": stamp(until),
            "记录数": counts,
        }
        zipped.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    record_event(
        db,
        action="导出数据中心数据",
        entity="exchange_export",
        details={"方式": manifest["导出方式"], "记录数": counts},
    )
    kind = "incremental" if since else "full"
    return FileContent(f"data-center-{kind}-{until:%Y%m%d%H%M%S}.zip", "application/zip", archive.getvalue())
