"""受理资料模板: each material of an item may carry a blank form (空白表格) and a filled sample (样表), uploaded by
the item's managers, versioned (a new upload is a new version; the newest is served, the older ones stay listed),
previewed (a PDF's first page as PNG, made once and kept) and downloadable by anyone who reads the guide."""

import io
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.files import service as file_service
from core.files.models import StoredFile
from core.items.models import ItemMaterial, ItemTemplate, ServiceItem
from core.items.schemas import TemplateOut
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission


class TemplateKind(StrEnum):
    """The two kinds of template a material can have."""

    BLANK = "blank"
    SAMPLE = "sample"


KIND_LABELS = {TemplateKind.BLANK: "空白表格", TemplateKind.SAMPLE: "填写样表"}
ALLOWED_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png")
"""What a template may be: forms people fill in or print (an archive or an OFD is refused)."""
MAX_BYTES = 10 * 1024 * 1024
PREVIEW_WIDTH = 900
"""Pixels across the preview of a PDF's first page: readable on a phone, small enough to load quickly."""


def require_manager(user: User | None, item: ServiceItem) -> User:
    """The user when they may change this item's guide: the permission, and a data scope that reaches the item's
    department (a department-scoped manager edits only their own department's items)."""
    return require_department_manager(user, item.department_id)


def require_department_manager(user: User | None, department_id: int) -> User:
    """The user when they may manage the items of this department (creating one, moving one there)."""
    checked = org_service.require(user, Permission.ITEM_MANAGE)
    if not org_service.can_reach_department(checked, {department_id}):
        raise PermissionDenied("您只能维护本部门的事项")
    return checked


def material_of(item: ServiceItem, material_id: int) -> ItemMaterial:
    """The item's material with this id (a material of another item is not found)."""
    material = next((m for m in item.materials if m.id == material_id), None)
    if material is None:
        raise NotFound("该事项没有这项材料", field="material_id")
    return material


def kind_of(value: str) -> TemplateKind:
    """The template kind named, or a Chinese refusal."""
    try:
        return TemplateKind(value)
    except ValueError:
        raise ValidationFailed("请选择模板类别：空白表格或填写样表", field="kind") from None


def check_template_file(filename: str, content: bytes) -> None:
    """Refuses what cannot serve as a template (its type, its size) before the general upload checks."""
    name = filename or "未命名文件"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise ValidationFailed(
            f"文件“{name}”的类型不能作为模板，请上传 PDF、Word（doc、docx）、Excel（xls、xlsx）或图片（jpg、png）",
            field="file",
            code="upload_type",
        )
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            f"文件“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB，请压缩后再上传", field="file", code="upload_size"
        )


def upload(
    db: Session,
    user: User,
    item: ServiceItem,
    *,
    material_id: int,
    kind: str,
    filename: str,
    content: bytes,
    note: str = "",
) -> ItemTemplate:
    """Stores a new version of a material's template (checked and checksummed by core/files)."""
    require_manager(user, item)
    material = material_of(item, material_id)
    chosen = kind_of(kind)
    check_template_file(filename, content)
    stored = file_service.store(db, filename=filename, content=content, uploaded_by_id=user.id)
    return _add_version(db, item, material, chosen, stored, user, note)


def add_generated(
    db: Session, item: ServiceItem, material: ItemMaterial, kind: TemplateKind, *, filename: str, content: bytes
) -> ItemTemplate:
    """A template the platform made itself (the demo's), stored as a new version like an upload."""
    stored = file_service.store_generated(
        db, filename=filename, content=content, content_type="application/pdf", uploaded_by_id=None
    )
    return _add_version(db, item, material, kind, stored, None, "")


def _add_version(
    db: Session,
    item: ServiceItem,
    material: ItemMaterial,
    kind: TemplateKind,
    stored: StoredFile,
    user: User | None,
    note: str,
) -> ItemTemplate:
    db.flush()
    latest = db.scalar(
        select(func.max(ItemTemplate.version)).where(
            ItemTemplate.material_id == material.id, ItemTemplate.kind == kind.value
        )
    )
    template = ItemTemplate(
        item_id=item.id,
        material_id=material.id,
        kind=kind.value,
        version=(latest or 0) + 1,
        file_id=stored.id,
        note=note.strip()[:200],
        uploaded_by_id=user.id if user else None,
    )
    template.file, template.material = stored, material
    db.add(template)
    db.flush()
    return template


def history(db: Session, item: ServiceItem) -> list[ItemTemplate]:
    """Every version of every template of the item, by material and kind, newest first."""
    rows = db.scalars(
        select(ItemTemplate)
        .where(ItemTemplate.item_id == item.id)
        .order_by(ItemTemplate.material_id, ItemTemplate.kind, ItemTemplate.version.desc())
    )
    return list(rows)


def current(db: Session, item: ServiceItem) -> list[ItemTemplate]:
    """The template served for each material and kind (its newest version), in the order of the material list."""
    newest: dict[tuple[int, str], ItemTemplate] = {}
    for template in history(db, item):
        newest.setdefault((template.material_id, template.kind), template)
    order = {m.id: m.seq for m in item.materials}
    return sorted(
        (t for t in newest.values() if t.material_id in order),
        key=lambda t: (order[t.material_id], t.kind != TemplateKind.BLANK),
    )


def current_for_materials(db: Session, material_ids: list[int]) -> dict[int, list[ItemTemplate]]:
    """The templates served for each of these materials (of published items), blank form first: what the
    online application's material table offers for download."""
    if not material_ids:
        return {}
    rows = db.scalars(
        select(ItemTemplate)
        .join(ServiceItem, ServiceItem.id == ItemTemplate.item_id)
        .where(ItemTemplate.material_id.in_(material_ids), ServiceItem.is_published.is_(True))
        .order_by(ItemTemplate.material_id, ItemTemplate.kind, ItemTemplate.version.desc())
    )
    newest: dict[tuple[int, str], ItemTemplate] = {}
    for template in rows:
        newest.setdefault((template.material_id, template.kind), template)
    ordered = sorted(newest.values(), key=lambda t: (t.material_id, t.kind != TemplateKind.BLANK))
    return by_material(ordered)


def by_material(templates: list[ItemTemplate]) -> dict[int, list[ItemTemplate]]:
    """Templates grouped by material id (what a material table shows on each line)."""
    out: dict[int, list[ItemTemplate]] = {}
    for template in templates:
        out.setdefault(template.material_id, []).append(template)
    return out


def get(db: Session, template_id: int, *, item_id: int | None = None) -> ItemTemplate:
    """A template version, or NotFound (also when it belongs to another item than the one named)."""
    template = db.get(ItemTemplate, template_id)
    if template is None or (item_id is not None and template.item_id != item_id):
        raise NotFound("模板不存在", field="template_id")
    return template


def get_served(db: Session, user: User | None, template_id: int, *, item_id: int | None = None) -> ItemTemplate:
    """A template anyone may download: the current version of a published item's material. Older versions and
    the templates of unpublished items only for the item's managers."""
    template = get(db, template_id, item_id=item_id)
    item = db.get(ServiceItem, template.item_id)
    if item is None:
        raise NotFound("模板不存在")
    newest = next(
        (t for t in current(db, item) if t.material_id == template.material_id and t.kind == template.kind), None
    )
    if item.is_published and newest is not None and newest.id == template.id:
        return template
    if user is not None and Permission.ITEM_MANAGE in user.permissions:
        require_manager(user, item)
        return template
    raise NotFound("该模板已更新，请下载最新版本")


def out(template: ItemTemplate) -> TemplateOut:
    """The API's view of a template version."""
    return TemplateOut.from_model(
        template,
        kind_label=KIND_LABELS[TemplateKind(template.kind)],
        filename=download_name(template),
        has_preview=has_preview(template),
    )


def download_name(template: ItemTemplate) -> str:
    """What the download is called: the material's name, the kind, the version and the file's own extension."""
    label = KIND_LABELS[TemplateKind(template.kind)]
    return f"{template.material.name}-{label}-第{template.version}版.{template.file.extension}"


def opened(template: ItemTemplate) -> file_service.FileContent:
    """The template's bytes under its download name."""
    stored = file_service.opened(template.file)
    return file_service.FileContent(download_name(template), stored.content_type, stored.content)


@dataclass(frozen=True)
class Preview:
    """What the preview of a template shows: an image, or nothing (an Office file: download it to see it)."""

    content_type: str
    content: bytes


def preview(template: ItemTemplate) -> Preview | None:
    """A PDF's first page as PNG (made once, kept beside the stored files), an image as itself, else None."""
    extension = template.file.extension
    if extension == "pdf":
        return Preview("image/png", file_service.derived(template.file, "page1.png", first_page_png))
    if extension in ("jpg", "jpeg", "png"):
        return Preview(template.file.content_type, file_service.read(template.file))
    return None


def has_preview(template: ItemTemplate) -> bool:
    """Whether :func:`preview` shows something for this template."""
    return template.file.extension in ("pdf", "jpg", "jpeg", "png")


def first_page_png(pdf: bytes) -> bytes:
    """The first page of a PDF rendered as PNG, :data:`PREVIEW_WIDTH` pixels wide (pypdfium2: no poppler)."""
    import pypdfium2  # heavy import, only when a preview is first made

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as exc:
        raise ValidationFailed("该 PDF 文件无法打开，无法生成预览，请下载查看") from exc
    try:
        page = document[0]
        width = page.get_width() or 595
        image = page.render(scale=PREVIEW_WIDTH / width).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()
