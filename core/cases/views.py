"""Case API: applying, uploads, handling steps, progress query, publicity, statistics and the slip."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.cases import applicants, bindings, corrections, export, queries, query_codes, service, slip
from core.cases.models import Case
from core.cases.schemas import (
    ApplicantOut,
    CaseOut,
    CaseProjectOut,
    CaseSummary,
    ConcludeIn,
    MyCaseOut,
    OpinionIn,
    Page,
    ProgressIn,
    ProgressOut,
    PublicityRow,
    ResupplyIn,
    ReviewIn,
    SpecialEndIn,
    SpecialStartIn,
    StatsRow,
    SubmitIn,
    SubmitOut,
    SupplementIn,
    UploadOut,
)
from core.deps import DB, ChannelUser, CurrentUser, ReadDB, ReplicaDB
from core.errors import NotAuthenticated, ValidationFailed
from core.files import service as file_service
from core.major_projects import links as major_links
from core.org import service as org_service
from core.org.permissions import Permission
from core.rate_limit import client_ip
from core.settings import get_settings

router = APIRouter(tags=["办件"])


def _major_project(case: Case) -> CaseProjectOut | None:
    db = Session.object_session(case)
    if case.major_project_id is None or db is None:
        return None
    project, node = major_links.case_facts(db, case)
    if project is None:
        return None
    return CaseProjectOut(
        id=project.id,
        code=project.code,
        name=project.name,
        node_id=node.id if node else None,
        node_name=node.name if node else "",
    )


def case_out(case: Case) -> CaseOut:
    """A case as staff see it, with the deadline and the actions the case service works out, and the major project
    it was registered for."""
    return CaseOut.from_model(
        case,
        due=service.deadline(case),
        allowed_actions=service.allowed_actions(case),
        major_project=_major_project(case),
    )


@router.post("/uploads", response_model=UploadOut, status_code=201, summary="上传材料文件")
def upload(file: Annotated[UploadFile, File()], db: DB, user: CurrentUser) -> UploadOut:
    """Checks type (by extension and content) and size, then stores the file."""
    # A plain def: reading the spooled upload and storing it block, so FastAPI runs this in its thread pool.
    if user is None:
        raise NotAuthenticated("请先登录后再上传材料")
    limit = get_settings().upload_max_bytes
    content = file.file.read(limit + 1)
    stored = file_service.store(db, filename=file.filename or "", content=content, uploaded_by_id=user.id)
    db.flush()
    return UploadOut.from_model(stored)


@router.get("/applicants/prefill", response_model=ApplicantOut | None, summary="按证件号带出申请人信息")
def prefill(kind: str, id_number: str, db: DB, user: CurrentUser) -> ApplicantOut | None:
    """Earlier details for an ID number or credit code: a citizen's own from their earlier applications; for a
    window clerk an applicant of their departments, masked (each look-up is audited)."""
    if user is None:
        raise NotAuthenticated("请先登录")
    return applicants.prefill(db, user, kind=kind, id_number=id_number)


class ReusableOut(BaseModel):
    """An applicant's earlier materials and e-licences, offered for reuse."""

    history: list[dict[str, Any]]
    licences: list[dict[str, Any]]


@router.get("/applicants/reusable", response_model=ReusableOut, summary="可复用的历史材料和电子证照")
def reusable(kind: str, id_number: str, db: DB, user: CurrentUser) -> ReusableOut:
    """历史材料 and 电子证照 the caller gave before with this ID number (a window: the centre's, in its
    departments), for the next application."""
    if user is None:
        raise NotAuthenticated("请先登录")
    applicant = applicants.reusable_source(db, user, kind=kind, id_number=id_number)
    if applicant is None:
        return ReusableOut(history=[], licences=[])
    history, licences = service.reusable_materials(db, applicant.id, user)
    return ReusableOut(
        history=[
            {
                "id": m.id,
                "name": m.name,
                "item_material_id": m.item_material_id,
                "file_name": m.file.original_name if m.file else None,
                "created_at": m.created_at.isoformat(),
            }
            for m in history
        ],
        licences=[
            {
                "id": lic.id,
                "name": lic.name,
                "licence_no": lic.licence_no,
                "issued_at": lic.issued_at.isoformat(),
                "trust_level": lic.trust_level,
            }
            for lic in licences
        ],
    )


@router.post("/cases", response_model=SubmitOut, status_code=201, summary="网上申报")
def submit(data: SubmitIn, db: DB, user: CurrentUser) -> SubmitOut:
    """A logged-in citizen or enterprise applies online; the query password is shown this once. A major project
    it names must be one made from the applicant's own filing project."""
    new = service.submit_online(db, user, data)
    return SubmitOut.from_model(new.case, query_code=new.query_code)


@router.post("/cases/window", response_model=SubmitOut, status_code=201, summary="窗口登记")
def register(data: SubmitIn, db: DB, user: CurrentUser) -> SubmitOut:
    """A window clerk registers an application brought in person, for a major project their department has an
    open node of the item in, when one is named."""
    new = service.register_at_window(db, user, data)
    return SubmitOut.from_model(new.case, query_code=new.query_code)


@router.get("/cases", response_model=Page[CaseSummary], summary="办件列表（按数据权限）")
def list_cases(
    db: DB,
    user: CurrentUser,
    status: str | None = None,
    time_state: str | None = None,
    department_id: int | None = None,
    service_item_id: int | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[CaseSummary]:
    """Staff see their department's cases (leaders all); citizens their own."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not ({Permission.CASE_READ, Permission.CASE_APPLY} & user.permissions):
        org_service.require(user, Permission.CASE_READ)
    return queries.list_cases(
        db,
        user,
        status=status,
        time_state=time_state,
        department_id=department_id,
        service_item_id=service_item_id,
        q=q,
        page=page,
        page_size=page_size,
    )


@router.get("/cases/{case_id}", response_model=CaseOut, summary="办件详情")
def get_case(case_id: int, db: DB, user: CurrentUser) -> CaseOut:
    """A case the caller may see, with steps, materials, due date and allowed actions."""
    return case_out(service.get_for(db, user, case_id))


def _act(db: DB, user: CurrentUser, case_id: int) -> Case:
    if user is None:
        raise NotAuthenticated("请先登录")
    return service.get(db, case_id)


@router.post("/cases/{case_id}/accept", response_model=CaseOut, summary="受理")
def accept(case_id: int, data: OpinionIn, db: DB, user: CurrentUser) -> CaseOut:
    """受理: the clock starts."""
    case = _act(db, user, case_id)
    service.accept(db, user, case, opinion=data.opinion)
    return case_out(case)


@router.patch("/cases/{case_id}/registration", response_model=CaseOut, summary="受理前更正登记信息")
def edit_registration(case_id: int, data: corrections.RegistrationEdit, db: DB, user: CurrentUser) -> CaseOut:
    """Corrects the project name or the applicant's contact details of a case waiting for acceptance (a step of the
    case and an audit record with the reason)."""
    case = _act(db, user, case_id)
    corrections.edit_registration(db, user, case, data)
    return case_out(case)


@router.post("/cases/{case_id}/refuse", response_model=CaseOut, summary="不予受理")
def refuse(case_id: int, data: OpinionIn, db: DB, user: CurrentUser) -> CaseOut:
    """不予受理 with a reason (the opinion)."""
    case = _act(db, user, case_id)
    service.refuse(db, user, case, reason=data.opinion)
    return case_out(case)


@router.post("/cases/{case_id}/review", response_model=CaseOut, summary="审查（含联办会办）")
def review(case_id: int, data: ReviewIn, db: DB, user: CurrentUser) -> CaseOut:
    """审查: agree or not with an opinion."""
    case = _act(db, user, case_id)
    service.review(db, user, case, agree=data.agree, opinion=data.opinion, public=data.opinion_public)
    return case_out(case)


@router.post("/cases/{case_id}/decide", response_model=CaseOut, summary="决定")
def decide(case_id: int, data: ReviewIn, db: DB, user: CurrentUser) -> CaseOut:
    """决定: 同意 or 不同意 with an opinion."""
    case = _act(db, user, case_id)
    service.decide(db, user, case, agree=data.agree, opinion=data.opinion, public=data.opinion_public)
    return case_out(case)


@router.post("/cases/{case_id}/conclude", response_model=CaseOut, summary="办结")
def conclude(case_id: int, data: ConcludeIn, db: DB, user: CurrentUser) -> CaseOut:
    """办结 with a conclusion result code; results 1–5 need a reason."""
    case = _act(db, user, case_id)
    service.conclude(
        db, user, case, result=data.result, reason=data.reason, licence_valid_until=data.licence_valid_until
    )
    return case_out(case)


@router.post("/cases/{case_id}/supplement", response_model=CaseOut, summary="补齐补正告知")
def request_supplement(case_id: int, data: SupplementIn, db: DB, user: CurrentUser) -> CaseOut:
    """补齐补正: the clock pauses."""
    case = _act(db, user, case_id)
    service.request_supplement(db, user, case, reason=data.reason, materials=data.materials)
    return case_out(case)


@router.post("/cases/{case_id}/resupply", response_model=CaseOut, summary="补正材料提交")
def resupply(case_id: int, data: ResupplyIn, db: DB, user: CurrentUser) -> CaseOut:
    """The applicant (or the window for them) resupplies; the clock runs again."""
    case = _act(db, user, case_id)
    service.resupply(db, user, case, note=data.note, materials=data.materials)
    return case_out(case)


@router.post("/cases/{case_id}/special/start", response_model=CaseOut, summary="特别程序开始")
def start_special(case_id: int, data: SpecialStartIn, db: DB, user: CurrentUser) -> CaseOut:
    """特别程序 starts: the clock pauses."""
    case = _act(db, user, case_id)
    service.start_special(db, user, case, kind=data.kind, reason=data.reason)
    return case_out(case)


@router.post("/cases/{case_id}/special/end", response_model=CaseOut, summary="特别程序结束")
def end_special(case_id: int, data: SpecialEndIn, db: DB, user: CurrentUser) -> CaseOut:
    """特别程序 ends with a result: the clock runs again."""
    case = _act(db, user, case_id)
    service.end_special(db, user, case, result=data.result)
    return case_out(case)


@router.post("/cases/{case_id}/return", response_model=CaseOut, summary="退回")
def return_case(case_id: int, data: OpinionIn, db: DB, user: CurrentUser) -> CaseOut:
    """退回 to the previous step with a reason."""
    case = _act(db, user, case_id)
    service.return_case(db, user, case, opinion=data.opinion)
    return case_out(case)


@router.post(
    "/cases/{case_id}/slip",
    summary="打印受理通知书（PDF；窗口登记的办件首次打印时发放查询密码）",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def print_slip(case_id: int, db: DB, user: CurrentUser) -> Response:
    """The slip as a PDF, once the case is accepted; the password only on a window case's first print."""
    case = _act(db, user, case_id)
    code = query_codes.print_slip(db, user, case)
    pdf = slip.render_pdf(case, code)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="slip-{case.case_no}.pdf"'},
    )


@router.post("/progress", response_model=ProgressOut, summary="办件进度查询（公开，需查询密码）")
def progress(data: ProgressIn, db: ReadDB, request: Request, channel_user: ChannelUser) -> ProgressOut:
    """Case number + query password → progress. Wrong or unknown gets one answer; attempts are limited.

    The bot may leave the password out for a channel user bound to the case's applicant (``X-Channel-User``).
    """
    if not data.query_code and channel_user:
        return queries.progress_view(bindings.bound_case(db, channel_user, data.case_no))
    if not data.query_code:
        raise ValidationFailed("请输入查询密码（受理通知书上的6位数字）", field="query_code")
    return queries.guarded_progress(db, data.case_no, data.query_code, client=channel_user or client_ip(request))


class BindingIn(BaseModel):
    """Case number and password proving the channel user is the applicant."""

    case_no: str = Field(min_length=1, max_length=32)
    query_code: str = Field(min_length=1, max_length=32)


def _my_cases(db: Session, channel_user: str) -> list[MyCaseOut]:
    return [MyCaseOut.from_model(c) for c in bindings.bound_cases(db, channel_user)]


def _require_channel_user(channel_user: str | None) -> str:
    if not channel_user:
        raise ValidationFailed("缺少渠道用户标识（X-Channel-User）", field="X-Channel-User")
    return channel_user


@router.get("/my/cases", response_model=list[MyCaseOut], summary="渠道用户已绑定的办件（机器人“我的办件”）")
def my_cases(db: ReadDB, user: CurrentUser, channel_user: ChannelUser) -> list[MyCaseOut]:
    """The cases of the applicants this channel user is bound to, newest first (service clients only)."""
    org_service.require(user, Permission.SERVICE_CLIENT)
    return _my_cases(db, _require_channel_user(channel_user))


@router.post(
    "/my/bindings", response_model=list[MyCaseOut], status_code=201, summary="绑定办件（凭办件编号和查询密码）"
)
def bind(data: BindingIn, db: DB, user: CurrentUser, channel_user: ChannelUser) -> list[MyCaseOut]:
    """Binds the channel user to the applicant of this case; afterwards their cases need no password."""
    org_service.require(user, Permission.SERVICE_CLIENT)
    who = _require_channel_user(channel_user)
    bindings.bind(db, who, data.case_no, data.query_code)
    return _my_cases(db, who)


@router.get("/publicity", response_model=Page[PublicityRow], summary="办件公示（公开）")
def publicity(
    db: ReplicaDB,
    department_id: int | None = None,
    service_item_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[PublicityRow]:
    """Concluded cases, applicant names masked."""
    return queries.publicity(
        db,
        department_id=department_id,
        service_item_id=service_item_id,
        date_from=date_from,
        date_to=date_to,
        page=page,
        page_size=page_size,
    )


@router.get(
    "/statistics.xlsx",
    summary="办件统计导出 Excel（公开）",
    response_class=Response,
    responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}},
)
def statistics_excel(
    db: ReplicaDB, date_from: date | None = None, date_to: date | None = None, department_id: int | None = None
) -> Response:
    """The same figures as an Excel workbook: detail by department and month, totals by department."""
    rows = queries.statistics(db, date_from=date_from, date_to=date_to, department_id=department_id)
    span = export.statistics_span(rows, date_from, date_to)
    content = export.statistics_workbook(rows, f"{get_settings().centre_name} 办件统计（{span}）")
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="statistics.xlsx"'},
    )


@router.get("/statistics", response_model=list[StatsRow], summary="办件统计（公开）")
def statistics(
    db: ReplicaDB, date_from: date | None = None, date_to: date | None = None, department_id: int | None = None
) -> list[StatsRow]:
    """Received, concluded, on time and overdue by department and month."""
    return queries.statistics(db, date_from=date_from, date_to=date_to, department_id=department_id)
