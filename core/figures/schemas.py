"""What the boards' endpoints answer: counts with the names to show and, where a board links to the list behind a
figure, the ids that list is filtered by."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from core.guidance.schemas import HallAppointments


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent with one decimal; None when there is nothing to rate."""
    return round(100 * part / whole, 1) if whole else None


class Counts(BaseModel):
    """The counted events of a period (core/figures/models.py ``_Counts``) and the rates derived from them."""

    registered: int = 0
    accepted: int = 0
    concluded: int = 0
    on_time: int = 0
    overdue: int = 0
    rating_good: int = 0
    rating_bad: int = 0


class RatedCounts(Counts):
    """Counts with their rates: 按时办结率 (on time of concluded) and 好评率 (good of good and bad), in per cent."""

    on_time_rate_pct: float | None = None
    good_rate_pct: float | None = None

    @classmethod
    def of(cls, counts: Counts) -> "RatedCounts":
        rated = counts.rating_good + counts.rating_bad
        return cls(
            **counts.model_dump(),
            on_time_rate_pct=percent(counts.on_time, counts.concluded),
            good_rate_pct=percent(counts.rating_good, rated),
        )


class OpenCounts(BaseModel):
    """Cases open at the last refresh."""

    waiting: int = 0
    in_hand: int = 0
    warning: int = 0
    overdue: int = 0


class DepartmentToday(BaseModel):
    """A department's day on the hall board."""

    department_id: int
    name: str
    registered: int
    accepted: int
    concluded: int
    in_hand: int
    overdue: int


class WindowToday(BaseModel):
    """A hall window's day: the cases registered, accepted and concluded there (core/figures/windows.py)."""

    department_id: int
    department_name: str
    window: str
    registered: int
    accepted: int
    concluded: int


class ItemCount(BaseModel):
    """An item and how many cases it received."""

    service_item_id: int
    name: str
    count: int


class ConcludedCase(BaseModel):
    """A case just concluded, for the hall's rolling list: the applicant's name masked."""

    case_no: str
    service_item_name: str
    department_name: str
    applicant_name: str
    concluded_at: datetime


class HallOut(BaseModel):
    """政务服务大厅: today's and this month's figures, the open cases, the busiest items, the last conclusions."""

    day: date
    refreshed_at: datetime | None = Field(description="统计数据最近一次刷新的时间")
    today: RatedCounts
    month: RatedCounts
    open: OpenCounts
    departments: list[DepartmentToday]
    windows: list[WindowToday] = Field(
        default_factory=list, description="今日各窗口的收件、受理、办结（按三者之和从多到少）"
    )
    busiest_items: list[ItemCount] = Field(description="本月收件最多的事项")
    just_concluded: list[ConcludedCase]
    appointments: HallAppointments = Field(description="今日帮办代办预约（按方式、按部门，及接下来的预约）")


class MonthRow(RatedCounts):
    """One month of the trend."""

    month: date
    label: str


class TrendOut(BaseModel):
    """领导端: the last months' figures, oldest first."""

    months: list[MonthRow]


class DepartmentRow(RatedCounts):
    """A department this month, with its place in the last published assessment."""

    department_id: int
    name: str
    in_hand: int = 0
    overdue_now: int = 0
    rank: int | None = None
    score: float | None = None


class DepartmentsOut(BaseModel):
    """Departments ranked by the last published assessment (core/assessment), with this month's figures."""

    month: date
    assessment_id: int | None
    assessment_label: str
    departments: list[DepartmentRow]


class StageRow(BaseModel):
    """Major projects in one stage and how many of them have an open red or yellow warning."""

    stage: str
    label: str
    projects: int
    red: int
    yellow: int


class MajorProjectsOut(BaseModel):
    """Major projects being tracked, by stage, with their warnings (core/major_projects, core/early_warnings)."""

    stages: list[StageRow]
    red_warnings: int
    yellow_warnings: int


class SupervisionRow(BaseModel):
    """Pushes to one supervising department and what became of them."""

    department_id: int
    name: str
    pushed: int
    claimed: int
    fed_back: int
    escalated: int
    claim_rate_pct: float | None
    feedback_rate_pct: float | None


class SupervisionOut(BaseModel):
    """审管衔接: claim and feedback rates overall and per supervising department."""

    total: SupervisionRow
    departments: list[SupervisionRow]


class BadRating(BaseModel):
    """A bad rating and its follow-up, for the list behind the board's figure."""

    case_id: int
    case_no: str
    service_item_name: str
    department_name: str
    level_label: str
    rated_at: datetime
    follow_up_label: str
    follow_up_overdue: bool


class RatingsOut(BaseModel):
    """好差评: this month's ratings, the bad ones' follow-up, and the latest bad ratings."""

    month: RatedCounts
    follow_up_pending: int
    follow_up_overdue: int
    follow_up_answered: int
    latest_bad: list[BadRating]
