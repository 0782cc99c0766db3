"""One example payload of each event kind, as the publishers write them (core/cases/events.py,
core/supervision/events.py, core/early_warnings/events.py, core/assessment/events.py,
core/major_projects/events.py), for tests that publish an event without going through a case or a push."""

from typing import Any

from core.events.kinds import (
    AssessmentPublished,
    AssessmentRanking,
    AssessmentRankLine,
    AssessmentScoreLine,
    CaseAccepted,
    CaseConcluded,
    CaseDecisionNeeded,
    CaseQueryCodeReissued,
    CaseRatingInvited,
    CaseSupplementRequested,
    CaseWithdrawn,
    DecisionLine,
    EventKind,
    EventPayload,
    GuidanceBooked,
    GuidanceCancelled,
    GuidanceReminder,
    IssueClosed,
    IssueRaised,
    IssueReplied,
    KnowledgeReviewRequested,
    MeetingDecided,
    SupervisionEscalated,
    SupervisionFeedback,
    SupervisionPushed,
    UserSignedIn,
    WarningDigestFacts,
    WarningEscalated,
    WarningLine,
    WarningRaised,
)

SITE = "http://127.0.0.1:8000"

CASE: dict[str, Any] = {
    "case_id": 1,
    "case_no": "KF20260924001",
    "item_name": "占用、挖掘城市道路审批",
    "department_id": 1,
    "applicant_name": "张*",
    "project_name": "",
    "due_at": "2026-10-15T17:30",
    "url": f"{SITE}/progress?case_no=KF20260924001",
}
CONCLUSION: dict[str, Any] = CASE | {
    "result": 1,
    "result_label": "准予许可",
    "reason": "",
    "concluded_at": "2026-10-10T10:00",
}
PUSH: dict[str, Any] = {
    "push_id": 1,
    "case_id": 1,
    "case_no": "KF20260924001",
    "item_name": "建设工程验线",
    "approving_department_id": 1,
    "approving_department_name": "行政审批局",
    "department_id": 2,
    "department_name": "住房和城乡建设局",
    "holder_name": "某某建设有限公司",
    "licence_no": "XK2026001",
    "pushed_at": "2026-10-10T10:00",
    "claim_due_at": "2026-10-13T10:00",
    "feedback_due_at": None,
    "url": f"{SITE}/admin/supervision/pushes/1",
}
WARNING: dict[str, Any] = {
    "warning_id": 1,
    "subject_kind": "node",
    "subject_label": "审批节点",
    "subject_id": 3,
    "level": "red",
    "level_label": "红色预警",
    "title": "新能源电池产业园·建设工程规划许可：已逾期",
    "department_id": 2,
    "department_name": "自然资源和规划局",
    "major_project_id": 1,
    "project_name": "新能源电池产业园",
    "due_on": "2026-09-30",
    "raised_at": "2026-10-08T00:15",
    "url": f"{SITE}/admin/warnings/1",
}

ASSESSMENT: dict[str, Any] = {
    "assessment_id": 1,
    "version": 1,
    "period_label": "2026年11月",
    "scheme_name": "部门进度考核（月度）",
}

ISSUE: dict[str, Any] = {
    "issue_id": 1,
    "major_project_id": 1,
    "project_code": "ZD2026-001",
    "project_name": "新能源电池产业园",
    "title": "临时用电接入",
    "raised_by_name": "周专员",
    "department_names": ["供电公司", "住房和城乡建设局"],
    "due_on": "2026-10-16",
    "url": f"{SITE}/admin/major-projects/1",
}

GUIDANCE: dict[str, Any] = {
    "booking_id": 1,
    "booking_no": "BB261207000001",
    "subject": "建筑工程施工许可证核发",
    "mode_label": "窗口导办",
    "day": "2026-12-08",
    "period_label": "上午 9:00–12:00",
    "staff_name": "何帮办",
    "booker_name": "孙*民",
    "url": f"{SITE}/my/guidance/1",
}

EXAMPLES: dict[EventKind, EventPayload] = {
    EventKind.USER_SIGNED_IN: UserSignedIn(user_id=5, via="web", signed_in_at="2026-12-07T09:12"),
    EventKind.GUIDANCE_BOOKED: GuidanceBooked(**GUIDANCE),
    EventKind.GUIDANCE_REMINDER: GuidanceReminder(**GUIDANCE),
    EventKind.GUIDANCE_CANCELLED: GuidanceCancelled(**GUIDANCE, reason="时间冲突"),
    EventKind.KNOWLEDGE_REVIEW_REQUESTED: KnowledgeReviewRequested(
        revision_id=3, kind_label="咨询问答", title="施工许可需要哪些材料", author_name="陈编辑", url=f"{SITE}/admin/x"
    ),
    EventKind.CASE_ACCEPTED: CaseAccepted(**CASE, opinion="材料齐全，予以受理"),
    EventKind.CASE_SUPPLEMENT_REQUESTED: CaseSupplementRequested(
        **CASE, reason="施工图缺少盖章", materials=["施工图", "授权委托书"]
    ),
    EventKind.CASE_CONCLUDED: CaseConcluded(**CONCLUSION, licence_id=7),
    EventKind.CASE_RATING_INVITED: CaseRatingInvited(**CONCLUSION, rating_url=f"{SITE}/rate?case_no=KF20260924001"),
    EventKind.CASE_DECISION_NEEDED: CaseDecisionNeeded(
        **CASE, opinion_so_far="审查通过", step="decide", materials_url=f"{SITE}/admin/cases/1"
    ),
    EventKind.CASE_QUERY_CODE_REISSUED: CaseQueryCodeReissued(**CASE, reissued_at="2026-09-25T10:30"),
    EventKind.CASE_WITHDRAWN: CaseWithdrawn(
        **CASE, reason="信息填写有误，重新申报", withdrawn_at="2026-09-24T11:00", case_url=f"{SITE}/admin/cases/1"
    ),
    EventKind.SUPERVISION_PUSHED: SupervisionPushed(**PUSH),
    EventKind.SUPERVISION_FEEDBACK: SupervisionFeedback(
        **PUSH,
        inspected=True,
        inspected_on="2026-10-12",
        problems_found=False,
        problems="",
        measures="",
        handler_name="王*",
        fed_back_at="2026-10-12T15:00",
    ),
    EventKind.SUPERVISION_ESCALATED: SupervisionEscalated(
        **PUSH,
        stage="claim",
        stage_label="超过认领时限未认领",
        level=1,
        level_label="提醒部门",
        threshold_at="2026-10-13T10:00",
        due_at="2026-10-13T10:00",
        escalated_at="2026-10-13T10:05",
    ),
    EventKind.WARNING_RAISED: WarningRaised(**WARNING, situation="已逾期"),
    EventKind.WARNING_ESCALATED: WarningEscalated(
        **WARNING, overdue_days=4, state_label="已签收", escalated_at="2026-10-13T00:15"
    ),
    EventKind.WARNING_DIGEST: WarningDigestFacts(
        audience="leader",
        day="2026-10-13",
        department_id=None,
        department_name="",
        total=1,
        red=1,
        yellow=0,
        escalated=1,
        lines=[
            WarningLine(
                warning_id=1,
                title=WARNING["title"],
                level_label="红色预警",
                department_name="自然资源和规划局",
                due_on="2026-09-30",
                state_label="已签收",
                escalated=True,
            )
        ],
        url=f"{SITE}/admin/warnings?level=red",
    ),
    EventKind.ASSESSMENT_PUBLISHED: AssessmentPublished(
        **ASSESSMENT,
        url=f"{SITE}/admin/assessment/1/departments/2",
        department_id=2,
        department_name="住房和城乡建设局",
        total=91.5,
        rank=2,
        ranked_count=20,
        corrected=False,
        scores=[
            AssessmentScoreLine(name="办件按时办结率", weight=60, score=95.0),
            AssessmentScoreLine(name="项目节点按时完成率", weight=40, score=None),
        ],
    ),
    EventKind.ASSESSMENT_RANKING: AssessmentRanking(
        **ASSESSMENT,
        url=f"{SITE}/admin/assessment/1",
        ranked_count=2,
        ranking=[
            AssessmentRankLine(rank=1, department_name="行政审批局", total=96.25),
            AssessmentRankLine(rank=2, department_name="住房和城乡建设局", total=91.5),
            AssessmentRankLine(rank=None, department_name="档案馆", total=None),
        ],
    ),
    EventKind.ISSUE_RAISED: IssueRaised(**ISSUE, description="施工临时用电需在开工前接入"),
    EventKind.ISSUE_REPLIED: IssueReplied(
        **ISSUE, department_name="供电公司", author_name="陈供电", body="已安排10月14日现场勘查", all_replied=False
    ),
    EventKind.ISSUE_CLOSED: IssueClosed(
        **ISSUE, closed_by_name="周专员", closing_note="10月15日已接入", closed_at="2026-10-15T16:00"
    ),
    EventKind.MEETING_DECIDED: MeetingDecided(
        meeting_id=1,
        major_project_id=1,
        project_code="ZD2026-001",
        project_name="新能源电池产业园",
        held_on="2026-10-12",
        topic="施工许可前置条件",
        host_name="王领导",
        department_id=2,
        department_name="住房和城乡建设局",
        decisions=[
            DecisionLine(content="容缺受理施工许可", owner_name="刘科长", due_on="2026-10-20"),
            DecisionLine(content="安排提前踏勘", owner_name="", due_on=None),
        ],
        url=f"{SITE}/admin/major-projects/1",
    ),
}


def example(kind: EventKind, **changes: Any) -> EventPayload:
    """The example payload of ``kind`` with some facts changed."""
    return EXAMPLES[kind].model_copy(update=changes)
