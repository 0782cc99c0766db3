"""Service catalogue API: public guides, admin curation."""

from fastapi import APIRouter

from core.deps import DB, CurrentUser
from core.items import service
from core.items.schemas import GuideOut, ItemIn, ItemSummary
from core.org import service as org_service
from core.org.permissions import Permission

router = APIRouter(tags=["事项与办事指南"])


@router.get("/items", response_model=list[ItemSummary], summary="事项目录（公开）")
def list_items(
    db: DB, q: str | None = None, category: str | None = None, department_id: int | None = None
) -> list[ItemSummary]:
    """The published catalogue, filtered by words of the name, category and department."""
    return [
        ItemSummary.from_model(i) for i in service.list_items(db, q=q, category=category, department_id=department_id)
    ]


@router.get("/items/{item_id}", response_model=GuideOut, summary="办事指南（公开）")
def get_guide(item_id: int, db: DB) -> GuideOut:
    """A published item's whole guide, elements in the standard order."""
    return GuideOut.from_model(service.get(db, item_id, published_only=True))


@router.post("/items", response_model=GuideOut, status_code=201, summary="新增事项")
def create_item(data: ItemIn, db: DB, user: CurrentUser) -> GuideOut:
    """Creates an item with its guide (admins)."""
    org_service.require(user, Permission.ITEM_MANAGE)
    return GuideOut.from_model(service.save(db, None, data))


@router.put("/items/{item_id}", response_model=GuideOut, summary="修改事项")
def update_item(item_id: int, data: ItemIn, db: DB, user: CurrentUser) -> GuideOut:
    """Changes an item and its guide (admins)."""
    org_service.require(user, Permission.ITEM_MANAGE)
    return GuideOut.from_model(service.save(db, service.get(db, item_id), data))
