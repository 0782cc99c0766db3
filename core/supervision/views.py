"""Dual push API: configurations, pushes with claim and feedback, escalations, comparisons, statistics."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile

from core.deps import DB, CurrentUser, ReadDB
from core.supervision import comparison, configs, service, stats
from core.supervision.schemas import (
    ComparisonOut,
    ComparisonSummary,
    ConfigIn,
    ConfigOut,
    EscalationOut,
    FeedbackIn,
    FieldChoice,
    PushOut,
    PushPage,
    PushSummary,
    StatsOut,
)

router = APIRouter(prefix="/supervision", tags=["审管衔接"])


# ---------------------------------------------------------------- configurations


@router.get("/fields", response_model=list[FieldChoice], summary="推送配置可选的审批结果字段")
def fields(db: ReadDB, user: CurrentUser) -> list[FieldChoice]:
    """The checklist of fields a configuration may send (supervision.manage)."""
    configs.list_configs(db, user)  # the permission check
    return configs.field_choices()


@router.get("/configs", response_model=list[ConfigOut], summary="推送配置列表")
def list_configs(db: ReadDB, user: CurrentUser) -> list[ConfigOut]:
    """Every item's push configuration."""
    return [ConfigOut.from_model(c) for c in configs.list_configs(db, user)]


@router.post("/configs", response_model=ConfigOut, status_code=201, summary="新建推送配置")
def create_config(data: ConfigIn, db: DB, user: CurrentUser) -> ConfigOut:
    """Configures which departments receive an item's approval results, and which fields."""
    return ConfigOut.from_model(configs.save(db, user, None, data))


@router.get("/configs/{config_id}", response_model=ConfigOut, summary="推送配置详情")
def get_config(config_id: int, db: ReadDB, user: CurrentUser) -> ConfigOut:
    """One push configuration."""
    return ConfigOut.from_model(configs.get_for(db, user, config_id))


@router.put("/configs/{config_id}", response_model=ConfigOut, summary="修改推送配置")
def update_config(config_id: int, data: ConfigIn, db: DB, user: CurrentUser) -> ConfigOut:
    """Changes a configuration; pushes already made keep what they received."""
    return ConfigOut.from_model(configs.save(db, user, configs.get_for(db, user, config_id), data))


@router.delete("/configs/{config_id}", status_code=204, summary="删除推送配置")
def delete_config(config_id: int, db: DB, user: CurrentUser) -> Response:
    """Stops pushing the item's results; pushes already made stay."""
    configs.delete(db, user, configs.get_for(db, user, config_id))
    return Response(status_code=204)


# ---------------------------------------------------------------- pushes


@router.get("/pushes", response_model=PushPage, summary="审批推送列表（本部门收到的；管理员看全部）")
def list_pushes(
    db: ReadDB,
    user: CurrentUser,
    status: str | None = None,
    department_id: int | None = None,
    service_item_id: int | None = None,
    overdue: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> PushPage:
    """Pushes the caller's department received (all of them for supervision.manage), newest first."""
    found = service.PushFilter(status, department_id, service_item_id, overdue, date_from, date_to)
    rows, total = service.list_pushes(db, user, found, page=page, page_size=page_size)
    return PushPage(items=[PushSummary.from_model(p) for p in rows], total=total, page=page, page_size=page_size)


@router.get("/pushes/{push_id}", response_model=PushOut, summary="审批推送详情")
def get_push(push_id: int, db: ReadDB, user: CurrentUser) -> PushOut:
    """A push with the approval result as received, its feedback and escalations."""
    return service.push_out(db, service.get_for(db, user, push_id))


@router.post("/pushes/{push_id}/claim", response_model=PushOut, summary="认领审批推送")
def claim(push_id: int, db: DB, user: CurrentUser) -> PushOut:
    """The receiving department acknowledges the push (supervision.handle)."""
    push = service.get_to_handle(db, user, push_id)
    return service.push_out(db, service.claim(db, user, push))


@router.post("/pushes/{push_id}/feedback", response_model=PushOut, summary="反馈监管结果")
def feedback(push_id: int, data: FeedbackIn, db: DB, user: CurrentUser) -> PushOut:
    """Records the supervision result after the claim and pushes it back to the approving department."""
    push = service.get_to_handle(db, user, push_id)
    return service.push_out(db, service.give_feedback(db, user, push, data))


@router.get("/escalations", response_model=list[EscalationOut], summary="催办记录")
def escalations(
    db: ReadDB, user: CurrentUser, department_id: int | None = None, level: int | None = None
) -> list[EscalationOut]:
    """Escalations of the pushes the caller reaches, newest first."""
    found = service.list_escalations(db, user, department_id=department_id, level=level)
    return [EscalationOut.from_model(e, service.get(db, e.push_id)) for e in found]


# ---------------------------------------------------------------- comparisons


@router.post("/comparisons", response_model=ComparisonOut, status_code=201, summary="事项信息比对：上传对方事项清单")
def upload_comparison(
    file: Annotated[UploadFile, File()],
    db: DB,
    user: CurrentUser,
    source: Annotated[str, Form()] = "supervision",
) -> ComparisonOut:
    """Compares an .xlsx item list with the catalogue and keeps the report (sync: reading a workbook is
    CPU work that must not hold up the event loop)."""
    content = file.file.read(comparison.MAX_BYTES + 1)
    found = comparison.run(db, user, filename=file.filename or "", content=content, source=source)
    return ComparisonOut.from_model(found)


@router.get("/comparisons", response_model=list[ComparisonSummary], summary="事项信息比对报告列表")
def list_comparisons(db: ReadDB, user: CurrentUser) -> list[ComparisonSummary]:
    """Stored comparisons, newest first."""
    return [ComparisonSummary.from_model(c) for c in comparison.list_comparisons(db, user)]


@router.get("/comparisons/{comparison_id}", response_model=ComparisonOut, summary="事项信息比对报告")
def get_comparison(comparison_id: int, db: ReadDB, user: CurrentUser) -> ComparisonOut:
    """A stored comparison with its findings, field by field."""
    return ComparisonOut.from_model(comparison.get_for(db, user, comparison_id))


# ---------------------------------------------------------------- statistics


@router.get("/stats", response_model=StatsOut, summary="审管衔接统计")
def statistics(
    db: ReadDB,
    user: CurrentUser,
    date_from: date | None = None,
    date_to: date | None = None,
    department_id: int | None = None,
) -> StatsOut:
    """Pushed, claimed, fed back and overdue by department, item and month."""
    return stats.statistics(db, user, date_from=date_from, date_to=date_to, department_id=department_id)


@router.get(
    "/stats.xlsx",
    summary="审管衔接统计导出 Excel",
    response_class=Response,
    responses={200: {"content": {stats.XLSX: {}}}},
)
def statistics_excel(
    db: ReadDB,
    user: CurrentUser,
    date_from: date | None = None,
    date_to: date | None = None,
    department_id: int | None = None,
) -> Response:
    """The same figures as a workbook."""
    figures = stats.statistics(db, user, date_from=date_from, date_to=date_to, department_id=department_id)
    return Response(
        stats.workbook(figures, stats.export_title(date_from, date_to)), media_type=stats.XLSX, headers=_attachment()
    )


def _attachment() -> dict[str, str]:
    return {"Content-Disposition": 'attachment; filename="supervision-statistics.xlsx"'}
