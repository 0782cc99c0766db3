"""投资建设一网通办平台: projects by 项目代码, approvals and their results both ways. Out: each approval case of a
major project that has a project code, in real time and in the nightly batch. In: approvals handled in the city
system fill the major project's node (core/major_projects/external.py)."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.cases.models import Case
from core.exchange.adapters.base import Adapter, Unusable
from core.exchange.records import Outgoing, licence_for
from core.exchange.standard import TIME_FORMAT, stamp
from core.major_projects.external import CityApproval, NoNode, fill_from_city
from core.major_projects.models import MajorProject


def for_case(db: Session, case: Case) -> list[Outgoing]:
    """The approval of a case registered for a major project with a project code."""
    if case.major_project_id is None or case.accepted_at is None:
        return []
    project = db.get(MajorProject, case.major_project_id)
    if project is None or not project.project_code:
        return []
    licence = licence_for(db, case)
    payload: dict[str, Any] = {
        "XMDM": project.project_code,
        "XMMC": project.name,
        "SPSXBM": case.item.code,
        "SPSXMC": case.item.name,
        "SPBM": case.department.name,
        "SLSJ": stamp(case.accepted_at),
        "BJSJ": stamp(case.concluded_at),
        "SPJG": None if case.conclusion_result is None else str(case.conclusion_result),
        "PFWH": licence.licence_no if licence else None,
    }
    day = (case.concluded_at or case.accepted_at).date()
    return [Outgoing("approval", case.case_no, {k: v for k, v in payload.items() if v not in (None, "")}, day)]


def _time(value: Any) -> datetime | None:
    return datetime.strptime(str(value), TIME_FORMAT) if value not in (None, "") else None


def apply(db: Session, kind: str, record: dict[str, Any]) -> str:
    """An approval done in the city system fills the major project's node."""
    accepted = _time(record["SLSJ"])
    assert accepted is not None  # a required field, checked before
    approval = CityApproval(
        project_code=record["XMDM"],
        approval_code=record["SPSXBM"],
        approval_name=record["SPSXMC"],
        accepted_at=accepted,
        concluded_at=_time(record.get("BJSJ")),
        result=None if record.get("SPJG") in (None, "") else str(record["SPJG"]),
        document_no=str(record.get("PFWH") or ""),
    )
    try:
        node = fill_from_city(db, approval)
    except NoNode as exc:
        raise Unusable(str(exc), field="XMDM") from exc
    return f"已填入重大项目节点“{node.name}”（{(node.state == 'done' and '已完成') or '办理中'}）"


ADAPTER = Adapter(
    code="investment",
    sends=("approval",),
    receives=("approval",),
    when="重大项目审批办件受理、办结时实时上报；每晚批量补报；市级审批每 10 分钟拉取",
    for_case=for_case,
    apply=apply,
)
