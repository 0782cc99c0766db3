"""Shapes of the service-item API; a guide lists its elements in the standard order (DOMAIN.md)."""

import re
from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.calendar.service import LimitUnit
from core.items.enums import CASE_TYPE_LABELS
from core.items.models import ItemTemplate, ServiceItem


class MaterialSpec(BaseModel):
    """An entry of the material list."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None = None
    name: str = Field(min_length=1, max_length=300)
    required: bool = True
    form: str = "原件"
    copies: int = Field(default=1, ge=0, le=99)
    medium: str = "纸质或电子"
    source: str = "申请人自备"
    licence_name: str = ""
    notes: str = ""


class ItemIn(BaseModel):
    """A service item with its guide, as an admin enters it."""

    code: str = Field(min_length=5, max_length=64)
    name: str = Field(min_length=2, max_length=200)
    aliases: list[str] = Field(
        default_factory=list,
        description="简称、别名和俗称，如“施工许可证”“过户”；搜索和智能客服据此识别问题说的是哪个事项",
    )
    item_type: str = Field(min_length=2, max_length=20)
    category: str = Field(min_length=2, max_length=20)
    department_id: int
    legal_basis: str = Field(min_length=2)
    scope: str = Field(min_length=1)
    conditions: str = Field(min_length=1)
    process_steps: list[dict[str, Any]] = Field(default_factory=list)
    location: str = Field(min_length=1)
    office_hours: str = Field(min_length=1)
    consult_phone: str = Field(min_length=5)
    complaint_phone: str = Field(min_length=5)
    statutory_limit: int = Field(ge=0, le=3650)
    statutory_unit: LimitUnit = LimitUnit.WORKING_DAY
    promised_limit: int = Field(ge=0, le=3650)
    promised_unit: LimitUnit = LimitUnit.WORKING_DAY
    case_type: int = Field(ge=1, le=4)
    visits: int = Field(default=1, ge=0, le=9)
    fee: str = Field(min_length=1, description="收费依据及标准；免费填“不收费”")
    result_name: str = Field(min_length=1)
    delivery_method: str = Field(min_length=1)
    special_steps: list[dict[str, Any]] = Field(default_factory=list)
    faqs: list[dict[str, str]] = Field(default_factory=list)
    online_depth: str = "三级"
    is_online: bool = True
    issues_licence: bool = False
    joint_route: list[list[str]] = Field(default_factory=list)
    is_published: bool = True
    materials: list[MaterialSpec] = Field(default_factory=list)

    @field_validator("aliases", mode="before")
    @classmethod
    def _split_aliases(cls, value: Any) -> Any:
        """Accepts a list or one text separated by 、，,；; or spaces (the admin form); drops blanks and repeats."""
        if isinstance(value, str):
            value = re.split(r"[、，,；;\s]+", value)
        if isinstance(value, list):
            return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
        return value

    @field_validator("fee")
    @classmethod
    def _fee_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("收费依据及标准不能为空，免费请填写“不收费”")
        return value.strip()


class ItemSummary(BaseModel):
    """A row of the service catalogue."""

    id: int
    code: str
    name: str
    item_type: str
    category: str
    department_id: int
    department_name: str
    promised_limit: int
    promised_unit: str
    case_type_label: str
    is_online: bool
    fee: str

    @classmethod
    def from_model(cls, item: ServiceItem) -> Self:
        """A catalogue row."""
        return cls(
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


class GuideElement(BaseModel):
    """One element of a guide: label and value, in the standard order."""

    key: str
    label: str
    value: Any


class GuideOut(ItemIn):
    """A whole guide: the item's data plus its elements in the standard order for display."""

    id: int
    department_name: str
    case_type_label: str
    elements: list[GuideElement]

    @classmethod
    def from_model(cls, item: ServiceItem) -> Self:
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
            (
                "online_depth",
                "网上办理深度",
                item.online_depth + ("（可网上申报）" if item.is_online else "（窗口办理）"),
            ),
        ]
        data: dict[str, Any] = {
            c.key: getattr(item, c.key) for c in ServiceItem.__table__.columns if c.key in ItemIn.model_fields
        }
        return cls(
            **data,
            id=item.id,
            materials=materials,
            department_name=item.department.name,
            case_type_label=CASE_TYPE_LABELS[item.case_type],
            elements=[GuideElement(key=k, label=label, value=v) for k, label, v in elements],
        )


def _limit(value: int, unit: str) -> str:
    return "当场办结" if value == 0 else f"{value}个{unit}"


class RefusalGround(BaseModel):
    """A case the window refuses to accept (不予受理的情形) and why (the reason and its basis)."""

    what: str = Field(min_length=2, max_length=300, description="不予受理的情形")
    why: str = Field(min_length=2, max_length=500, description="理由及依据")


class GuidanceIn(BaseModel):
    """受理指导 of an item, for window clerks (never shown to applicants)."""

    acceptance_checklist: list[str] = Field(default_factory=list, max_length=50, description="受理时逐项核对的要点")
    common_mistakes: list[str] = Field(default_factory=list, max_length=50, description="申请人常见错误")
    refusal_grounds: list[RefusalGround] = Field(default_factory=list, max_length=50, description="不予受理的情形")

    @field_validator("acceptance_checklist", "common_mistakes")
    @classmethod
    def _no_blank_lines(cls, value: list[str]) -> list[str]:
        lines = [line.strip() for line in value if line.strip()]
        if any(len(line) > 300 for line in lines):
            raise ValueError("每条不超过300个字")
        return lines


class GuidanceOut(GuidanceIn):
    """An item's 受理指导 with the item it belongs to."""

    model_config = ConfigDict(from_attributes=True)

    item_id: int
    item_name: str

    @classmethod
    def from_model(cls, item: ServiceItem) -> Self:
        """The guidance of an item."""
        return cls(
            item_id=item.id,
            item_name=item.name,
            acceptance_checklist=list(item.acceptance_checklist or []),
            common_mistakes=list(item.common_mistakes or []),
            refusal_grounds=[RefusalGround.model_validate(g) for g in item.refusal_grounds or []],
        )


class TemplateOut(BaseModel):
    """A version of a material's template, with the links to download and preview it."""

    id: int
    item_id: int
    material_id: int
    material_name: str
    kind: str = Field(description="blank 空白表格 / sample 填写样表")
    kind_label: str
    version: int
    filename: str
    extension: str
    size: int
    sha256: str
    note: str
    uploaded_at: datetime
    download_link: str
    preview_link: str | None = Field(description="第一页的预览图；Word、Excel 文件没有预览，请下载查看")

    @classmethod
    def from_model(cls, template: ItemTemplate, *, kind_label: str, filename: str, has_preview: bool) -> Self:
        """A template version; its links are the portal's (the guide page's download and preview)."""
        base = f"/guides/{template.item_id}/templates/{template.id}"
        return cls(
            id=template.id,
            item_id=template.item_id,
            material_id=template.material_id,
            material_name=template.material.name,
            kind=template.kind,
            kind_label=kind_label,
            version=template.version,
            filename=filename,
            extension=template.file.extension,
            size=template.file.size,
            sha256=template.file.sha256,
            note=template.note,
            uploaded_at=template.created_at,
            download_link=base,
            preview_link=f"{base}/preview" if has_preview else None,
        )


class VersionOut(BaseModel):
    """A published version of an item's guide."""

    version: int
    note: str
    published_at: datetime
    materials: list[MaterialSpec]


class PublishIn(BaseModel):
    """What the publisher says about this version."""

    note: str = Field(default="", max_length=200)
