"""Request and response shapes of the case API."""

from datetime import datetime
from typing import Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.calendar.service import Deadline
from core.cases.enums import (
    ACTION_LABELS,
    CASE_TYPE_LABELS,
    CONCLUSION_RESULT_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    STEP_RESULT_LABELS,
    SUBMIT_CHANNEL_LABELS,
)
from core.cases.models import Applicant, Case, CaseMaterial, CaseStep
from core.files.models import StoredFile
from core.security import mask_address, mask_id_number, mask_name, mask_phone
from core.validators import OneLine, credit_code_problem, id_number_problem, phone_problem

T = TypeVar("T")


class ApplicantIn(BaseModel):
    """Applicant details as entered; the ID number or credit code is checked digit by digit."""

    kind: Literal["personal", "enterprise"] = Field(description="personal 个人 / enterprise 企业")
    name: OneLine = Field(min_length=1, max_length=200, description="姓名或企业名称")
    id_number: str = Field(description="身份证号（个人）或统一社会信用代码（企业）")
    phone: str = Field(description="联系电话")
    address: OneLine = Field(default="", max_length=300)
    legal_representative: OneLine = Field(default="", max_length=50)
    contact_name: OneLine = Field(default="", max_length=50)

    @field_validator("name", "id_number", "phone", "address", "legal_representative", "contact_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("id_number")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    def problems(self) -> list[tuple[str, str]]:
        """(field, Chinese message) for every invalid value."""
        found: list[tuple[str, str]] = []
        check = id_number_problem if self.kind == "personal" else credit_code_problem
        if problem := check(self.id_number):
            found.append(("id_number", problem))
        if problem := phone_problem(self.phone):
            found.append(("phone", problem))
        if not self.name:
            found.append(("name", "申请人名称不能为空"))
        return found


class ApplicantOut(BaseModel):
    """Applicant details for prefill: a citizen's own in full; a window clerk's look-up masked."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    legal_representative: str
    contact_name: str

    @classmethod
    def from_model(cls, applicant: Applicant, *, masked: bool = False) -> Self:
        """The record's details; ``masked``: ID number, phone and house number hidden (a window's look-up)."""
        out = cls.model_validate(applicant, from_attributes=True)
        if masked:
            out.id_number = mask_id_number(out.id_number)
            out.phone = mask_phone(out.phone)
            out.address = mask_address(out.address)
        return out


class MaterialIn(BaseModel):
    """A material of an application: exactly one of an upload, an earlier material or an e-licence."""

    item_material_id: int
    upload_id: int | None = Field(default=None, description="先上传文件得到的 id")
    history_material_id: int | None = Field(default=None, description="本申请人以往办件中的材料 id")
    licence_id: int | None = Field(default=None, description="电子证照库中本申请人的证照 id")
    paper: bool = Field(default=False, description="窗口已收取纸质材料")


class SubmitIn(BaseModel):
    """An application for a service item, optionally registered for a major project (the case service checks that
    link whoever registers it: core/cases/registration.py)."""

    service_item_id: int
    applicant: ApplicantIn
    project_name: OneLine = Field(default="", max_length=200, description="申报事由或项目名称")
    materials: list[MaterialIn] = Field(default_factory=list)
    major_project_id: int | None = Field(
        default=None, description="所属重大项目：办件的受理和办结自动填写该项目审批节点的实际日期"
    )


class SubmitOut(BaseModel):
    """The new case and its query password, shown this once."""

    case_id: int
    case_no: str
    query_code: str
    status: str

    @classmethod
    def from_model(cls, case: Case, *, query_code: str) -> Self:
        """The new case with the password generated for it."""
        return cls(case_id=case.id, case_no=case.case_no, query_code=query_code, status=case.status)


class UploadOut(BaseModel):
    """An accepted upload, to be referred to by id in an application."""

    id: int
    name: str
    size: int

    @classmethod
    def from_model(cls, stored: StoredFile) -> Self:
        """An upload as its uploader named it."""
        return cls(id=stored.id, name=stored.original_name, size=stored.size)


class OpinionIn(BaseModel):
    """An opinion (required or not depending on the action)."""

    opinion: str = Field(default="", max_length=2000)
    opinion_public: bool = True


class ReviewIn(OpinionIn):
    """审查 or 决定: agree or not, with an opinion. A 联办件's part is always the caller's own department's."""

    agree: bool


class ConcludeIn(BaseModel):
    """办结 with a conclusion result code (0–6); results 1–5 need a reason."""

    result: int = Field(ge=0, le=6)
    reason: str = Field(default="", max_length=2000)
    licence_valid_until: datetime | None = None


class SupplementIn(BaseModel):
    """补齐补正告知: why, and which materials."""

    reason: str = Field(max_length=2000)
    materials: list[str] = Field(default_factory=list)


class ResupplyIn(BaseModel):
    """The applicant's resupply."""

    note: str = Field(default="", max_length=2000)
    materials: list[MaterialIn] = Field(default_factory=list)


class SpecialStartIn(BaseModel):
    """特别程序开始."""

    kind: str
    reason: str = Field(max_length=2000)


class SpecialEndIn(BaseModel):
    """特别程序结束."""

    result: str = Field(max_length=2000)


class StepOut(BaseModel):
    """One recorded step."""

    model_config = ConfigDict(from_attributes=True)

    step: str
    step_label: str
    action: str
    action_label: str
    result_code: int | None
    result_label: str
    opinion: str
    handler_name: str
    department_name: str
    created_at: datetime

    @classmethod
    def from_model(cls, s: CaseStep) -> Self:
        """A recorded step with its codes in words."""
        return cls(
            step=s.step,
            step_label=STEP_LABELS.get(s.step, s.step),
            action=s.action,
            action_label=ACTION_LABELS.get(s.action, s.action),
            result_code=s.result_code,
            result_label=STEP_RESULT_LABELS.get(s.result_code, "") if s.result_code is not None else "",
            opinion=s.opinion,
            handler_name=s.handler_name,
            department_name=s.department_name,
            created_at=s.created_at,
        )


class CaseMaterialOut(BaseModel):
    """A material attached to a case."""

    id: int
    name: str
    source: str
    trust_level: str
    file_name: str | None
    licence_id: int | None

    @classmethod
    def from_model(cls, m: CaseMaterial) -> Self:
        """A material with the name of its file, if any."""
        return cls(
            id=m.id,
            name=m.name,
            source=m.source,
            trust_level=m.trust_level,
            file_name=m.file.original_name if m.file else None,
            licence_id=m.licence_id,
        )


class CaseProjectOut(BaseModel):
    """The major project a case was registered for, and the approval node it fills (once accepted)."""

    id: int
    code: str
    name: str
    node_id: int | None
    node_name: str


class CaseOut(BaseModel):
    """A case as staff see it."""

    id: int
    case_no: str
    service_item_id: int
    service_item_name: str
    department_id: int
    department_name: str
    applicant_name: str
    applicant_kind: str
    applicant_id_number: str
    applicant_phone: str
    project_name: str
    item_version: int | None = Field(default=None, description="申请时事项指南的发布版本：办件按该版本办理")
    case_type: int
    case_type_label: str
    submit_channel: int
    submit_channel_label: str
    window: str | None = Field(default=None, description="窗口号：窗口登记的登记窗口，网上申报的受理窗口")
    status: str
    status_label: str
    current_step: str
    current_step_label: str
    promised_limit: int
    limit_unit: str
    submitted_at: datetime
    accepted_at: datetime | None
    due_at: datetime | None
    time_state: str | None
    clock_paused: bool
    first_overdue_at: datetime | None
    concluded_at: datetime | None
    conclusion_result: int | None
    conclusion_result_label: str
    conclusion_reason: str
    allowed_actions: list[str] = Field(
        description="办件状态允许的操作（不含调用者的权限与会办分工；办件页按二者列出可办操作）"
    )
    steps: list[StepOut]
    materials: list[CaseMaterialOut]
    major_project: CaseProjectOut | None = None

    @classmethod
    def from_model(
        cls,
        case: Case,
        *,
        due: Deadline | None,
        allowed_actions: list[str],
        major_project: CaseProjectOut | None = None,
    ) -> Self:
        """A case as staff see it (ID and phone masked; the full values only on the handling page); its deadline
        and the actions open to the caller come from the case service."""
        return cls(
            id=case.id,
            case_no=case.case_no,
            service_item_id=case.service_item_id,
            service_item_name=case.item.name,
            department_id=case.department_id,
            department_name=case.department.name,
            applicant_name=case.applicant.name,
            applicant_kind=case.applicant.kind,
            applicant_id_number=mask_id_number(case.applicant.id_number),
            applicant_phone=mask_phone(case.applicant.phone),
            project_name=case.project_name,
            item_version=case.item_version,
            case_type=case.case_type,
            case_type_label=CASE_TYPE_LABELS[case.case_type],
            submit_channel=case.submit_channel,
            submit_channel_label=SUBMIT_CHANNEL_LABELS[case.submit_channel],
            window=case.window,
            status=case.status,
            status_label=STATUS_LABELS[case.status],
            current_step=case.current_step,
            current_step_label=STEP_LABELS[case.current_step],
            promised_limit=case.promised_limit,
            limit_unit=case.limit_unit,
            submitted_at=case.submitted_at,
            accepted_at=case.accepted_at,
            due_at=due.due_at if due else None,
            time_state=due.state.value if due else None,
            clock_paused=due.paused if due else False,
            first_overdue_at=case.first_overdue_at or (due.overdue_since if due else None),
            concluded_at=case.concluded_at,
            conclusion_result=case.conclusion_result,
            conclusion_result_label=CONCLUSION_RESULT_LABELS.get(case.conclusion_result, "")
            if case.conclusion_result is not None
            else "",
            conclusion_reason=case.conclusion_reason,
            allowed_actions=allowed_actions,
            steps=[StepOut.from_model(s) for s in case.steps],
            materials=[CaseMaterialOut.from_model(m) for m in case.materials],
            major_project=major_project,
        )


class CaseSummary(BaseModel):
    """A row in a case list."""

    id: int
    case_no: str
    service_item_name: str
    department_name: str
    applicant_name: str
    status: str
    status_label: str
    current_step_label: str
    submitted_at: datetime
    due_at: datetime | None
    time_state: str | None

    @classmethod
    def from_model(cls, case: Case) -> Self:
        """A list row for a case (its stored due date and time state, kept current by the deadline scan)."""
        return cls(
            id=case.id,
            case_no=case.case_no,
            service_item_name=case.item.name,
            department_name=case.department.name,
            applicant_name=case.applicant.name,
            status=case.status,
            status_label=STATUS_LABELS[case.status],
            current_step_label=STEP_LABELS[case.current_step],
            submitted_at=case.submitted_at,
            due_at=case.due_at,
            time_state=case.time_state,
        )


class MyCaseOut(BaseModel):
    """A case of a bound channel user, as the bot lists it."""

    case_no: str
    item_name: str
    status_label: str
    current_step_label: str
    department_name: str
    submitted_at: datetime

    @classmethod
    def from_model(cls, case: Case) -> Self:
        """A bound case as the bot lists it."""
        return cls(
            case_no=case.case_no,
            item_name=case.item.name,
            status_label=STATUS_LABELS[case.status],
            current_step_label=STEP_LABELS[case.current_step],
            department_name=case.department.name,
            submitted_at=case.submitted_at,
        )


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    page_size: int


class ProgressIn(BaseModel):
    """Public progress query: case number and query password (a bound channel user may leave it out)."""

    case_no: str = Field(min_length=1, max_length=32)
    query_code: str = Field(default="", max_length=32)


class PublicStep(BaseModel):
    """A step as the public sees it: opinions only where made public."""

    step_label: str
    action_label: str
    result_label: str
    department_name: str
    opinion: str
    created_at: datetime

    @classmethod
    def from_model(cls, step: CaseStep) -> Self:
        """A step as the applicant sees it: the opinion only when it was made public."""
        return cls(
            step_label=STEP_LABELS.get(step.step, step.step),
            action_label=ACTION_LABELS.get(step.action, step.action),
            result_label=STEP_RESULT_LABELS.get(step.result_code, "") if step.result_code is not None else "",
            department_name=step.department_name,
            opinion=step.opinion if step.opinion_public else "",
            created_at=step.created_at,
        )


class ProgressOut(BaseModel):
    """What a citizen sees of their case."""

    case_no: str
    service_item_name: str
    applicant_name: str
    department_name: str
    status: str
    status_label: str
    current_step_label: str
    submitted_at: datetime
    accepted_at: datetime | None
    promised_date: datetime | None
    time_state: str | None
    clock_paused: bool
    concluded_at: datetime | None
    conclusion_result_label: str
    steps: list[PublicStep]
    pending_supplement: list[str]

    @classmethod
    def from_model(cls, case: Case, *, due: Deadline | None) -> Self:
        """What an applicant may see of their own case: public opinions only, the applicant's name masked."""
        open_supplement = next((s for s in reversed(case.supplements) if s.resupplied_at is None), None)
        return cls(
            case_no=case.case_no,
            service_item_name=case.item.name,
            applicant_name=mask_name(case.applicant.name),
            department_name=case.department.name,
            status=case.status,
            status_label=STATUS_LABELS[case.status],
            current_step_label=STEP_LABELS[case.current_step],
            submitted_at=case.submitted_at,
            accepted_at=case.accepted_at,
            promised_date=due.due_at if due else None,
            time_state=due.state.value if due else None,
            clock_paused=due.paused if due else False,
            concluded_at=case.concluded_at,
            conclusion_result_label=(
                CONCLUSION_RESULT_LABELS[case.conclusion_result] if case.conclusion_result is not None else ""
            ),
            steps=[PublicStep.from_model(step) for step in case.steps],
            pending_supplement=open_supplement.materials if open_supplement else [],
        )


class PublicityRow(BaseModel):
    """办件公示: a concluded case with the applicant masked."""

    case_no: str
    service_item_name: str
    department_name: str
    applicant_name: str
    accepted_at: datetime | None
    concluded_at: datetime | None
    result_label: str
    on_time: bool

    @classmethod
    def from_model(cls, c: Case) -> Self:
        """A concluded case for 办件公示, the applicant's name masked."""
        return cls(
            case_no=c.case_no,
            service_item_name=c.item.name,
            department_name=c.department.name,
            applicant_name=mask_name(c.applicant.name),
            accepted_at=c.accepted_at,
            concluded_at=c.concluded_at,
            result_label=CONCLUSION_RESULT_LABELS.get(c.conclusion_result or 0, ""),
            on_time=c.first_overdue_at is None,
        )


class StatsRow(BaseModel):
    """办件统计 for one department and month."""

    department_id: int
    department_name: str
    month: str
    received: int
    concluded: int
    on_time: int
    overdue: int


class StatsTotals(BaseModel):
    """办件统计 summed over several rows (a department's months, or everything)."""

    received: int = 0
    concluded: int = 0
    on_time: int = 0
    overdue: int = 0

    @property
    def on_time_rate(self) -> str:
        """按时办结率 as shown to people, "—" when nothing concluded."""
        return f"{self.on_time / self.concluded:.1%}" if self.concluded else "—"

    def add(self, row: StatsRow) -> None:
        """Adds one row's figures."""
        self.received += row.received
        self.concluded += row.concluded
        self.on_time += row.on_time
        self.overdue += row.overdue


def totals_by_department(rows: list[StatsRow]) -> dict[str, StatsTotals]:
    """Each department's figures summed over the months of ``rows``."""
    totals: dict[str, StatsTotals] = {}
    for row in rows:
        totals.setdefault(row.department_name, StatsTotals()).add(row)
    return totals


def grand_total(rows: list[StatsRow]) -> StatsTotals:
    """All of ``rows`` summed."""
    total = StatsTotals()
    for row in rows:
        total.add(row)
    return total
