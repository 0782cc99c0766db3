"""Request and response shapes of the case API."""

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

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

    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    legal_representative: str
    contact_name: str


class MaterialIn(BaseModel):
    """A material of an application: exactly one of an upload, an earlier material or an e-licence."""

    item_material_id: int
    upload_id: int | None = Field(default=None, description="先上传文件得到的 id")
    history_material_id: int | None = Field(default=None, description="本申请人以往办件中的材料 id")
    licence_id: int | None = Field(default=None, description="电子证照库中本申请人的证照 id")
    paper: bool = Field(default=False, description="窗口已收取纸质材料")


class SubmitIn(BaseModel):
    """An application for a service item, optionally registered for a major project (whoever takes the request
    checks that link first: core/major_projects/links.py ``check_case_link``)."""

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


class CaseMaterialOut(BaseModel):
    """A material attached to a case."""

    id: int
    name: str
    source: str
    trust_level: str
    file_name: str | None
    licence_id: int | None


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
    case_type: int
    case_type_label: str
    submit_channel: int
    submit_channel_label: str
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
    allowed_actions: list[str]
    steps: list[StepOut]
    materials: list[CaseMaterialOut]
    major_project: CaseProjectOut | None = None


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
