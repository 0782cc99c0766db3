"""Shapes of the service-item API; a guide lists its elements in the standard order (DOMAIN.md)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.calendar.service import LimitUnit


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
