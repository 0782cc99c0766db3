"""A service item carries its whole guide; DOMAIN.md lists the elements in their standard order."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import cache
from core.db import Base, created_at_column, updated_at_column
from core.files.models import StoredFile
from core.org.models import Department


class ServiceItem(Base):
    """事项 with its 办事指南."""

    __tablename__ = "service_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, comment="实施编码")
    name: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="简称、别名和俗称（如“施工许可证”“过户”），搜索据此识别问题说的是哪个事项"
    )
    item_type: Mapped[str] = mapped_column(String(20), comment="行政许可 / 行政确认 / 公共服务 / ...")
    category: Mapped[str] = mapped_column(String(20), index=True, comment="投资建设 / 业务协同 / ...")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    legal_basis: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, comment="适用范围")
    conditions: Mapped[str] = mapped_column(Text, comment="申请条件")
    process_steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    location: Mapped[str] = mapped_column(String(200))
    office_hours: Mapped[str] = mapped_column(String(200))
    consult_phone: Mapped[str] = mapped_column(String(50))
    complaint_phone: Mapped[str] = mapped_column(String(50))
    statutory_limit: Mapped[int] = mapped_column(Integer)
    statutory_unit: Mapped[str] = mapped_column(String(8), default="工作日")
    promised_limit: Mapped[int] = mapped_column(Integer)
    promised_unit: Mapped[str] = mapped_column(String(8), default="工作日")
    case_type: Mapped[int] = mapped_column(Integer, comment="1 即办件 2 承诺件 3 联办件 4 上报件")
    visits: Mapped[int] = mapped_column(Integer, default=1, comment="到现场次数")
    fee: Mapped[str] = mapped_column(Text, comment="收费依据及标准；免费写“不收费”")
    result_name: Mapped[str] = mapped_column(String(200), comment="结果名称")
    delivery_method: Mapped[str] = mapped_column(String(100), comment="送达方式")
    special_steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    faqs: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    online_depth: Mapped[str] = mapped_column(String(20), default="三级", comment="网上办理深度")
    is_online: Mapped[bool] = mapped_column(Boolean, default=True, comment="可网上申报")
    issues_licence: Mapped[bool] = mapped_column(Boolean, default=False, comment="结果为证照，入电子证照库")
    joint_route: Mapped[list[list[str]]] = mapped_column(
        JSON, default=list, comment="联办件：按阶段列出会办部门编码，同一阶段并联"
    )
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    published_version: Mapped[int] = mapped_column(
        Integer, default=0, comment="当前发布的指南版本号（0：尚未按版本发布）；新办件记下它"
    )
    acceptance_checklist: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="受理指导：窗口受理时逐项核对的要点（仅工作人员可见）"
    )
    common_mistakes: Mapped[list[str]] = mapped_column(JSON, default=list, comment="受理指导：申请人常见错误")
    refusal_grounds: Mapped[list[dict[str, str]]] = mapped_column(
        JSON, default=list, comment="受理指导：不予受理的情形（what）及理由和依据（why）"
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    department: Mapped[Department] = relationship(lazy="joined")
    materials: Mapped[list["ItemMaterial"]] = relationship(
        back_populates="item", order_by="ItemMaterial.seq", cascade="all, delete-orphan", lazy="selectin"
    )


class ItemMaterial(Base):
    """One entry of a guide's 材料目录."""

    __tablename__ = "item_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    form: Mapped[str] = mapped_column(String(20), default="原件", comment="原件 / 复印件 / 原件及复印件")
    copies: Mapped[int] = mapped_column(Integer, default=1)
    medium: Mapped[str] = mapped_column(String(20), default="纸质或电子", comment="纸质 / 电子 / 纸质或电子")
    source: Mapped[str] = mapped_column(String(50), default="申请人自备", comment="申请人自备 / 电子证照 / ...")
    licence_name: Mapped[str] = mapped_column(String(200), default="", comment="可用电子证照库中该名称的证照代替")
    notes: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[ServiceItem] = relationship(back_populates="materials")


class ItemTemplate(Base):
    """受理资料模板: one version of a material's blank form (空白表格) or filled sample (样表). A new upload adds
    a version; the highest version of a material and kind is the one served, the older ones stay listed."""

    __tablename__ = "item_template"
    __table_args__ = (UniqueConstraint("material_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id", ondelete="CASCADE"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("item_material.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8), comment="blank 空白表格 / sample 样表")
    version: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    note: Mapped[str] = mapped_column(String(200), default="", comment="本版说明")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()

    file: Mapped[StoredFile] = relationship(lazy="joined")
    material: Mapped[ItemMaterial] = relationship(lazy="joined")


class ItemVersion(Base):
    """A published version of an item's guide: what the guide said when it was published. A case records the
    version it was filed under and is handled by it, whatever the guide says later."""

    __tablename__ = "service_item_version"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, comment="发布时的指南（事项字段和材料目录）")
    note: Mapped[str] = mapped_column(String(200), default="", comment="版本说明")
    published_at: Mapped[datetime] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


# The catalogue and guides pages are cached (core/cache.py): a committed change of an item or its materials
# empties the cache of reference data (the catalogue, the guides, filter lists) and publicity's rows.
cache.watch(ServiceItem, "reference")
cache.watch(ServiceItem, "publicity")  # its rows name the item
cache.watch(ItemMaterial, "reference")
