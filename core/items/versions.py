"""Publishing an item's guide as a version, taking it offline, and the 受理指导 window clerks read.

Publishing keeps what the guide says at that moment (its fields and material list) as version N and puts the item
online; a case filed afterwards records N (``case.item_version``) and is handled by it — its material list shown
on the case page is that version's, whatever the guide says later. Taking an item offline stops new applications
only: the cases already filed keep going under the version they were filed under.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from core.items import service as item_service
from core.items.models import ItemVersion, ServiceItem
from core.items.schemas import GuidanceIn, ItemIn, MaterialSpec, VersionOut
from core.items.templates import require_department_manager, require_manager
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission


def snapshot(item: ServiceItem) -> dict[str, Any]:
    """The guide as it stands: the fields an admin enters and the material list (with the material ids)."""
    data = {c.key: getattr(item, c.key) for c in ServiceItem.__table__.columns if c.key in ItemIn.model_fields}
    data["materials"] = [MaterialSpec.model_validate(m).model_dump() for m in item.materials]
    data.pop("is_published", None)
    return data


def publish(db: Session, user: User, item: ServiceItem, *, note: str = "") -> ItemVersion:
    """Publishes the guide as its next version and puts the item online."""
    require_manager(user, item)
    if not item.materials:
        raise ValidationFailed("请先在材料目录中至少填写一项材料再发布", field="materials")
    version = ItemVersion(
        item_id=item.id,
        version=item.published_version + 1,
        snapshot=snapshot(item),
        note=note.strip()[:200],
        published_at=now(),
        published_by_id=user.id,
    )
    db.add(version)
    item.published_version = version.version
    item.is_published = True
    db.flush()
    return version


def save(db: Session, user: User, item: ServiceItem | None, data: ItemIn) -> tuple[ServiceItem, ItemVersion | None]:
    """Creates or changes an item (its managers, for a department they reach); an item online is published again
    as the next version at once, so that a new case always records the guide it is filed under. An item offline
    is changed without a version until it is published."""
    if item is not None:
        require_manager(user, item)
    require_department_manager(user, data.department_id)
    saved = item_service.save(db, item, data)
    if not saved.is_published:
        return saved, None
    return saved, publish(db, user, saved, note="修改后发布" if item is not None else "新建时发布")


def unpublish(db: Session, user: User, item: ServiceItem) -> ServiceItem:
    """Takes the item offline: no new applications; cases already filed go on under their version."""
    require_manager(user, item)
    if not item.is_published:
        raise ValidationFailed(f"事项“{item.name}”已经是下线状态")
    item.is_published = False
    db.flush()
    return item


def list_versions(db: Session, item: ServiceItem) -> list[ItemVersion]:
    """The item's published versions, newest first."""
    query = select(ItemVersion).where(ItemVersion.item_id == item.id).order_by(ItemVersion.version.desc())
    return list(db.scalars(query))


def get_version(db: Session, item_id: int, version: int) -> ItemVersion:
    """One published version of an item's guide, or NotFound."""
    row = db.scalar(select(ItemVersion).where(ItemVersion.item_id == item_id, ItemVersion.version == version))
    if row is None:
        raise NotFound(f"该事项没有第{version}版指南")
    return row


def filed_materials(db: Session, item: ServiceItem, version: int | None) -> list[dict[str, Any]]:
    """The material list a case filed under ``version`` is handled by: that version's, or the guide's current one
    for cases filed before versions were kept."""
    if version:
        row = db.scalar(select(ItemVersion).where(ItemVersion.item_id == item.id, ItemVersion.version == version))
        if row is not None:
            return list(row.snapshot.get("materials") or [])
    return [MaterialSpec.model_validate(m).model_dump() for m in item.materials]


def out(version: ItemVersion) -> VersionOut:
    """The API's view of a published version."""
    materials = [MaterialSpec.model_validate(m) for m in version.snapshot.get("materials") or []]
    return VersionOut(
        version=version.version, note=version.note, published_at=version.published_at, materials=materials
    )


def require_guidance_reader(user: User | None, item: ServiceItem) -> User:
    """The user when they may read the item's 受理指导: staff who accept its cases (case handling reaching its
    department) or who manage it. Applicants never see it."""
    if user is None:
        raise NotAuthenticated("请先登录")
    for permission in (Permission.CASE_HANDLE, Permission.ITEM_MANAGE):
        if permission in user.permissions and org_service.can_reach_department(user, {item.department_id}):
            return user
    raise PermissionDenied("受理指导仅供办理该事项的窗口人员查看")


def save_guidance(db: Session, user: User, item: ServiceItem, data: GuidanceIn) -> ServiceItem:
    """Replaces the item's 受理指导 (its managers only)."""
    require_manager(user, item)
    item.acceptance_checklist = data.acceptance_checklist
    item.common_mistakes = data.common_mistakes
    item.refusal_grounds = [g.model_dump() for g in data.refusal_grounds]
    db.flush()
    return item
