"""一书三证在线监管系统: the four planning and construction documents (选址意见书, 建设用地规划许可证, 建设工程规划许可证,
建筑工程施工许可证) out when a case concludes with one; their supervision status back in, kept on the licence."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Case, Licence
from core.exchange.adapters.base import Adapter, Unusable
from core.exchange.records import Outgoing, licence_for, result_record
from core.exchange.standard import SUPERVISION_STATES

DOCUMENTS = ("选址意见书", "建设用地规划许可证", "建设工程规划许可证", "建筑工程施工许可证")


def is_four_certs(name: str) -> bool:
    """True for one of the four documents (by the result's name)."""
    return any(document in name for document in DOCUMENTS)


def for_case(db: Session, case: Case) -> list[Outgoing]:
    """The licence, when the case concluded with one of the four."""
    licence = licence_for(db, case)
    if licence is None or not (is_four_certs(licence.name) or is_four_certs(case.item.result_name)):
        return []
    record = result_record(case, licence, kind="licence")
    return [record] if record is not None else []


def apply(db: Session, kind: str, record: dict[str, Any]) -> str:
    """Supervision status of a licence we issued, kept with the licence."""
    licence = db.scalar(select(Licence).where(Licence.licence_no == record["ZZBH"]))
    if licence is None:
        raise Unusable(f"证照编号 {record['ZZBH']} 不是本平台核发的证照", field="ZZBH")
    state = SUPERVISION_STATES[str(record["JGZT"])]
    licence.details = {
        **(licence.details or {}),
        "监管状态": state,
        "监管部门": record["JGBM"],
        "监管时间": record["JGSJ"],
        "监管说明": record.get("JGSM", ""),
    }
    return f"证照 {licence.licence_no} 监管状态更新为“{state}”"


ADAPTER = Adapter(
    code="four_certs",
    sends=("licence",),
    receives=("supervision_status",),
    when="四类证书办结时实时上报；每晚批量补报；监管状态每 10 分钟拉取",
    for_case=for_case,
    apply=apply,
)
