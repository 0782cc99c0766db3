"""The service catalogue: listing, reading and curating items and their guides."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core import cache
from core.errors import Conflict, NotFound, ValidationFailed
from core.items.models import ItemMaterial, ServiceItem
from core.items.schemas import GuideOut, ItemIn, ItemSummary
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


def catalogue(db: Session, *, category: str | None = None, department_id: int | None = None) -> list[ItemSummary]:
    """The published catalogue's rows as the portal lists them (filter lists, guides): cached (core/cache.py),
    emptied when an item, its materials or a department changes."""
    return cache.cached(
        "reference",
        f"catalogue:{category or ''}:{department_id or ''}",
        list[ItemSummary],
        lambda: [ItemSummary.from_model(i) for i in list_items(db, category=category, department_id=department_id)],
    )


def published_guide(db: Session, item_id: int) -> GuideOut:
    """A published item's whole guide: cached like the catalogue; NotFound for an unknown or withdrawn item."""
    return cache.cached(
        "reference", f"guide:{item_id}", GuideOut, lambda: GuideOut.from_model(get(db, item_id, published_only=True))
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
