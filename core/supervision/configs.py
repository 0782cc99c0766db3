"""推送配置: per licensed service item, the supervising departments and what of the result they receive."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, ValidationFailed
from core.items.models import ServiceItem
from core.org import service as org_service
from core.org.models import Department, User
from core.org.permissions import Permission
from core.supervision.approval_result import DEFAULT_FIELDS, PUSH_FIELDS
from core.supervision.models import SupervisionConfig
from core.supervision.schemas import ConfigIn, FieldChoice


def field_choices() -> list[FieldChoice]:
    """The checklist of fields a configuration may send, with the defaults ticked."""
    return [FieldChoice(key=k, label=v, default=k in DEFAULT_FIELDS) for k, v in PUSH_FIELDS.items()]


def list_configs(db: Session, user: User | None) -> list[SupervisionConfig]:
    """Every push configuration, by item (supervision.manage)."""
    org_service.require(user, Permission.SUPERVISION_MANAGE)
    return list(db.scalars(select(SupervisionConfig).order_by(SupervisionConfig.service_item_id)))


def configurable_items(db: Session, user: User | None) -> list[ServiceItem]:
    """The items a push can be configured for: those that issue a licence, by department."""
    org_service.require(user, Permission.SUPERVISION_MANAGE)
    query = select(ServiceItem).where(ServiceItem.issues_licence.is_(True))
    return list(db.scalars(query.order_by(ServiceItem.department_id, ServiceItem.id)))


def get_for(db: Session, user: User | None, config_id: int) -> SupervisionConfig:
    """A push configuration (supervision.manage) or NotFound."""
    org_service.require(user, Permission.SUPERVISION_MANAGE)
    config = db.get(SupervisionConfig, config_id)
    if config is None:
        raise NotFound("推送配置不存在")
    return config


def for_item(db: Session, item_id: int) -> SupervisionConfig | None:
    """The configuration of a service item, if any."""
    return db.scalar(select(SupervisionConfig).where(SupervisionConfig.service_item_id == item_id))


def _departments(db: Session, ids: list[int]) -> list[Department]:
    found = []
    for department_id in dict.fromkeys(ids):
        department = db.get(Department, department_id)
        if department is None or not department.is_active:
            raise ValidationFailed(f"监管部门编号 {department_id} 不存在或已停用，请重新选择", field="department_ids")
        found.append(department)
    return sorted(found, key=lambda d: (d.sort_order, d.id))


def _fields(keys: list[str]) -> list[str]:
    unknown = [k for k in keys if k not in PUSH_FIELDS]
    if unknown:
        choices = "、".join(f"{k}（{v}）" for k, v in PUSH_FIELDS.items())
        raise ValidationFailed(f"未知的推送字段：{'、'.join(unknown)}。可选：{choices}", field="fields")
    return [k for k in PUSH_FIELDS if k in keys]


def save(db: Session, user: User | None, config: SupervisionConfig | None, data: ConfigIn) -> SupervisionConfig:
    """Creates or changes a configuration after checking item, departments and fields."""
    admin = org_service.require(user, Permission.SUPERVISION_MANAGE)
    item = db.get(ServiceItem, data.service_item_id)
    if item is None:
        raise ValidationFailed(f"事项编号 {data.service_item_id} 不存在", field="service_item_id")
    if not item.issues_licence:
        raise ValidationFailed(
            f"事项“{item.name}”办结时不出具证照，不会产生审批推送；请先在事项中勾选“结果为证照”",
            field="service_item_id",
        )
    departments = _departments(db, data.department_ids)
    fields = _fields(data.fields)
    other = for_item(db, item.id)
    if other is not None and other is not config:
        raise Conflict(f"事项“{item.name}”已有推送配置，请直接修改", field="service_item_id")
    if config is None:
        config = SupervisionConfig(service_item_id=item.id)
        db.add(config)
    config.service_item_id = item.id
    config.item = item
    config.departments = departments
    config.fields = fields
    config.note = data.note.strip()
    config.claim_days = data.claim_days
    config.feedback_days = data.feedback_days
    config.is_active = data.is_active
    config.updated_by_id = admin.id
    db.flush()
    return config


def delete(db: Session, user: User | None, config: SupervisionConfig) -> None:
    """Removes a configuration; pushes already made stay as they are."""
    org_service.require(user, Permission.SUPERVISION_MANAGE)
    db.delete(config)
    db.flush()
