"""The service catalogue: listing, reading and curating items and their guides."""

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, ValidationFailed
from core.items.enums import CASE_TYPE_LABELS
from core.items.models import ItemMaterial, ServiceItem
from core.items.schemas import GuideElement, GuideOut, ItemIn, ItemSummary, MaterialSpec
from core.org import service as org_service

CATEGORIES = ["投资建设", "业务协同", "市场准入", "不动产登记", "其它"]


def get(db: Session, item_id: int, *, published_only: bool = False) -> ServiceItem:
    """Returns an item or raises NotFound."""
    item = db.get(ServiceItem, item_id)
    if item is None or (published_only and not item.is_published):
        raise NotFound("事项不存在或已下线")
    return item


def list_items(
    db: Session,
    *,
    q: str | None = None,
    category: str | None = None,
    department_id: int | None = None,
    published_only: bool = True,
) -> list[ServiceItem]:
    """Items of the catalogue, filtered by words of the name, category and department."""
    query = select(ServiceItem).order_by(ServiceItem.category, ServiceItem.id)
    if published_only:
        query = query.where(ServiceItem.is_published.is_(True))
    if category:
        query = query.where(ServiceItem.category == category)
    if department_id:
        query = query.where(ServiceItem.department_id == department_id)
    if q and q.strip():
        words = q.strip()[:50]
        query = query.where(or_(ServiceItem.name.contains(words), ServiceItem.code == words))
    return list(db.scalars(query))


def summary(item: ServiceItem) -> ItemSummary:
    """A catalogue row."""
    return ItemSummary(
        id=item.id,
        code=item.code,
        name=item.name,
        item_type=item.item_type,
        category=item.category,
        department_id=item.department_id,
        department_name=item.department.name,
        promised_limit=item.promised_limit,
        promised_unit=item.promised_unit,
        case_type_label=CASE_TYPE_LABELS[item.case_type],
        is_online=item.is_online,
        fee=item.fee,
    )


def _limit(value: int, unit: str) -> str:
    return "当场办结" if value == 0 else f"{value}个{unit}"


def guide(item: ServiceItem) -> GuideOut:
    """The guide with its elements in the standard order of DOMAIN.md."""
    materials = [MaterialSpec.model_validate(m) for m in item.materials]
    elements = [
        ("name", "事项名称", item.name),
        ("code", "事项编码（实施编码）", item.code),
        ("item_type", "事项类型", item.item_type),
        ("department", "实施主体", item.department.name),
        ("legal_basis", "设定依据", item.legal_basis),
        ("scope", "适用范围", item.scope),
        ("conditions", "申请条件", item.conditions),
        ("materials", "材料目录", [m.model_dump() for m in materials]),
        ("process_steps", "办理流程", item.process_steps),
        ("location", "办理地点", item.location),
        ("office_hours", "办理时间", item.office_hours),
        ("consult_phone", "咨询电话", item.consult_phone),
        ("complaint_phone", "监督投诉电话", item.complaint_phone),
        ("statutory_limit", "法定时限", _limit(item.statutory_limit, item.statutory_unit)),
        ("promised_limit", "承诺时限", _limit(item.promised_limit, item.promised_unit)),
        ("case_type", "办件类型", CASE_TYPE_LABELS[item.case_type]),
        ("visits", "到现场次数", f"{item.visits}次"),
        ("fee", "收费依据及标准", item.fee),
        ("result", "结果名称及送达方式", f"{item.result_name}；{item.delivery_method}"),
        ("special_steps", "特殊环节", item.special_steps),
        ("faqs", "常见问题", item.faqs),
        ("online_depth", "网上办理深度", item.online_depth + ("（可网上申报）" if item.is_online else "（窗口办理）")),
    ]
    data: dict[str, Any] = {
        c.key: getattr(item, c.key) for c in ServiceItem.__table__.columns if c.key in ItemIn.model_fields
    }
    return GuideOut(
        **data,
        id=item.id,
        materials=materials,
        department_name=item.department.name,
        case_type_label=CASE_TYPE_LABELS[item.case_type],
        elements=[GuideElement(key=k, label=label, value=v) for k, label, v in elements],
    )


def save(db: Session, item: ServiceItem | None, data: ItemIn) -> ServiceItem:
    """Creates or updates an item and its material list after checking consistency."""
    org_service.get_department(db=db, department_id=data.department_id)
    if data.category not in CATEGORIES:
        raise ValidationFailed(f"事项分类应为：{'、'.join(CATEGORIES)}", field="category")
    if data.promised_unit == data.statutory_unit and data.promised_limit > data.statutory_limit:
        raise ValidationFailed("承诺时限不能长于法定时限", field="promised_limit")
    if data.case_type == 3 and not data.joint_route:
        raise ValidationFailed("联办件需要配置会办部门", field="joint_route")
    for stage in data.joint_route:
        for code in stage:
            if org_service.get_department_by_code(db=db, code=code) is None:
                raise ValidationFailed(f"会办部门编码“{code}”不存在", field="joint_route")
    clash = db.scalar(select(ServiceItem).where(func.lower(ServiceItem.code) == data.code.lower()))
    if clash is not None and clash is not item:
        raise Conflict(f"事项编码“{data.code}”已存在", field="code")
    if item is None:
        item = ServiceItem()
        db.add(item)
    for key, value in data.model_dump(exclude={"materials"}).items():
        setattr(item, key, value)
    existing = {m.id: m for m in item.materials}
    kept: list[ItemMaterial] = []
    for seq, spec in enumerate(data.materials, start=1):
        row = existing.get(spec.id) if spec.id else None
        if row is None:
            row = ItemMaterial()
        for key, value in spec.model_dump(exclude={"id"}).items():
            setattr(row, key, value)
        row.seq = seq
        kept.append(row)
    item.materials = kept
    db.flush()
    return item
