"""What a supervising department receives of an approval result: a checklist of fields, frozen at push time.

A person's name, ID number and phone are masked (a supervisor needs to know *which* permit, not a citizen's
identity papers); an enterprise keeps its name and unified social credit code, which are public registers.
"""

from collections.abc import Callable
from typing import TypedDict

from core.cases.enums import Step
from core.cases.models import Case, Licence
from core.security import mask_id_number, mask_name, mask_phone


class ResultField(TypedDict):
    """One line of the frozen approval result."""

    key: str
    label: str
    value: str | list[str]


BASIC_FIELDS: dict[str, str] = {
    "case_no": "办件编号",
    "item_name": "事项名称",
    "approving_department": "审批部门",
    "concluded_at": "办结时间",
}
"""Always sent: without them a push cannot be told apart."""

PUSH_FIELDS: dict[str, str] = {
    "licence_no": "证照编号",
    "licence_name": "证照名称",
    "holder": "持证主体",
    "holder_id_number": "证件号码",
    "valid_until": "有效期至",
    "issued_at": "发证日期",
    "project_name": "项目名称（申报事由）",
    "address": "地址",
    "legal_representative": "法定代表人",
    "contact_phone": "联系电话",
    "opinion": "审批意见",
    "materials": "材料清单",
}
"""The fields a push configuration may choose (key → label), in display order."""

DEFAULT_FIELDS: list[str] = ["licence_no", "licence_name", "holder", "holder_id_number", "valid_until", "opinion"]

_OPINION_ACTIONS = ("decide", "review", "joint_review")


def holder_display(case: Case) -> str:
    """The holder as the supervisor sees it: an enterprise in full, a person masked."""
    applicant = case.applicant
    return applicant.name if applicant.kind == "enterprise" else mask_name(applicant.name)


def _opinion(case: Case) -> str:
    for action in _OPINION_ACTIONS:
        for step in reversed(case.steps):
            if step.action == action and step.opinion:
                return step.opinion
    conclude = next((s for s in reversed(case.steps) if s.step == Step.CONCLUDE and s.opinion), None)
    return conclude.opinion if conclude else ""


def _value(key: str, case: Case, licence: Licence) -> str | list[str]:
    applicant = case.applicant
    enterprise = applicant.kind == "enterprise"
    values: dict[str, Callable[[], str | list[str]]] = {
        "licence_no": lambda: licence.licence_no,
        "licence_name": lambda: licence.name,
        "holder": lambda: holder_display(case),
        "holder_id_number": lambda: applicant.id_number if enterprise else mask_id_number(applicant.id_number),
        "valid_until": lambda: licence.valid_until.strftime("%Y-%m-%d") if licence.valid_until else "长期",
        "issued_at": lambda: licence.issued_at.strftime("%Y-%m-%d"),
        "project_name": lambda: case.project_name,
        "address": lambda: applicant.address,
        "legal_representative": lambda: mask_name(applicant.legal_representative),
        "contact_phone": lambda: mask_phone(applicant.phone),
        "opinion": lambda: _opinion(case),
        "materials": lambda: [m.name for m in case.materials],
    }
    return values[key]()


def snapshot(case: Case, licence: Licence, fields: list[str]) -> list[ResultField]:
    """The basic facts and the chosen fields of the approval result, as they stand now."""
    concluded = case.concluded_at.strftime("%Y-%m-%d %H:%M") if case.concluded_at else ""
    basics = {
        "case_no": case.case_no,
        "item_name": case.item.name,
        "approving_department": case.department.name,
        "concluded_at": concluded,
    }
    out: list[ResultField] = [ResultField(key=k, label=BASIC_FIELDS[k], value=v) for k, v in basics.items()]
    chosen = [key for key in PUSH_FIELDS if key in fields]
    out += [ResultField(key=k, label=PUSH_FIELDS[k], value=_value(k, case, licence)) for k in chosen]
    return out
