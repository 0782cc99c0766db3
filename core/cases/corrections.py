"""Correcting a case's registration before acceptance (登记信息更正): a wrong phone number, address, contact or
project name typed at the window or online is put right by a handler of the case's department while the case waits
for acceptance — after acceptance the registration is what was accepted, and stays.

Each correction is a step of the case (修改登记信息, with the reason and what changed) and, like every write, in the
audit log with the values before and after (the phone number encrypted and masked there). The applicant's record
is the person's (shared by their cases of the same account or window), so a corrected phone number reaches their
other cases too, as it should.
"""

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from core.cases import service
from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.errors import Conflict, ValidationFailed
from core.org.models import User
from core.security import mask_phone
from core.validators import OneLine, phone_problem

ACTION = "edit_registration"
FIELD_LABELS = {
    "project_name": "申报事由",
    "phone": "联系电话",
    "address": "地址",
    "contact_name": "联系人",
    "legal_representative": "法定代表人",
}


class RegistrationEdit(BaseModel):
    """What may be corrected before acceptance (None: unchanged), and why."""

    project_name: OneLine | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    address: OneLine | None = Field(default=None, max_length=300)
    contact_name: OneLine | None = Field(default=None, max_length=50)
    legal_representative: OneLine | None = Field(default=None, max_length=50)
    reason: OneLine = Field(min_length=2, max_length=200, description="更正原因，记入办件过程")

    @field_validator("phone")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None


def edit_registration(db: Session, user: User | None, case: Case, data: RegistrationEdit) -> list[str]:
    """Applies the corrections to a case waiting for acceptance; the labels of what changed."""
    handler = service._require_handler(user, case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict("办件已受理或已结束，登记信息不能再修改")
    if data.phone is not None and (problem := phone_problem(data.phone)):
        raise ValidationFailed(problem, field="phone")
    changed: list[str] = []
    if data.project_name is not None and data.project_name != case.project_name:
        changed.append(f"申报事由：{case.project_name or '（空）'} → {data.project_name}")
        case.project_name = data.project_name
    applicant = case.applicant
    for field in ("phone", "address", "contact_name", "legal_representative"):
        value = getattr(data, field)
        if value is None or value == getattr(applicant, field):
            continue
        before, after = getattr(applicant, field), value
        if field == "phone":
            before, after = mask_phone(before), mask_phone(after)
        changed.append(f"{FIELD_LABELS[field]}：{before or '（空）'} → {after}")
        setattr(applicant, field, value)
    if not changed:
        raise ValidationFailed("没有需要修改的内容：填写的信息与登记的相同", field="reason")
    service._record_step(
        db, case, handler, action=ACTION, result=None, opinion=f"{data.reason}（{'；'.join(changed)}）"
    )
    return changed
