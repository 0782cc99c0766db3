"""城管户外广告审批平台: outdoor-advertising applications in (kept for the window to register, linked to our case when
they name it), and our results on outdoor-advertising cases out."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.exchange.adapters.base import Adapter, Unusable
from core.exchange.records import Outgoing
from core.exchange.standard import AD_TYPES, stamp


def is_outdoor_ad(case: Case) -> bool:
    """An outdoor-advertising item (户外广告设置的审批 …)."""
    return "户外广告" in case.item.name


def for_case(db: Session, case: Case) -> list[Outgoing]:
    """The result of an outdoor-advertising case, once it has ended."""
    if not is_outdoor_ad(case) or case.conclusion_result is None or case.concluded_at is None:
        return []
    payload = {
        "SQBH": case.case_no,
        "SBLSH": case.case_no,
        "SPJG": str(case.conclusion_result),
        "BJYY": case.conclusion_reason,
        "BJSJ": stamp(case.concluded_at),
    }
    return [Outgoing("ad_result", case.case_no, {k: v for k, v in payload.items() if v}, case.concluded_at.date())]


def apply(db: Session, kind: str, record: dict[str, Any]) -> str:
    """An application made on the city's platform: kept, and tied to our case when it names one."""
    ad_type = AD_TYPES[str(record["GGLX"])]
    case_no = str(record.get("SBLSH") or "")
    if case_no:
        case = db.scalar(select(Case).where(Case.case_no == case_no))
        if case is None:
            raise Unusable(f"申请所称的本方申办流水号 {case_no} 不存在", field="SBLSH")
        return f"{ad_type}申请 {record['SQBH']} 已关联本方办件 {case_no}"
    return f"{ad_type}申请 {record['SQBH']}（{record['SZDD']}）已接收，待窗口登记"


ADAPTER = Adapter(
    code="outdoor_ads",
    sends=("ad_result",),
    receives=("ad_application",),
    when="户外广告办件办结时实时上报；每晚批量补报；申请每 10 分钟拉取",
    for_case=for_case,
    apply=apply,
)
