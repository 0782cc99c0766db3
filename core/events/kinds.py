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
    CASE_WITHDRAWN = "case.withdrawn"
    SUPERVISION_PUSHED = "supervision.pushed"
    SUPERVISION_FEEDBACK = "supervision.feedback"
    SUPERVISION_ESCALATED = "supervision.escalated"
    WARNING_RAISED = "warning.raised"
    WARNING_ESCALATED = "warning.escalated"
    WARNING_DIGEST = "warning.digest"
    ASSESSMENT_PUBLISHED = "assessment.published"
    ASSESSMENT_RANKING = "assessment.ranking"


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


EventPayload = (
    CaseAccepted
    | CaseSupplementRequested
    | CaseConcluded
    | CaseRatingInvited
    | CaseDecisionNeeded
    | CaseWithdrawn
    | SupervisionPushed
    | SupervisionFeedback
    | SupervisionEscalated
    | WarningRaised
    | WarningEscalated
    | WarningDigestFacts
    | AssessmentPublished
    | AssessmentRanking
)

PAYLOADS: dict[EventKind, type[EventPayload]] = {
    EventKind.CASE_ACCEPTED: CaseAccepted,
    EventKind.CASE_SUPPLEMENT_REQUESTED: CaseSupplementRequested,
    EventKind.CASE_CONCLUDED: CaseConcluded,
    EventKind.CASE_RATING_INVITED: CaseRatingInvited,
    EventKind.CASE_DECISION_NEEDED: CaseDecisionNeeded,
    EventKind.CASE_WITHDRAWN: CaseWithdrawn,
    EventKind.SUPERVISION_PUSHED: SupervisionPushed,
    EventKind.SUPERVISION_FEEDBACK: SupervisionFeedback,
    EventKind.SUPERVISION_ESCALATED: SupervisionEscalated,
    EventKind.WARNING_RAISED: WarningRaised,
    EventKind.WARNING_ESCALATED: WarningEscalated,
    EventKind.WARNING_DIGEST: WarningDigestFacts,
    EventKind.ASSESSMENT_PUBLISHED: AssessmentPublished,
    EventKind.ASSESSMENT_RANKING: AssessmentRanking,
}
"""Each kind's payload type; :func:`core.events.service.publish` refuses a payload of another type."""
