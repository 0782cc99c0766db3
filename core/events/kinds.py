"""The domain events there are: each kind, the facts it carries (a typed payload), and the table between them.

A publisher builds the payload of its kind and calls :func:`core.events.service.publish`; a consumer reads it
back with :func:`core.events.service.payload_of`. The stored JSON (``domain_event.data``) is the payload's
fields as they were given, so rows written before these types keep reading the same. Times are ISO strings
to the minute, as stored; names are masked, no ID numbers.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventKind(StrEnum):
    """Every domain event's kind, as stored in ``domain_event.kind`` and ``notification.kind``."""

    CASE_ACCEPTED = "case.accepted"
    CASE_SUPPLEMENT_REQUESTED = "case.supplement_requested"
    CASE_CONCLUDED = "case.concluded"
    CASE_RATING_INVITED = "case.rating_invited"
    CASE_DECISION_NEEDED = "case.decision_needed"
    CASE_QUERY_CODE_REISSUED = "case.query_code_reissued"
    CASE_WITHDRAWN = "case.withdrawn"
    SUPERVISION_PUSHED = "supervision.pushed"
    SUPERVISION_FEEDBACK = "supervision.feedback"
    SUPERVISION_ESCALATED = "supervision.escalated"
    WARNING_RAISED = "warning.raised"
    WARNING_ESCALATED = "warning.escalated"
    WARNING_DIGEST = "warning.digest"
    ASSESSMENT_PUBLISHED = "assessment.published"
    ASSESSMENT_RANKING = "assessment.ranking"
    ISSUE_RAISED = "major_project.issue_raised"
    ISSUE_REPLIED = "major_project.issue_replied"
    ISSUE_CLOSED = "major_project.issue_closed"
    MEETING_DECIDED = "major_project.meeting_decided"
    KNOWLEDGE_REVIEW_REQUESTED = "knowledge.review_requested"
    GUIDANCE_BOOKED = "guidance.booked"
    GUIDANCE_REMINDER = "guidance.reminder"
    GUIDANCE_CANCELLED = "guidance.cancelled"
    USER_SIGNED_IN = "user.signed_in"


KIND_LABELS: dict[str, str] = {
    "case.accepted": "办件受理通知",
    "case.supplement_requested": "补正告知",
    "case.concluded": "办结通知",
    "case.rating_invited": "邀请评价（好差评）",
    "case.decision_needed": "待决定提醒",
    "case.query_code_reissued": "查询密码重新发放",
    "case.withdrawn": "申请人撤回",
    "supervision.pushed": "审批结果推送",
    "supervision.feedback": "监管结果反馈",
    "supervision.escalated": "审批推送催办",
    "warning.raised": "预警",
    "warning.escalated": "预警升级",
    "warning.digest": "预警汇总",
    "assessment.published": "考核结果发布",
    "assessment.ranking": "考核排名",
    "major_project.issue_raised": "问题协调",
    "major_project.issue_replied": "问题协调答复",
    "major_project.issue_closed": "问题协调办结",
    "major_project.meeting_decided": "会商决定",
    "knowledge.review_requested": "知识库待审核",
    "guidance.booked": "帮办预约确认",
    "guidance.reminder": "帮办预约提醒",
    "guidance.cancelled": "帮办预约取消",
    "user.signed_in": "登录",
}
"""What each kind is called where people read it (the notification list, its filter); every kind has one."""


def kind_label(kind: str) -> str:
    """The Chinese name of a kind; a kind added elsewhere and not yet named reads as 其他通知, never as its code."""
    return KIND_LABELS.get(kind, "其他通知")


class Payload(BaseModel):
    """An event's facts. Stored as given (:meth:`stored`), read back unchanged."""

    model_config = ConfigDict(frozen=True)

    def stored(self) -> dict[str, Any]:
        """The JSON kept in ``domain_event.data``: the fields that were given, nothing added."""
        return self.model_dump(mode="json", exclude_unset=True)


class CaseFacts(Payload):
    """What every case event says about the case (core/cases/events.py)."""

    case_id: int
    case_no: str
    item_name: str
    department_id: int
    applicant_name: str
    project_name: str
    due_at: str | None
    url: str


class CaseAccepted(CaseFacts):
    """受理: the clock has started."""

    opinion: str


class CaseSupplementRequested(CaseFacts):
    """补正告知: what the applicant must bring."""

    reason: str
    materials: list[str]


class CaseConclusion(CaseFacts):
    """The conclusion's facts, shared by the conclusion and the rating invitation."""

    result: int
    result_label: str
    reason: str
    concluded_at: str | None


class CaseConcluded(CaseConclusion):
    """办结 or 不予受理; a licence issued with it is named (events stored before it was named lack it)."""

    licence_id: int | None = None


class CaseRatingInvited(CaseConclusion):
    """好差评: the applicant is invited to rate the service."""

    rating_url: str


class CaseDecisionNeeded(CaseFacts):
    """决定: the department's handlers are asked to decide (a WeCom card with buttons)."""

    opinion_so_far: str
    step: str
    materials_url: str


class CaseQueryCodeReissued(CaseFacts):
    """The window issued a new query password (the applicant is told: the old one no longer works)."""

    reissued_at: str


class CaseWithdrawn(CaseFacts):
    """撤回: the applicant withdrew the application before acceptance; the department's handlers are told why."""

    reason: str
    withdrawn_at: str | None
    case_url: str


class PushFacts(Payload):
    """What every supervision event says about the approval push (core/supervision/events.py)."""

    push_id: int
    case_id: int
    case_no: str
    item_name: str
    approving_department_id: int
    approving_department_name: str
    department_id: int
    department_name: str
    holder_name: str
    licence_no: str
    pushed_at: str | None
    claim_due_at: str | None
    feedback_due_at: str | None
    url: str


class SupervisionPushed(PushFacts):
    """An approval result reached the supervising department, to claim."""


class SupervisionFeedback(PushFacts):
    """The supervision result goes back to the approving department."""

    inspected: bool
    inspected_on: str | None
    problems_found: bool
    problems: str
    measures: str
    handler_name: str
    fed_back_at: str | None


class SupervisionEscalated(PushFacts):
    """A push waits past a threshold (level 1 the department, level 2 the leaders too)."""

    stage: str
    stage_label: str
    level: int
    level_label: str
    threshold_at: str | None
    due_at: str | None
    escalated_at: str | None


class WarningFacts(Payload):
    """What every warning event says about the warning (core/early_warnings/events.py)."""

    warning_id: int
    subject_kind: str
    subject_label: str
    subject_id: int
    level: str
    level_label: str
    title: str
    department_id: int
    department_name: str
    major_project_id: int | None
    project_name: str
    due_on: str
    raised_at: str | None
    url: str


class WarningRaised(WarningFacts):
    """A case, node, milestone or coordination issue turned yellow or red: the responsible department's handlers
    are to sign for it (签收; a WeCom card with the button)."""

    situation: str


class WarningEscalated(WarningFacts):
    """A red warning stayed red for the escalation threshold: reported to the leaders (their morning digest lists
    it) and to the project's responsible leader; the department is told."""

    overdue_days: int
    state_label: str
    escalated_at: str | None


class WarningLine(Payload):
    """One warning in a digest."""

    warning_id: int
    title: str
    level_label: str
    department_name: str
    due_on: str
    state_label: str
    escalated: bool


class WarningDigestFacts(Payload):
    """One message listing warnings instead of one message each: a leader's morning digest of the day's red
    warnings (``audience`` leader), or a department's when one scan raised more warnings for it than cards are
    sent at once (``audience`` department)."""

    audience: str
    day: str
    department_id: int | None
    department_name: str
    total: int
    red: int
    yellow: int
    escalated: int
    lines: list[WarningLine]
    url: str


class AssessmentFacts(Payload):
    """What every assessment event says about the published version (core/assessment/events.py)."""

    assessment_id: int
    version: int
    period_label: str
    scheme_name: str
    url: str


class AssessmentScoreLine(BaseModel):
    """One indicator of a department's result: its name, weight and points (``None``: 不涉及)."""

    model_config = ConfigDict(frozen=True)

    name: str
    weight: int
    score: float | None


class AssessmentRankLine(BaseModel):
    """One line of the ranking."""

    model_config = ConfigDict(frozen=True)

    rank: int | None
    department_name: str
    total: float | None


class AssessmentPublished(AssessmentFacts):
    """A department's own result, to its heads and handlers (assessment.read in that department)."""

    department_id: int
    department_name: str
    total: float | None
    rank: int | None
    ranked_count: int
    corrected: bool
    scores: list[AssessmentScoreLine]


class AssessmentRanking(AssessmentFacts):
    """The whole ranking, to the leaders (assessment.read over all departments)."""

    ranked_count: int
    ranking: list[AssessmentRankLine]


class IssueFacts(Payload):
    """What every coordination-problem event says about the problem (core/major_projects/events.py)."""

    issue_id: int
    major_project_id: int
    project_code: str
    project_name: str
    title: str
    raised_by_name: str
    department_names: list[str]
    due_on: str
    url: str


class IssueRaised(IssueFacts):
    """问题协调: a problem raised on a project; the departments asked are to reply by the due date."""

    description: str


class IssueReplied(IssueFacts):
    """An asked department (or the project's manager) replied; whoever raised the problem is told."""

    department_name: str
    author_name: str
    body: str
    all_replied: bool


class IssueClosed(IssueFacts):
    """The problem is closed with how it was solved; its raiser and the departments asked are told."""

    closed_by_name: str
    closing_note: str
    closed_at: str | None


class DecisionLine(BaseModel):
    """One decision of a meeting: what, who, by when."""

    model_config = ConfigDict(frozen=True)

    content: str
    owner_name: str
    due_on: str | None


class MeetingDecided(Payload):
    """会商: a meeting's decisions owned by one department, to that department's staff."""

    meeting_id: int
    major_project_id: int
    project_code: str
    project_name: str
    held_on: str
    topic: str
    host_name: str
    department_id: int
    department_name: str
    decisions: list[DecisionLine]
    url: str


class KnowledgeReviewRequested(Payload):
    """An editor submitted a knowledge entry: the reviewers (other than its author) are asked to review it."""

    revision_id: int
    kind_label: str
    title: str
    author_name: str
    url: str


class GuidanceFacts(Payload):
    """A 帮办预约 (core/guidance): what, how, when and who gives it. The booker's name is masked."""

    booking_id: int
    booking_no: str
    subject: str
    mode_label: str
    day: str
    period_label: str
    staff_name: str
    booker_name: str
    address: str = ""
    url: str = ""


class GuidanceBooked(GuidanceFacts):
    """A booking is confirmed: the booker and the assigned 帮办员 are told."""


class GuidanceReminder(GuidanceFacts):
    """The working day before the booking: the booker is reminded."""


class GuidanceCancelled(GuidanceFacts):
    """The booker cancelled: the 帮办员 is told the place is free again."""

    reason: str = ""


class UserSignedIn(Payload):
    """A person signed in — a web session (password, second step or registration) or an API token. Nobody is
    told; the domains that keep something for a person until they sign in take it now (core/projects: the
    projects a guide filed for their mobile number before they registered)."""

    user_id: int
    via: str
    """``web`` (a browser session) or ``api`` (a bearer token from POST /api/v1/auth/token)."""
    signed_in_at: str


EventPayload = (
    CaseAccepted
    | CaseSupplementRequested
    | CaseConcluded
    | CaseRatingInvited
    | CaseDecisionNeeded
    | CaseQueryCodeReissued
    | CaseWithdrawn
    | SupervisionPushed
    | SupervisionFeedback
    | SupervisionEscalated
    | WarningRaised
    | WarningEscalated
    | WarningDigestFacts
    | AssessmentPublished
    | AssessmentRanking
    | IssueRaised
    | IssueReplied
    | IssueClosed
    | MeetingDecided
    | KnowledgeReviewRequested
    | GuidanceBooked
    | GuidanceReminder
    | GuidanceCancelled
    | UserSignedIn
)

PAYLOADS: dict[EventKind, type[EventPayload]] = {
    EventKind.CASE_ACCEPTED: CaseAccepted,
    EventKind.CASE_SUPPLEMENT_REQUESTED: CaseSupplementRequested,
    EventKind.CASE_CONCLUDED: CaseConcluded,
    EventKind.CASE_RATING_INVITED: CaseRatingInvited,
    EventKind.CASE_DECISION_NEEDED: CaseDecisionNeeded,
    EventKind.CASE_QUERY_CODE_REISSUED: CaseQueryCodeReissued,
    EventKind.CASE_WITHDRAWN: CaseWithdrawn,
    EventKind.SUPERVISION_PUSHED: SupervisionPushed,
    EventKind.SUPERVISION_FEEDBACK: SupervisionFeedback,
    EventKind.SUPERVISION_ESCALATED: SupervisionEscalated,
    EventKind.WARNING_RAISED: WarningRaised,
    EventKind.WARNING_ESCALATED: WarningEscalated,
    EventKind.WARNING_DIGEST: WarningDigestFacts,
    EventKind.ASSESSMENT_PUBLISHED: AssessmentPublished,
    EventKind.ASSESSMENT_RANKING: AssessmentRanking,
    EventKind.ISSUE_RAISED: IssueRaised,
    EventKind.ISSUE_REPLIED: IssueReplied,
    EventKind.ISSUE_CLOSED: IssueClosed,
    EventKind.MEETING_DECIDED: MeetingDecided,
    EventKind.KNOWLEDGE_REVIEW_REQUESTED: KnowledgeReviewRequested,
    EventKind.GUIDANCE_BOOKED: GuidanceBooked,
    EventKind.GUIDANCE_REMINDER: GuidanceReminder,
    EventKind.GUIDANCE_CANCELLED: GuidanceCancelled,
    EventKind.USER_SIGNED_IN: UserSignedIn,
}
"""Each kind's payload type; :func:`core.events.service.publish` refuses a payload of another type."""
