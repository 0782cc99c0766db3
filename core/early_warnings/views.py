"""Early-warning API (项目预警): settings, the warning lists with counts and history, one's own open warnings
(also for a WeCom member through the bot), and the handling steps 签收 / 处理 / 销警."""

from datetime import date

from fastapi import APIRouter, Response

from core.deps import DB, ChannelUser, CurrentUser, ReadDB
from core.early_warnings import service, settings
from core.early_warnings.schemas import (
    CloseIn,
    DepartmentCount,
    HandleIn,
    SettingIn,
    SettingOut,
    WarningOut,
    WarningPage,
    WarningSummary,
)
from core.errors import NotAuthenticated

router = APIRouter(prefix="/warnings", tags=["项目预警"])


# ---------------------------------------------------------------- settings (预警设置)


@router.get("/settings", response_model=list[SettingOut], summary="预警设置（按类型和部门）")
def list_settings(db: ReadDB, user: CurrentUser) -> list[SettingOut]:
    """Every kind's default and the departments' own settings (warning.manage)."""
    return settings.table(db, user)


@router.post("/settings", response_model=SettingOut, status_code=201, summary="新增预警设置")
def create_setting(data: SettingIn, db: DB, user: CurrentUser) -> SettingOut:
    """A department's own thresholds for one kind (or the kind's default when none is stored yet)."""
    return settings.setting_out(db, settings.save(db, user, None, data))


@router.put("/settings/{setting_id}", response_model=SettingOut, summary="修改预警设置")
def update_setting(setting_id: int, data: SettingIn, db: DB, user: CurrentUser) -> SettingOut:
    """Changes the thresholds; the next scan and the case time states follow them."""
    return settings.setting_out(db, settings.save(db, user, settings.get(db, user, setting_id), data))


@router.delete("/settings/{setting_id}", status_code=204, summary="删除部门的预警设置")
def delete_setting(setting_id: int, db: DB, user: CurrentUser) -> Response:
    """The department follows the default again (defaults cannot be deleted)."""
    settings.delete(db, user, settings.get(db, user, setting_id))
    return Response(status_code=204)


# ---------------------------------------------------------------- lists (预警管理)


@router.get("", response_model=WarningPage, summary="预警列表（本部门的；全部范围看全部）")
def list_warnings(
    db: ReadDB,
    user: CurrentUser,
    level: str | None = None,
    state: str | None = None,
    department_id: int | None = None,
    subject_kind: str | None = None,
    major_project_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> WarningPage:
    """Warnings the caller reaches, newest first; ``state`` live lists those not closed or ended."""
    found = service.WarningFilter(level, state, department_id, subject_kind, major_project_id, date_from, date_to)
    rows, total = service.list_warnings(db, user, found, page=page, page_size=page_size)
    return WarningPage(items=service.summaries(db, rows), total=total, page=page, page_size=page_size)


@router.get("/counts", response_model=list[DepartmentCount], summary="预警统计（按部门）")
def counts(
    db: ReadDB,
    user: CurrentUser,
    level: str | None = None,
    state: str | None = None,
    subject_kind: str | None = None,
    major_project_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[DepartmentCount]:
    """Warnings per department by level and state, in the caller's reach."""
    found = service.WarningFilter(level, state, None, subject_kind, major_project_id, date_from, date_to)
    return service.counts_by_department(db, user, found)


@router.get("/mine", response_model=list[WarningSummary], summary="我的待办预警")
def mine(db: ReadDB, user: CurrentUser, channel_user: ChannelUser) -> list[WarningSummary]:
    """The caller's open warnings (to sign for or handle, or to close for managers), most urgent first. A
    service client (the bot) may ask for a WeCom member with ``X-Channel-User: wecom:<UserID>``: the staff
    account bound to that member is asked about."""
    if user is None:
        raise NotAuthenticated("请先登录")
    member = service.member_for(db, user, channel_user)
    return service.summaries(db, service.mine(db, member))


@router.get("/history", response_model=list[WarningSummary], summary="某一对象的预警历史")
def history(subject_kind: str, subject_id: int, db: ReadDB, user: CurrentUser) -> list[WarningSummary]:
    """Every warning of one case, node, milestone or coordination issue, oldest first."""
    return service.summaries(db, service.history(db, user, subject_kind, subject_id))


# ---------------------------------------------------------------- one warning (预警处理)


@router.get("/{warning_id}", response_model=WarningOut, summary="预警详情")
def get_warning(warning_id: int, db: ReadDB, user: CurrentUser) -> WarningOut:
    """A warning with its handling and the subject's history."""
    warning = service.get_for(db, user, warning_id)
    return service.warning_out(db, service.require_reader(user), warning)


@router.post("/{warning_id}/sign", response_model=WarningOut, summary="签收预警")
def sign(warning_id: int, db: DB, user: CurrentUser) -> WarningOut:
    """The responsible department acknowledges the warning (warning.handle)."""
    warning = service.get_to_handle(db, user, warning_id)
    return service.warning_out(db, service.require_reader(user), service.sign(db, user, warning))


@router.post("/{warning_id}/handle", response_model=WarningOut, summary="填报预警处理情况")
def handle(warning_id: int, data: HandleIn, db: DB, user: CurrentUser) -> WarningOut:
    """The reason, the plan and the new promised date (not before today)."""
    warning = service.get_to_handle(db, user, warning_id)
    return service.warning_out(db, service.require_reader(user), service.handle(db, user, warning, data))


@router.post("/{warning_id}/close", response_model=WarningOut, summary="销警")
def close(warning_id: int, data: CloseIn, db: DB, user: CurrentUser) -> WarningOut:
    """Closes a handled warning with a note (warning.manage)."""
    warning = service.get_to_close(db, user, warning_id)
    return service.warning_out(db, service.require_reader(user), service.close(db, user, warning, data))
