"""预警设置 managed: the table per subject kind × department, saved with checks, audited (warning.manage).

The stored rows and their reading live below cases (core/warning_settings), because the case time state
(正常/预警/逾期) follows the case row of its department too. Inconsistent input is refused with a Chinese
message that says what to change, and nothing is saved.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit.context import acting
from core.clock import now
from core.early_warnings.schemas import SettingIn, SettingOut
from core.errors import Conflict, NotFound, ValidationFailed
from core.org import service as org_service
from core.org.models import Department, User
from core.org.permissions import Permission
from core.warning_settings.models import WarningSetting
from core.warning_settings.thresholds import DEFAULTS, KIND_LABELS, SubjectKind

MAX_DAYS = 60
"""Working days (about three months): a yellow window or an escalation wait beyond that is a typing error."""
DEFAULT_NAME = "默认（未单独设置的部门）"


def require_manager(user: User | None) -> User:
    """A holder of warning.manage; 401/403 otherwise."""
    return org_service.require(user, Permission.WARNING_MANAGE)


def kind_of(value: str) -> SubjectKind:
    """The subject kind named, or a Chinese refusal listing the kinds."""
    try:
        return SubjectKind(value)
    except ValueError:
        choices = "、".join(f"{k.value}（{label}）" for k, label in KIND_LABELS.items())
        raise ValidationFailed(f"未知的预警类型“{value}”，可选：{choices}", field="subject_kind") from None


def _check_days(data: SettingIn) -> None:
    if data.yellow_days < 0:
        raise ValidationFailed("黄色预警天数不能为负数：红色预警（逾期）不能早于黄色预警", field="yellow_days")
    if data.yellow_days > MAX_DAYS:
        raise ValidationFailed(f"黄色预警天数不能超过 {MAX_DAYS} 个工作日", field="yellow_days")
    if data.escalate_days < 1:
        raise ValidationFailed(
            "升级天数至少为 1 个工作日：红色预警满 M 个工作日仍未解除才报告领导", field="escalate_days"
        )
    if data.escalate_days > MAX_DAYS:
        raise ValidationFailed(f"升级天数不能超过 {MAX_DAYS} 个工作日", field="escalate_days")


def _department(db: Session, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = db.get(Department, department_id)
    if department is None or not department.is_active:
        raise ValidationFailed(f"部门编号 {department_id} 不存在或已停用，请重新选择", field="department_id")
    return department


def _name(setting: WarningSetting) -> str:
    return setting.department.name if setting.department is not None else DEFAULT_NAME


def setting_out(db: Session, setting: WarningSetting) -> SettingOut:
    """A stored setting as a table row."""
    editor = db.get(User, setting.updated_by_id) if setting.updated_by_id else None
    kind = SubjectKind(setting.subject_kind)
    return SettingOut(
        id=setting.id,
        subject_kind=kind.value,
        subject_label=KIND_LABELS[kind],
        department_id=setting.department_id,
        department_name=_name(setting),
        yellow_days=setting.yellow_days,
        escalate_days=setting.escalate_days,
        is_enabled=setting.is_enabled,
        updated_by_name=editor.name if editor is not None else "",
        updated_at=setting.updated_at,
    )


def table(db: Session, user: User | None) -> list[SettingOut]:
    """Every kind's default (stored, or built in) followed by its departments' own rows."""
    require_manager(user)
    stored = list(db.scalars(select(WarningSetting)))
    rows: list[SettingOut] = []
    for kind in SubjectKind:
        mine = [s for s in stored if s.subject_kind == kind.value]
        default = next((s for s in mine if s.department_id is None), None)
        if default is not None:
            rows.append(setting_out(db, default))
        else:
            built_in = DEFAULTS[kind]
            rows.append(
                SettingOut(
                    id=None,
                    subject_kind=kind.value,
                    subject_label=KIND_LABELS[kind],
                    department_id=None,
                    department_name=DEFAULT_NAME,
                    yellow_days=built_in.yellow_days,
                    escalate_days=built_in.escalate_days,
                    is_enabled=built_in.enabled,
                    updated_by_name="",
                    updated_at=None,
                )
            )
        own = [s for s in mine if s.department is not None]
        own.sort(key=lambda s: (s.department.sort_order, s.department_id) if s.department else (0, 0))
        rows += [setting_out(db, s) for s in own]
    return rows


def get(db: Session, user: User | None, setting_id: int) -> WarningSetting:
    """A stored setting (warning.manage) or NotFound."""
    require_manager(user)
    setting = db.get(WarningSetting, setting_id)
    if setting is None:
        raise NotFound("预警设置不存在")
    return setting


def save(db: Session, user: User | None, setting: WarningSetting | None, data: SettingIn) -> WarningSetting:
    """Creates a setting (``setting`` None) or changes one; refused input saves nothing."""
    manager = require_manager(user)
    kind = kind_of(data.subject_kind)
    department = _department(db, data.department_id)
    _check_days(data)
    label = f"“{department.name if department else DEFAULT_NAME}”的“{KIND_LABELS[kind]}”预警设置"
    if setting is None:
        exists = db.scalar(
            select(WarningSetting.id).where(
                WarningSetting.subject_kind == kind.value,
                WarningSetting.department_id.is_(None)
                if department is None
                else WarningSetting.department_id == department.id,
            )
        )
        if exists is not None:
            raise Conflict(f"{label}已存在，请修改原设置", code="setting_exists")
        setting = WarningSetting(subject_kind=kind.value, department_id=department.id if department else None)
        setting.department = department
        db.add(setting)
    elif (setting.subject_kind, setting.department_id) != (kind.value, data.department_id):
        raise ValidationFailed("已有设置的类型和部门不能修改；如需为其他部门设置，请新增一条", field="department_id")
    with acting(action="warning.configure"):
        setting.yellow_days = data.yellow_days
        setting.escalate_days = data.escalate_days
        setting.is_enabled = data.is_enabled
        setting.updated_by_id = manager.id
        setting.updated_at = now()
        try:
            with db.begin_nested():
                db.flush()
        except IntegrityError:
            raise Conflict(f"{label}已存在（刚刚由他人保存），请刷新后修改", code="setting_exists") from None
    return setting


def delete(db: Session, user: User | None, setting: WarningSetting) -> None:
    """Removes a department's own setting (it follows the default again); the defaults stay."""
    require_manager(user)
    if setting.department_id is None:
        raise Conflict("默认设置不能删除；可以修改天数，或停用该类预警", code="default_setting")
    with acting(action="warning.configure"):
        db.delete(setting)
        db.flush()
