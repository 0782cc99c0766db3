"""Project API: intake with drafts, derivation, department review and guidance letters (the bot uses it too)."""

from urllib.parse import quote

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.deps import DB, ChannelUser, CurrentUser, ReadDB
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.projects import letters, rules_impact, service
from core.projects.models import DepartmentReview, Derivation, GuidanceLetter, Project
from core.projects.schemas import (
    AdjustmentIn,
    ConfirmIn,
    DerivationOut,
    LetterOut,
    LetterVerificationOut,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    QuestionOut,
    QuestionsOut,
    ReviewOut,
)
from core.rules import indicators as ind
from core.rules import service as rules_service
from core.rules.engine import DerivedFlow
from core.rules.schemas import VersionOut

router = APIRouter(tags=["投资建设项目报建"])


def project_out(db: Session, project: Project) -> ProjectOut:
    """A project for the API, with whether answers changed since its last derivation."""
    return ProjectOut.from_model(project, derivation_stale=service.derivation_stale(db, project))


def questions_out(project: Project) -> QuestionsOut:
    """Which questions apply now and which is next, with the project facts still missing."""
    return QuestionsOut.from_model(project, missing_project_info=service.missing_info(project))


def review_out(db: Session, review: DepartmentReview) -> ReviewOut:
    """A department review with the items of its derivation it covers."""
    flow = DerivedFlow.model_validate(db.get_one(Derivation, review.derivation_id).flow)
    return ReviewOut.from_model(review, project=service.review_project(db, review), flow=flow)


def letter_out(letter: GuidanceLetter) -> LetterOut:
    """A letter version with its links."""
    return LetterOut.from_model(letter, verify_url=letters.verify_url(letter.verification_code))


@router.get("/projects/questions", response_model=list[QuestionOut], summary="全部指标问题（含选项、单位、范围）")
def all_questions() -> list[QuestionOut]:
    """The indicator catalogue; which questions apply depends on earlier answers (see a project's questions)."""
    return [QuestionOut.from_question(q, {}) for q in ind.QUESTIONS]


@router.post("/projects", response_model=ProjectOut, status_code=201, summary="新建项目（草稿）")
def create(data: ProjectIn, db: DB, user: CurrentUser, channel_user: ChannelUser) -> ProjectOut:
    """An enterprise filer starts a project; answers may follow later."""
    return project_out(db, service.create_project(db, user, data, channel_user=channel_user))


@router.get("/projects", response_model=list[ProjectOut], summary="项目列表（按权限）")
def list_projects(
    db: ReadDB, user: CurrentUser, channel_user: ChannelUser, status: str | None = None, q: str | None = None
) -> list[ProjectOut]:
    """Filers see their own projects; guides and leaders all; department staff those their department reviews."""
    found = service.list_projects(db, user, status=status, q=q, channel_user=channel_user)
    return [project_out(db, p) for p in found]


@router.get("/projects/{project_id}", response_model=ProjectOut, summary="项目详情")
def get(project_id: int, db: ReadDB, user: CurrentUser, channel_user: ChannelUser) -> ProjectOut:
    """One project."""
    return project_out(db, service.get_for(db, user, project_id, channel_user=channel_user))


@router.patch("/projects/{project_id}", response_model=ProjectOut, summary="保存草稿（项目信息和指标）")
def update(project_id: int, data: ProjectPatch, db: DB, user: CurrentUser, channel_user: ChannelUser) -> ProjectOut:
    """Saves what the filer entered so far; each answer is checked and a contradiction names the field."""
    project = service.get_for(db, user, project_id, channel_user=channel_user)
    return project_out(db, service.update_project(db, user, project, data))


@router.get("/projects/{project_id}/questions", response_model=QuestionsOut, summary="适用的指标问题和下一个问题")
def project_questions(project_id: int, db: ReadDB, user: CurrentUser, channel_user: ChannelUser) -> QuestionsOut:
    """The questions that apply given the answers so far; the next unanswered one first."""
    return questions_out(service.get_for(db, user, project_id, channel_user=channel_user))


def derivation_out(db: Session, project: Project) -> DerivationOut:
    """The latest derivation with reviews applied."""
    derivation, flow = letters.final_flow(db, project)
    return DerivationOut.from_model(derivation, flow=flow, reviews=[review_out(db, r) for r in derivation.reviews])


@router.post("/projects/{project_id}/derive", response_model=DerivationOut, summary="流程推演")
def derive(project_id: int, db: DB, user: CurrentUser, channel_user: ChannelUser) -> DerivationOut:
    """Derives the approval flow with the rules in force and issues the draft letter (初稿)."""
    project = service.get_for(db, user, project_id, channel_user=channel_user)
    letters.derive_with_letter(db, user, project)
    return derivation_out(db, project)


@router.get("/projects/{project_id}/flow", response_model=DerivationOut, summary="当前流程（含部门审核结果）")
def flow(project_id: int, db: ReadDB, user: CurrentUser, channel_user: ChannelUser) -> DerivationOut:
    """The derived flow with every department's changes and confirmations."""
    return derivation_out(db, service.get_for(db, user, project_id, channel_user=channel_user))


@router.post("/projects/{project_id}/review", response_model=list[ReviewOut], summary="提交部门审核")
def send_for_review(project_id: int, db: DB, user: CurrentUser, channel_user: ChannelUser) -> list[ReviewOut]:
    """Sends the derived flow to every department with items in it."""
    project = service.get_for(db, user, project_id, channel_user=channel_user)
    return [review_out(db, r) for r in service.send_for_review(db, user, project)]


@router.get("/project-reviews", response_model=list[ReviewOut], summary="本部门的审核任务")
def list_reviews(db: ReadDB, user: CurrentUser, status: str | None = service.PENDING) -> list[ReviewOut]:
    """Reviews waiting for the caller's department (status=confirmed for done ones, empty for all)."""
    return [review_out(db, r) for r in service.list_reviews(db, user, status=status or None)]


@router.get("/project-reviews/{review_id}", response_model=ReviewOut, summary="审核任务详情")
def get_review(review_id: int, db: ReadDB, user: CurrentUser) -> ReviewOut:
    """One review of the caller's department."""
    return review_out(db, service.get_review(db, user, review_id))


@router.post(
    "/project-reviews/{review_id}/adjustments", response_model=ReviewOut, status_code=201, summary="新增/更正/删除事项"
)
def adjust(review_id: int, data: AdjustmentIn, db: DB, user: CurrentUser) -> ReviewOut:
    """A department adds an approval, corrects or removes one of its own, always with an opinion."""
    review = service.get_review(db, user, review_id)
    service.add_adjustment(db, user, review, data)
    return review_out(db, review)


@router.post("/project-reviews/{review_id}/confirm", response_model=ReviewOut, summary="确认本部门事项")
def confirm(review_id: int, data: ConfirmIn, db: DB, user: CurrentUser) -> ReviewOut:
    """Confirms the department's items; when the last department confirms, the final letter is issued."""
    review = service.get_review(db, user, review_id)
    letters.confirm_with_letter(db, user, review, data.opinion)
    return review_out(db, review)


@router.post("/projects/{project_id}/letter", response_model=LetterOut, summary="生成指导意见书（流程变化时出新版本）")
def issue_letter(project_id: int, db: DB, user: CurrentUser, channel_user: ChannelUser) -> LetterOut:
    """The letter for the current flow; a new version only when the flow changed."""
    project = service.get_for(db, user, project_id, channel_user=channel_user)
    return letter_out(letters.issue_letter(db, user, project))


@router.get("/projects/{project_id}/letters", response_model=list[LetterOut], summary="指导意见书各版本")
def list_letters(project_id: int, db: ReadDB, user: CurrentUser, channel_user: ChannelUser) -> list[LetterOut]:
    """Every version issued, newest first."""
    return [
        letter_out(x) for x in letters.letters_of(db, service.get_for(db, user, project_id, channel_user=channel_user))
    ]


@router.get("/letters/{code}", response_model=LetterVerificationOut, summary="核验指导意见书（公开）")
def verify(code: str, db: ReadDB) -> LetterVerificationOut:
    """Anyone holding the letter can check that it is genuine and whether a newer version exists."""
    letter = letters.by_code(db, code)
    project = db.get_one(Project, letter.project_id)
    newest = letters.letters_of(db, project)[0]
    url = letters.verify_url(letter.verification_code)
    return LetterVerificationOut.verified(letter, verify_url=url, project=project, latest_version=newest.version)


@router.get("/letters/{code}/pdf", summary="下载指导意见书 PDF（凭验证码）")
def letter_pdf(code: str, db: ReadDB) -> Response:
    """The PDF of the letter with this verification code."""
    letter = letters.by_code(db, code)
    filename = letters.pdf_name(letter)
    return Response(
        letters.pdf_bytes(letter),
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"},
    )


# ---------------------------------------------------------------- rule-set changes that re-derive projects
# The dry run, publishing and rolling back live here, under /rules, because re-deriving is the projects'
# business (rules_impact); the rule engine and its versions (core/rules) know nothing of projects.

rule_changes_router = APIRouter(prefix="/rules", tags=["流程推演规则"])


def _rules_manager(user: User | None) -> User:
    return org_service.require(user, Permission.RULES_MANAGE)


class FlowChangeOut(BaseModel):
    """A project whose flow would change (dry-run) or did change (publish/rollback)."""

    project_id: int
    project_code: str
    project_name: str
    status: str
    added: list[str]
    removed: list[str]
    changed: list[str]


class ChangeResultOut(BaseModel):
    """The version now in force and the projects re-derived."""

    version: VersionOut
    rederived: list[FlowChangeOut]


class PublishIn(BaseModel):
    """A note saying what changed and why."""

    note: str = Field(max_length=500)


def _changes(changes: list[rules_impact.FlowChange]) -> list[FlowChangeOut]:
    return [FlowChangeOut(**vars(c)) for c in changes]


class DryRunOut(BaseModel):
    """What publishing the draft would do."""

    will_change: list[FlowChangeOut] = Field(description="发布后将按新规则重新推演的项目")
    held: list[FlowChangeOut] = Field(description="流程会不同、但已在审核/已确认/填报中而保持原流程的项目")


@rule_changes_router.post("/draft/dry-run", response_model=DryRunOut, summary="试算：草稿会改变哪些项目的流程")
def dry_run(db: DB, user: CurrentUser) -> DryRunOut:
    """The existing projects whose flows publishing the draft would change, and how (nothing is saved)."""
    _rules_manager(user)
    _, document = rules_service.require_draft(db)
    return DryRunOut(
        will_change=_changes(rules_impact.dry_run(db, document)),
        held=_changes(rules_impact.held_back(db, document)),
    )


@rule_changes_router.post("/draft/publish", response_model=ChangeResultOut, summary="发布草稿")
def publish(data: PublishIn, db: DB, user: CurrentUser) -> ChangeResultOut:
    """Puts the draft in force and re-derives projects not yet with the departments."""
    version, changes = rules_impact.publish(db, _rules_manager(user), note=data.note)
    return ChangeResultOut(version=VersionOut.from_model(version), rederived=_changes(changes))


@rule_changes_router.post("/versions/{version}/rollback", response_model=ChangeResultOut, summary="回滚到此版本")
def rollback(version: int, db: DB, user: CurrentUser) -> ChangeResultOut:
    """Puts an earlier version's rules back in force as a new version."""
    new, changes = rules_impact.rollback(db, _rules_manager(user), version)
    return ChangeResultOut(version=VersionOut.from_model(new), rederived=_changes(changes))
