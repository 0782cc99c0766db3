"""Local records rendered into the counterparts' fields (core/exchange/standard.py), once, when they are staged.

Each builder returns an :class:`Outgoing`: the kind, the local id the counterpart files it under, the payload and the
business day it belongs to (the day of the change it reports; the daily reconciliation counts by it). Local codes are
translated into the counterpart's through its ``code_maps`` (settings): data, not code.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.enums import STATUS_LABELS, STEP_LABELS
from core.cases.models import Case, CaseStep, Licence
from core.exchange.standard import stamp
from core.items.models import ServiceItem
from core.security import mask_id_number


@dataclass(frozen=True)
class Outgoing:
    """One record to stage for one counterpart."""

    kind: str
    local_id: str
    payload: dict[str, Any]
    day: date


CodeMaps = Mapping[str, Mapping[str, str]]


def mapped(payload: dict[str, Any], code_maps: CodeMaps) -> dict[str, Any]:
    """The payload with local codes replaced by the counterpart's, field by field (unmapped values stay)."""
    if not code_maps:
        return payload
    out = dict(payload)
    for name, table in code_maps.items():
        value = out.get(name)
        if isinstance(value, str) and value in table:
            out[name] = table[value]
    return out


def _day(case: Case) -> date:
    return (case.updated_at or case.submitted_at).date()


def case_record(case: Case) -> Outgoing:
    """办件基本信息: the case as it stands now."""
    applicant = case.applicant
    payload = {
        "SBLSH": case.case_no,
        "SXBM": case.item.code,
        "SXMC": case.item.name,
        "SSBMBM": case.department.code,
        "SSBMMC": case.department.name,
        "BJLX": str(case.case_type),
        "SBFS": str(case.submit_channel),
        "SQRLX": "2" if applicant.kind == "enterprise" else "1",
        "SQRMC": applicant.name,
        "SQRZJHM": mask_id_number(applicant.id_number or ""),
        "XMMC": case.project_name,
        "SBSJ": stamp(case.submitted_at),
        "SLSJ": stamp(case.accepted_at),
        "CNBJSX": case.promised_limit,
        "SXDW": case.limit_unit,
        "BLZT": STATUS_LABELS.get(case.status, case.status),
        "YJBJSJ": stamp(case.due_at),
        "BJSJ": stamp(case.concluded_at),
        "BJJG": None if case.conclusion_result is None else str(case.conclusion_result),
        "BJYY": case.conclusion_reason,
        "BGSJ": stamp(case.updated_at or case.submitted_at),
    }
    return Outgoing("case", case.case_no, {k: v for k, v in payload.items() if v not in (None, "")}, _day(case))


def step_record(case: Case, step: CaseStep) -> Outgoing:
    """办理环节: one step; a step never changes once written, so it goes once."""
    payload = {
        "SBLSH": case.case_no,
        "HJXH": step.id,
        "HJMC": STEP_LABELS.get(step.step, step.step),
        "BLDZ": step.action[:20],
        "BLJG": None if step.result_code is None else str(step.result_code),
        "BLYJ": step.opinion if step.opinion_public else "",
        "BLR": step.handler_name or "系统",
        "BLBM": step.department_name,
        "BLSJ": stamp(step.created_at),
    }
    day = step.created_at.date() if step.created_at else _day(case)
    return Outgoing("step", f"{case.case_no}-{step.id}", {k: v for k, v in payload.items() if v not in (None, "")}, day)


def result_record(case: Case, licence: Licence | None, *, kind: str = "result") -> Outgoing | None:
    """办理结果: the conclusion (and the licence issued with it); ``None`` while the case has not ended."""
    if case.conclusion_result is None or case.concluded_at is None:
        return None
    payload: dict[str, Any] = {
        "SBLSH": case.case_no,
        "SXBM": case.item.code,
        "BJJG": str(case.conclusion_result),
        "BJYY": case.conclusion_reason,
        "BJSJ": stamp(case.concluded_at),
        "JGMC": case.item.result_name,
    }
    if licence is not None:
        payload |= {
            "ZZBH": licence.licence_no,
            "ZZMC": licence.name,
            "YXQZ": stamp(licence.valid_until),
            "FZJG": case.department.name,
        }
    local_id = case.case_no if kind == "result" else (licence.licence_no if licence else case.case_no)
    return Outgoing(kind, local_id, {k: v for k, v in payload.items() if v not in (None, "")}, case.concluded_at.date())


def item_record(item: ServiceItem) -> Outgoing:
    """事项: the catalogue entry, for 事项信息比对 on the provincial side."""
    payload = {
        "SXBM": item.code,
        "SXMC": item.name,
        "SXLX": item.item_type[:20],
        "SSBMBM": item.department.code,
        "SSBMMC": item.department.name,
        "FDSX": item.statutory_limit,
        "CNSX": item.promised_limit,
        "SXDW": item.promised_unit,
        "BJLX": str(item.case_type),
        "SFBZ": item.fee or "不收费",
        "JGMC": item.result_name,
        "BGSJ": stamp(item.updated_at),
    }
    return Outgoing(
        "item", item.code, {k: v for k, v in payload.items() if v not in (None, "")}, item.updated_at.date()
    )


_LICENCES = "exchange_licences"


def prefetch_licences(db: Session, case_ids: list[int]) -> None:
    """Loads the licences of a batch of cases at once, for :func:`licence_for` (the nightly batch, 1,000 at a time)."""
    found = db.scalars(select(Licence).where(Licence.case_id.in_(case_ids)))
    none: dict[int, Licence | None] = dict.fromkeys(case_ids)
    db.info[_LICENCES] = none | {licence.case_id: licence for licence in found}


def forget_licences(db: Session) -> None:
    """Drops the batch's prefetched licences."""
    db.info.pop(_LICENCES, None)


def licence_for(db: Session, case: Case) -> Licence | None:
    """The licence the case concluded with: from the batch's prefetch when there is one, else one query."""
    prefetched: dict[int, Licence | None] | None = db.info.get(_LICENCES)
    if prefetched is not None and case.id in prefetched:
        return prefetched[case.id]
    return db.scalar(select(Licence).where(Licence.case_id == case.id))
