"""市政务服务平台: items in and out (事项信息比对), cases with their steps and results out in the provincial standard
fields, in real time on each case event and in the nightly batch."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.exchange.adapters.base import Adapter
from core.exchange.records import Outgoing, case_record, licence_for, result_record, step_record
from core.items.models import ServiceItem

COMPARED = {"SXMC": "事项名称", "FDSX": "法定时限", "CNSX": "承诺时限", "SXDW": "时限单位", "BJLX": "办件类型"}


def for_case(db: Session, case: Case) -> list[Outgoing]:
    """The case, each of its steps, and its result once it has ended."""
    out = [case_record(case)]
    out += [step_record(case, step) for step in case.steps]
    result = result_record(case, licence_for(db, case))
    if result is not None:
        out.append(result)
    return out


def apply(db: Session, kind: str, record: dict[str, Any]) -> str:
    """事项信息比对: a provincial item against ours — the outcome lists what differs, field by field."""
    item = db.scalar(select(ServiceItem).where(ServiceItem.code == record["SXBM"]))
    if item is None:
        return f"本方目录中没有事项编码为 {record['SXBM']} 的事项（{record['SXMC']}），请核对是否需要认领"
    ours = {
        "SXMC": item.name,
        "FDSX": str(item.statutory_limit),
        "CNSX": str(item.promised_limit),
        "SXDW": item.promised_unit,
        "BJLX": str(item.case_type),
    }
    different = [
        f"{label}（本方 {ours[k]}，对方 {record.get(k)}）"
        for k, label in COMPARED.items()
        if str(record.get(k)) != ours[k]
    ]
    return "信息不一致：" + "；".join(different) if different else "与本方事项信息一致"


ADAPTER = Adapter(
    code="gov_service",
    sends=("item", "case", "step", "result"),
    receives=("item",),
    when="办件受理、补正、办结时实时上报；每晚批量补报遗漏；事项变更随夜间批量上报",
    for_case=for_case,
    sends_items=True,
    apply=apply,
)
